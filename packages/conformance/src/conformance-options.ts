/**
 * The options of `runConformance`: the test runner's functions (vitest's own, passed in so the
 * suite never imports a runner itself, as keyv's shared suite does), the provider factory, and
 * switches for areas a backend cannot run or runs slowly.
 */

import type { StorageProvider } from "@agentvault/core";
import type { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

/** The test runner functions the suite registers its tests with. Pass vitest's own. */
export interface TestRunner {
  readonly describe: typeof describe;
  readonly it: typeof it;
  readonly expect: typeof expect;
  readonly beforeAll: typeof beforeAll;
  readonly afterAll: typeof afterAll;
  readonly beforeEach: typeof beforeEach;
}

/** The areas of the suite, one file each under `src/areas/`. */
export const conformanceAreas = [
  "crud",
  "filters",
  "sort-projection-pagination",
  "updates",
  "concurrency",
  "ttl",
  "keys",
  "codecs",
  "bulk",
  "errors",
  "collections",
  "key-value",
  "transactions",
  "vectors",
] as const;

/** One area of the suite. */
export type ConformanceArea = (typeof conformanceAreas)[number];

/** What the suite tells `createProvider` about the provider it wants. */
export interface ProviderContext {
  /** The area the provider is for. Each area gets its own provider. */
  readonly area: ConformanceArea;
  /**
   * A fresh database name (lowercase letters, digits and `_`, at most 40 characters, unique per
   * call) to bind the provider to, so concurrent runs never share data.
   */
  readonly database: string;
  /**
   * The suite's clock (epoch milliseconds). A provider that decides expiry by its own clock
   * should use it: the TTL area moves it forward instead of waiting. It starts at real time.
   */
  readonly clock: () => number;
}

/** Sizes and modes for backends that are slow or limited. Every field is optional. */
export interface ConformanceLimits {
  /**
   * Largest document, in bytes of its JSON form, the backend stores. Tests of values larger than
   * this (the 1 MB string, for instance) are skipped, with the reason in their name.
   * @default 16_777_216
   */
  readonly maxValueBytes?: number | undefined;
  /**
   * Run every runnable case of the external filter corpus, or an evenly spread sample.
   * @default "full"
   */
  readonly corpus?: "full" | "sample" | undefined;
  /** How many corpus cases `corpus: "sample"` runs. @default 120 */
  readonly corpusSampleSize?: number | undefined;
  /** Documents generated for the random filter tests. @default 40 */
  readonly randomDocuments?: number | undefined;
  /** Random filters checked against the in-memory evaluator. @default 150 */
  readonly randomFilters?: number | undefined;
  /** Random filter + sort + skip + limit queries checked against `sortDocuments`. @default 60 */
  readonly randomSortedQueries?: number | undefined;
  /**
   * Seed of the random tests, so a failure can be replayed. The environment variable
   * `AGENTVAULT_CONFORMANCE_SEED` overrides it.
   * @default 20240601
   */
  readonly seed?: number | undefined;
  /** Records written by the bulk tests. @default 1000 */
  readonly bulkRecords?: number | undefined;
  /** Concurrent writers in the concurrency tests. @default 50 */
  readonly concurrentWrites?: number | undefined;
  /**
   * How TTL is tested. `"clock"` moves `ProviderContext.clock` forward, so the provider must
   * decide expiry with that clock. `"real"` waits for a short real TTL, for backends that expire
   * records themselves. Default: `"real"` when the provider declares `nativeTtl`, else `"clock"`.
   */
  readonly ttl?: "clock" | "real" | undefined;
  /** The TTL used by `ttl: "real"`, in seconds. @default 1.2 */
  readonly realTtlSeconds?: number | undefined;
  /**
   * How long after a real expiry time a record may still be seen (clock skew between the test
   * process and a server). Polling stops as soon as the record is gone.
   * @default 500
   */
  readonly ttlGraceMs?: number | undefined;
}

/** The options of `runConformance`. */
export interface ConformanceOptions extends TestRunner {
  /** The provider's name, shown in the suite's title. */
  readonly name: string;
  /**
   * Creates a fresh, isolated provider (for example bound to `context.database`). Called once
   * per area, and again by the few tests that need a provider of their own (closing one).
   */
  readonly createProvider: (context: ProviderContext) => Promise<StorageProvider>;
  /**
   * Runs after a provider's database was dropped and the provider closed, for what
   * `dropDatabase` cannot remove (a file, a bucket).
   */
  readonly cleanup?: ((context: ProviderContext) => Promise<void>) | undefined;
  /** Areas to run; every area runs unless switched off here. */
  readonly areas?: Partial<Record<ConformanceArea, boolean>> | undefined;
  readonly limits?: ConformanceLimits | undefined;
}

/** `ConformanceLimits` with every default filled in. */
export type ResolvedLimits = Required<Omit<ConformanceLimits, "ttl">> & {
  readonly ttl: "clock" | "real" | undefined;
};

function seedFromEnvironment(): number | undefined {
  const raw = process.env.AGENTVAULT_CONFORMANCE_SEED;
  if (raw === undefined || raw === "") return undefined;
  const seed = Number(raw);
  return Number.isSafeInteger(seed) ? seed : undefined;
}

/** Fills in the defaults of `ConformanceLimits`. */
export function resolveLimits(limits: ConformanceLimits = {}): ResolvedLimits {
  return {
    maxValueBytes: limits.maxValueBytes ?? 16 * 1024 * 1024,
    corpus: limits.corpus ?? "full",
    corpusSampleSize: limits.corpusSampleSize ?? 120,
    randomDocuments: limits.randomDocuments ?? 40,
    randomFilters: limits.randomFilters ?? 150,
    randomSortedQueries: limits.randomSortedQueries ?? 60,
    seed: seedFromEnvironment() ?? limits.seed ?? 20240601,
    bulkRecords: limits.bulkRecords ?? 1000,
    concurrentWrites: limits.concurrentWrites ?? 50,
    ttl: limits.ttl,
    realTtlSeconds: limits.realTtlSeconds ?? 1.2,
    ttlGraceMs: limits.ttlGraceMs ?? 500,
  };
}
