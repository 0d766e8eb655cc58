/**
 * Seed 001: the `data_handler` agent. It processes incoming spores and stores the results on its
 * `records` provider with metadata; a reporting agent finds them again by metadata, and
 * references (or their URIs) lead back to the data. Both agents get only the storage they
 * declare: the handler may write `processed`, the reporter may only read it.
 */

import { requiresStorage, type StorageContext, storageEnabled } from "@agentvault/agent";
import type { DataReference } from "@agentvault/core";
import { type Example, type ExampleEnvironment, errorNameOf } from "./example-environment.js";

/** What another agent sends. */
export interface Spore {
  readonly id: string;
  readonly text: string;
  readonly source: string;
}

/** The processing: word statistics of a text. */
function processText(text: string) {
  const words = text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
  const frequencies: Record<string, number> = {};
  for (const word of words) frequencies[word] = (frequencies[word] ?? 0) + 1;
  const top = Object.entries(frequencies)
    .sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b))
    .slice(0, 3)
    .map(([word]) => word);
  return { words: words.length, distinct: Object.keys(frequencies).length, top };
}

/** Builds the two agents over the environment's storage. */
export function dataHandlerAgents(environment: ExampleEnvironment) {
  const handler = { providers: ["records"], collections: ["processed"], ...environment.storage };
  const handleData = requiresStorage(
    handler,
    storageEnabled(handler, async (spore: Spore, { storage }: StorageContext) => {
      const result = processText(spore.text);
      const reference = await storage.store(result, {
        provider: "records",
        collection: "processed",
        key: spore.id,
        metadata: {
          processedAt: environment.now(),
          source: spore.source,
          long: result.words >= 8,
        },
      });
      return { storedReference: reference };
    }),
  );
  const reporter = {
    providers: ["records"],
    collections: ["processed"],
    permissions: "read" as const,
    ...environment.storage,
  };
  const report = storageEnabled(reporter, async (source: string, { storage }: StorageContext) => {
    const found = await storage.query(
      "records",
      { "metadata.source": source },
      { collection: "processed", sort: { key: 1 } },
    );
    return found.map((item) => ({ key: item.reference.key, data: item.data }));
  });
  return { handleData, report };
}

/** Handles three spores, reports on them, and shows what the agents may not do. */
export async function dataHandlerExample(environment: ExampleEnvironment) {
  const { handleData, report } = dataHandlerAgents(environment);
  await handleData.storage.vault().clear("processed");
  const spores: Spore[] = [
    { id: "spore-1", source: "crawler", text: "Agents store data; agents query data." },
    { id: "spore-2", source: "inbox", text: "Short note" },
    {
      id: "spore-3",
      source: "crawler",
      text: "Praval agents share storage through references, and references travel well",
    },
  ];
  const references: DataReference[] = [];
  for (const spore of spores) references.push((await handleData(spore)).storedReference);
  const storage = handleData.storage;
  const [first, second] = references as [DataReference, DataReference];
  return {
    uris: references.map((reference) => reference.uri),
    metadataSources: references.map((reference) => reference.metadata.source),
    crawlerReport: await report("crawler"),
    longOnes: (
      await storage.query("records", { "metadata.long": true }, { collection: "processed" })
    ).map((item) => item.reference.key),
    manyWords: (
      await storage.query(
        "records",
        { "data.words": { $gte: 3 } },
        { collection: "processed", sort: { "data.words": -1 } },
      )
    ).map((item) => item.reference.key),
    viaReference: await storage.retrieve(first),
    viaUri: await storage.retrieve(second.uri),
    deleted: await storage.delete(second),
    afterDelete: await storage.retrieveByKey("records", "spore-2", { collection: "processed" }),
    refusals: {
      reporterWrites: await errorNameOf(() =>
        report.storage.store({}, { provider: "records", collection: "processed" }),
      ),
      undeclaredCollection: await errorNameOf(() =>
        storage.store({}, { provider: "records", collection: "secrets" }),
      ),
      undeclaredProvider: await errorNameOf(() => storage.store({}, { provider: "cache" })),
    },
  };
}

/** The example, for `main.ts` and the tests. */
export const dataHandler: Example = { name: "data-handler", seed: "001", run: dataHandlerExample };
