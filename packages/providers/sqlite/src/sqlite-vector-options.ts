/**
 * The vector search options of `sqliteProvider`: when the approximate (HNSW) index is used and
 * how it is built. Exact search needs no option and is always available.
 */

import { ValidationError } from "@agentvault/core";

/** Tuning of the approximate index. Every field is optional. */
export interface SqliteApproximateOptions {
  /**
   * A collection gets an approximate index once it holds this many vectors; smaller ones are
   * searched exactly, which is fast enough there and always exact.
   * @default 20000
   */
  readonly minRecords?: number | undefined;
  /**
   * Candidates examined per query (hnswlib's `ef`, raised to the number of hits asked for).
   * Higher means better recall and slower queries.
   * @default 128
   */
  readonly efSearch?: number | undefined;
  /** Links per node in the graph (hnswlib's `M`): memory and build time grow with it. @default 16 */
  readonly m?: number | undefined;
  /** Candidates examined per insertion while building (hnswlib's `ef_construction`). @default 100 */
  readonly efConstruction?: number | undefined;
  /**
   * A filtered search uses the index only when at least this fraction of the collection's
   * vectors pass the filter (and at least `minRecords` do); a more selective filter is answered
   * exactly over the few records it leaves, which is both faster and exact.
   * @default 0.1
   */
  readonly minFilterFraction?: number | undefined;
}

/** The vector search options `sqliteProvider` accepts beside its others. */
export interface SqliteVectorOptions {
  /**
   * Approximate nearest-neighbour search for large collections, from an in-memory HNSW index
   * (hnswlib-node), built in the background when a collection first reaches `minRecords`
   * vectors and kept in step with writes. `false` forces exact search everywhere.
   * @default {} (enabled, with the defaults of `SqliteApproximateOptions`)
   */
  readonly approximate?: SqliteApproximateOptions | false | undefined;
}

/** `SqliteApproximateOptions` with defaults filled in, or `false` when switched off. */
export type ResolvedApproximateOptions = Required<{
  readonly [K in keyof SqliteApproximateOptions]: number;
}>;

const source = "sqlite";

function positive(value: unknown, name: string, fallback: number, integer = true): number {
  if (value === undefined) return fallback;
  const valid =
    typeof value === "number" &&
    Number.isFinite(value) &&
    value > 0 &&
    (!integer || Number.isInteger(value));
  if (!valid) {
    const kind = integer ? "a positive integer" : "a positive number";
    throw new ValidationError(`approximate.${name} must be ${kind}`, `approximate.${name}`, {
      source,
    });
  }
  return value;
}

/** Checks the approximate options and fills in the defaults. */
export function resolveApproximateOptions(
  options: SqliteVectorOptions,
): ResolvedApproximateOptions | false {
  const approximate = options.approximate;
  if (approximate === false) return false;
  if (approximate !== undefined && (approximate === null || typeof approximate !== "object")) {
    throw new ValidationError("approximate must be an options object or false", "approximate", {
      source,
    });
  }
  const given = approximate ?? {};
  const minFilterFraction = positive(given.minFilterFraction, "minFilterFraction", 0.1, false);
  if (minFilterFraction > 1) {
    throw new ValidationError(
      "approximate.minFilterFraction must be at most 1",
      "approximate.minFilterFraction",
      { source },
    );
  }
  return {
    minRecords: positive(given.minRecords, "minRecords", 20_000),
    efSearch: positive(given.efSearch, "efSearch", 128),
    m: positive(given.m, "m", 16),
    efConstruction: positive(given.efConstruction, "efConstruction", 100),
    minFilterFraction,
  };
}
