/**
 * The wrappers are providers, so they must pass the same suite as any provider: alone over the
 * memory provider, and composed over SQLite as users are told to compose them.
 */

import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runConformance } from "@agentvault/conformance";
import { cached, encrypted, logged, memoryProvider } from "@agentvault/core";
import { sqliteProvider } from "@agentvault/provider-sqlite";
import * as vitest from "vitest";

const keys = [
  { id: "current", key: randomBytes(32) },
  { id: "previous", key: randomBytes(32) },
];
const folder = await mkdtemp(join(tmpdir(), "agentvault-it-wrapped-"));
vitest.afterAll(() => rm(folder, { recursive: true, force: true }));

// Encryption evaluates every non-key filter after decrypting the collection, so the corpus is
// sampled to keep the suite fast; the semantics are the in-memory evaluator's either way.
const sampled = {
  corpus: "sample",
  corpusSampleSize: 60,
  bulkRecords: 300,
  randomFilters: 80,
  randomSortedQueries: 30,
} as const;

runConformance({
  ...vitest,
  name: "encrypted(memory)",
  createProvider: async ({ database, clock }) =>
    encrypted(memoryProvider({ database, clock }), { keys, clock }),
  limits: sampled,
});

runConformance({
  ...vitest,
  name: "cached(memory)",
  createProvider: async ({ database, clock }) =>
    cached(memoryProvider({ database, clock }), { clock, maxEntries: 50 }),
  limits: sampled,
});

runConformance({
  ...vitest,
  name: "logged(memory)",
  createProvider: async ({ database, clock }) =>
    logged(memoryProvider({ database, clock }), () => {}),
  limits: sampled,
  // A pass-through: the areas that touch every method are enough.
  areas: {
    filters: false,
    "sort-projection-pagination": false,
    codecs: false,
    keys: false,
    bulk: false,
  },
});

runConformance({
  ...vitest,
  name: "encrypted(cached(sqlite))",
  createProvider: async ({ database, clock }) =>
    encrypted(cached(sqliteProvider({ directory: folder, database, clock }), { clock }), {
      keys,
      clock,
    }),
  limits: sampled,
});
