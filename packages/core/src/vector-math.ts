/**
 * Exact vector similarity, used by providers that search by scanning (memory, filesystem, ...)
 * and by tests that check approximate indexes. Scores are "higher is better" for every metric,
 * so `minScore` and sorting mean the same everywhere:
 * - `cosine`: cosine similarity in [-1, 1] (0 when either vector is all zeros);
 * - `dot`: the dot product;
 * - `euclidean`: `1 / (1 + distance)`, in (0, 1].
 */

import { ValidationError } from "./errors.js";
import type { VectorMetric } from "./provider.js";

// The package index exports this module whole; the shared ranking rules ride along with it.
export * from "./vector-ranking.js";

/** The dot product of two vectors of equal length. */
export function dotProduct(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let index = 0; index < a.length; index++) sum += a[index]! * b[index]!;
  return sum;
}

/** Cosine similarity; 0 when either vector has zero length. */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let index = 0; index < a.length; index++) {
    const x = a[index]!;
    const y = b[index]!;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  if (normA === 0 || normB === 0) return 0;
  return dot / (Math.sqrt(normA) * Math.sqrt(normB));
}

/** The Euclidean (L2) distance. */
export function euclideanDistance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let index = 0; index < a.length; index++) {
    const difference = a[index]! - b[index]!;
    sum += difference * difference;
  }
  return Math.sqrt(sum);
}

/**
 * The score of `candidate` for `query` under `metric` (higher is better).
 * @throws ValidationError when the dimensions differ.
 */
export function vectorScore(
  metric: VectorMetric,
  query: readonly number[],
  candidate: readonly number[],
): number {
  if (query.length !== candidate.length) {
    throw new ValidationError(
      `Vector dimension mismatch: query has ${query.length}, stored vector has ${candidate.length}`,
      "vector",
      { source: "vector-search" },
    );
  }
  switch (metric) {
    case "cosine":
      return cosineSimilarity(query, candidate);
    case "dot":
      return dotProduct(query, candidate);
    case "euclidean":
      return 1 / (1 + euclideanDistance(query, candidate));
  }
}
