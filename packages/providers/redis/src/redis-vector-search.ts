/**
 * Exact vector search: the candidates of the filter (narrowed by indexes when possible) are
 * scored in memory. Linear in the collection's size; fine for thousands of vectors.
 */

import {
  compileRecordFilter,
  ValidationError,
  type VectorHit,
  type VectorMetric,
  type VectorQuery,
  validateVector,
  vectorScore,
} from "@agentvault/core";
import { loadCandidates, type ReadTarget } from "./redis-record-reader.js";

const matchAll = { type: "and", children: [] } as const;

/** Scores every candidate with a vector and returns the best `limit` hits. */
export async function searchRecords(
  target: ReadTarget,
  query: VectorQuery,
  metric: VectorMetric,
): Promise<VectorHit[]> {
  const vector = validateVector(query?.vector, { source: "redis" });
  const filter = query.filter ?? matchAll;
  const matches = compileRecordFilter(filter);
  // The collection's vector size is fixed by its first vector (the write script keeps it), so a
  // query of another size is an error even when the filter leaves nothing to compare.
  const [dimension, candidates] = await Promise.all([
    target.client.hget(target.keys.meta, "dim"),
    loadCandidates(target, filter),
  ]);
  if (dimension !== null && Number(dimension) !== vector.length) {
    throw new ValidationError(
      `Vector dimension mismatch: query has ${vector.length}, the collection holds ${dimension}-dimensional vectors`,
      "vector",
      { source: "redis" },
    );
  }
  const hits: VectorHit[] = [];
  for (const { record } of candidates) {
    if (record.vector === undefined || !matches(record)) continue;
    const score = vectorScore(metric, vector, record.vector);
    if (query.minScore === undefined || score >= query.minScore) hits.push({ record, score });
  }
  hits.sort((a, b) => b.score - a.score);
  return hits.slice(0, query.limit ?? 10);
}
