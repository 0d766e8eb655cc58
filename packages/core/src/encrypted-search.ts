/**
 * Vector search for `encrypted()`: vectors are sealed with the record, so the backend cannot rank
 * them. The wrapper decrypts the candidates and ranks them here, exactly (every record scored),
 * with the same rules as the memory provider: higher scores first, ties broken by key, records
 * without a vector skipped, a query of another dimension rejected.
 */

import { ValidationError } from "./errors.js";
import { compileRecordFilter } from "./in-memory-engine.js";
import type { StoredRecord, VectorHit, VectorMetric, VectorQuery } from "./provider.js";
import { validateVector } from "./validation.js";
import { vectorScore } from "./vector-math.js";

const source = "encrypted";
const defaultLimit = 10;

/**
 * Ranks decrypted `records` against `query`.
 * @throws ValidationError when the query vector's dimension differs from the stored vectors'.
 */
export function searchDecrypted(
  records: readonly StoredRecord[],
  query: VectorQuery,
  metric: VectorMetric,
): VectorHit[] {
  const vector = validateVector(query.vector, { source });
  const matches = query.filter === undefined ? undefined : compileRecordFilter(query.filter);
  const limit = query.limit ?? defaultLimit;
  const hits: VectorHit[] = [];
  for (const record of records) {
    if (record.vector === undefined) continue;
    if (record.vector.length !== vector.length) {
      throw new ValidationError(
        `Vector dimension mismatch: the query has ${vector.length}, stored vectors have ${record.vector.length}`,
        "vector",
        { source },
      );
    }
    if (matches !== undefined && !matches(record)) continue;
    const score = vectorScore(metric, vector, record.vector);
    if (query.minScore !== undefined && score < query.minScore) continue;
    hits.push({ record, score });
  }
  hits.sort(
    (a, b) =>
      b.score - a.score || (a.record.key < b.record.key ? -1 : a.record.key > b.record.key ? 1 : 0),
  );
  return hits.slice(0, limit);
}
