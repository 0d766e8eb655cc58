/**
 * Filters: (a) the external MongoDB corpus, every runnable case stored and queried through the
 * Vault; (b) differential tests: random documents and random valid filters, where the in-memory
 * evaluator of `@agentvault/query` is the reference, also with sort, skip and limit.
 */

import type { Filter } from "@agentvault/core";
import {
  compileFilter,
  FilterValidationError,
  parseSort,
  sortDocuments,
  type Value,
} from "@agentvault/query";
import type { CorpusTier } from "@agentvault/query/testing";
import fc from "fast-check";
import type { AreaContext } from "../area-context.js";
import { describeError, idList, idSet } from "../assertions.js";
import { corpusCases, planCorpus } from "../corpus/corpus-plan.js";
import { runCorpus } from "../corpus/run-corpus.js";
import { vaultCorpusTarget } from "../corpus/vault-corpus-target.js";
import { generateDocuments } from "../random/random-documents.js";
import { type RawFilter, randomFilter, randomSortedQuery } from "../random/random-filters.js";

const corpusTimeout = 180_000;
const randomTimeout = 120_000;

type StoredDocuments = { [field: string]: Value }[];

/** Reference result: the in-memory evaluator over the same documents. */
function referenceMatches(documents: StoredDocuments, filter: RawFilter): StoredDocuments {
  const predicate = compileFilter(filter);
  return documents.filter((document) => predicate(document));
}

function show(value: unknown): string {
  return JSON.stringify(value, (_, item) =>
    item instanceof Uint8Array ? `<binary ${Buffer.from(item).toString("hex")}>` : item,
  );
}

function corpusTests(context: AreaContext): void {
  const { it, expect } = context.runner;
  const tiers = [...new Set(corpusCases().map((testCase) => testCase.tier))].sort() as CorpusTier[];
  for (const tier of tiers) {
    const plan = planCorpus({
      tiers: [tier],
      mode: context.limits.corpus,
      sampleSize: context.limits.corpusSampleSize,
    });
    const planned = plan.groups.reduce((sum, group) => sum + group.cases.length, 0);
    it(
      `corpus tier ${tier}: ${planned} cases (${context.limits.corpus}) agree with MongoDB`,
      async () => {
        const report = await runCorpus({
          plan,
          target: vaultCorpusTarget(context.vault(), context.collectionName(`corpus_${tier}`)),
        });
        console.info(`[conformance] filter corpus ${report.summary()}`);
        if (process.env.AGENTVAULT_CORPUS_REPORT === "1") console.info(report.tally.format());
        expect(report.failures.length, report.describeFailures()).toBe(0);
      },
      corpusTimeout,
    );
  }
}

function randomTests(context: AreaContext): void {
  const { it, expect, beforeAll } = context.runner;
  const { randomDocuments, randomFilters, randomSortedQueries, seed } = context.limits;
  const documents = generateDocuments(randomDocuments, seed);
  let collection = "";

  beforeAll(async () => {
    collection = context.collectionName("random");
    const vault = context.vault();
    for (const { _id, ...fields } of documents) {
      await vault.store(collection, fields, { key: _id as string });
    }
  });

  it("random documents round-trip before any filter runs", async () => {
    const stored = await context.vault().retrieve(collection);
    expect(idSet(stored)).toEqual(idSet(documents));
    const byId = new Map(stored.map((document) => [document._id, document]));
    for (const document of documents) expect(byId.get(document._id as string)).toEqual(document);
  });

  it(
    `${randomFilters} random filters return what the in-memory evaluator returns (seed ${seed})`,
    async () => {
      const vault = context.vault();
      await fc.assert(
        fc.asyncProperty(randomFilter, async (filter) => {
          let expected: StoredDocuments;
          try {
            expected = referenceMatches(documents, filter);
          } catch (referenceError) {
            // The reference refused the filter: the Vault must refuse it the same way.
            let error: unknown;
            await vault.query(collection, filter as Filter).catch((thrown) => {
              error = thrown;
            });
            expect(
              FilterValidationError.isInstance(error),
              `reference threw ${describeError(referenceError)}, vault ${describeError(error)}`,
            ).toBe(true);
            return;
          }
          const actual = await vault.query(collection, filter as Filter);
          expect(idSet(actual), `filter ${show(filter)}`).toEqual(idSet(expected));
          expect(await vault.count(collection, filter as Filter), `count ${show(filter)}`).toBe(
            expected.length,
          );
        }),
        { seed, numRuns: randomFilters },
      );
    },
    randomTimeout,
  );

  it(
    `${randomSortedQueries} random filter + sort + skip + limit queries match sortDocuments (seed ${seed})`,
    async () => {
      const vault = context.vault();
      await fc.assert(
        fc.asyncProperty(randomSortedQuery, async (query) => {
          const matching = referenceMatches(documents, query.filter);
          const sorted = sortDocuments(matching, parseSort(query.sort));
          const end = query.limit === undefined ? undefined : query.skip + query.limit;
          const expected = sorted.slice(query.skip, end);
          const actual = await vault.query(collection, query.filter as Filter, {
            sort: query.sort,
            skip: query.skip,
            limit: query.limit,
          });
          expect(idList(actual), `query ${show(query)}`).toEqual(idList(expected));
        }),
        { seed: seed + 1, numRuns: randomSortedQueries },
      );
    },
    randomTimeout,
  );
}

/** Registers the filter tests. */
export function filtersTests(context: AreaContext): void {
  corpusTests(context);
  randomTests(context);
}
