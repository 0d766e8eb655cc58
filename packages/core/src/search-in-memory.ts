/**
 * Exact vector search over records already in memory, for providers that answer queries by
 * scanning (filesystem, S3): every live record with a vector is scored, so results are exact and
 * the cost grows linearly with the collection. Ranking follows the shared rules of
 * `vector-ranking.ts` (best score first, ties by key, `minScore` inclusive, `limit` default 10),
 * so a scanning provider returns the same hits in the same order as every other provider.
 */

import { compileRecordFilter } from "./in-memory-engine.js";
import type { StoredRecord, VectorHit, VectorMetric, VectorQuery } from "./provider.js";
import { isExpired } from "./record-view.js";
import { validateVector } from "./validation.js";
import { vectorScore } from "./vector-math.js";
import { checkQueryDimension, defaultSearchLimit, TopVectorHits } from "./vector-ranking.js";

/** Options for `searchInMemory`. */
export interface InMemorySearchOptions {
  /** How vectors are compared. */
  readonly metric: VectorMetric;
  /** Epoch milliseconds deciding expiry: expired records are never returned. */
  readonly now: number;
  /** The provider, as in `[agentvault] [filesystem] ...`. */
  readonly source: string;
  /** The collection, named when the query's dimension does not match. @default "the collection" */
  readonly collection?: string | undefined;
}

/**
 * Ranks `records` against `query` (best first), honouring its filter, `minScore` and `limit`.
 * The first live record with a vector fixes the collection's dimension: a query of another
 * dimension fails even when the filter leaves nothing to score.
 *
 * @throws ValidationError when the query vector is malformed or of the wrong dimension.
 * @example
 * const hits = searchInMemory(await scanCollection(name), query, {
 *   metric: "cosine",
 *   now: Date.now(),
 *   source: "filesystem",
 *   collection: name,
 * });
 */
export function searchInMemory(
  records: Iterable<StoredRecord>,
  query: VectorQuery,
  options: InMemorySearchOptions,
): VectorHit[] {
  const { metric, now, source } = options;
  const vector = validateVector(query.vector, { source });
  const matches = query.filter === undefined ? undefined : compileRecordFilter(query.filter);
  const top = new TopVectorHits<StoredRecord>(query.limit ?? defaultSearchLimit, query.minScore);
  let dimensionChecked = false;
  for (const record of records) {
    if (record.vector === undefined || isExpired(record, now)) continue;
    if (!dimensionChecked) {
      checkQueryDimension(vector, record.vector.length, { source, collection: options.collection });
      dimensionChecked = true;
    }
    if (matches !== undefined && !matches(record)) continue;
    top.offer(record.key, vectorScore(metric, vector, record.vector), record);
  }
  return top.sorted().map((hit) => ({ record: hit.item, score: hit.score }));
}
