/**
 * Export/import and migration between every ordered pair of providers available here: the
 * copy must equal the data set exactly (dates, binary, metadata, vectors, absolute expiry,
 * odd keys, non-document values, key-value stores), and a damaged export must import nothing.
 */

import { createVault, IntegrityError, migrate, type StorageProvider } from "@agentvault/core";
import { afterAll, describe, expect, it } from "vitest";
import { available, type BackendKind, Backends, backendKinds, titled } from "./backends.js";
import { binaries, contents, dataset, expectedContents, seedDataset } from "./dataset.js";

const backends = new Backends();
afterAll(() => backends.cleanup());

const sources = new Map<BackendKind, Promise<StorageProvider>>();
const recordCount = Object.values(dataset).reduce((sum, records) => sum + records.length, 0);
/** The key-value store adds its registry record and one entry. */
const keyValueRecords = 2;

/** The source database of `kind`, seeded once. */
function source(kind: BackendKind): Promise<StorageProvider> {
  let provider = sources.get(kind);
  if (provider === undefined) {
    provider = (async () => {
      const opened = await backends.open(kind, "source");
      await seedDataset(opened);
      await (await createVault({ provider: opened }).kv("prefs")).set("theme", `from ${kind}`);
      return opened;
    })();
    sources.set(kind, provider);
  }
  return provider;
}

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const result: string[] = [];
  for await (const line of lines) result.push(line);
  return result;
}

/** Checks that `copy` holds the data set and the source's key-value store, exactly. */
async function expectFaithfulCopy(copy: StorageProvider, from: BackendKind): Promise<void> {
  const copied = await contents(copy);
  expect(copied).toEqual(expectedContents());
  for (const records of Object.values(copied)) {
    for (const binary of records.flatMap((record) => binaries(record.value))) {
      expect(Object.getPrototypeOf(binary)).toBe(Uint8Array.prototype);
    }
  }
  const store = await createVault({ provider: copy }).kv("prefs", { mustExist: true });
  expect(await store.get("theme")).toBe(`from ${from}`);
}

for (const from of backendKinds) {
  describe.skipIf(!available(from))(titled(`from ${from}`, from), () => {
    it("the source holds the data set exactly", async () => {
      expect(await contents(await source(from))).toEqual(expectedContents());
    });

    for (const to of backendKinds) {
      if (to === from) continue;
      it.skipIf(!available(to))(
        titled(`to ${to}: migrate and export/import are exact`, to),
        async () => {
          const origin = await source(from);
          const migrated = await backends.open(to, `m_${from}`);
          const report = await migrate({ from: origin, to: migrated });
          expect(report.records).toBe(recordCount + keyValueRecords);
          await expectFaithfulCopy(migrated, from);

          const lines = await collect(createVault({ provider: origin }).export());
          const imported = await backends.open(to, `i_${from}`);
          expect(await createVault({ provider: imported }).import(lines)).toBe(
            recordCount + keyValueRecords,
          );
          await expectFaithfulCopy(imported, from);
        },
      );
    }
  });
}

describe("damaged exports", () => {
  for (const to of ["sqlite", "postgres"] as const) {
    it.skipIf(!available(to))(titled(`are rejected by ${to} and import nothing`, to), async () => {
      const lines = await collect(createVault({ provider: await source("memory") }).export());
      const target = createVault({ provider: await backends.open(to, "damaged") });
      const truncated = lines.slice(0, -3).concat(lines.slice(-1));
      const tampered = lines.map((line) => line.replace("héllo", "HELLO"));
      for (const input of [lines.slice(0, -1), truncated, tampered]) {
        await expect(target.import(input)).rejects.toThrow(IntegrityError);
        expect(await target.listCollections()).toEqual([]);
      }
    });
  }
});
