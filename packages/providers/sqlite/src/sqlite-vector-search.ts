/**
 * Exact vector search helpers, with the ranking rules every provider shares: best score first,
 * ties broken by key (ascending code-unit order), `minScore` inclusive, `limit` 10 by default,
 * and a query whose dimension differs from the collection's vectors refused.
 */

import {
  type StoredRecord,
  ValidationError,
  type VectorHit,
  type VectorQuery,
} from "@agentvault/core";
import type { CollectionInfo } from "./sqlite-collection-registry.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import { liveCondition } from "./sqlite-schema.js";

const source = "sqlite";

/** The dimension of the collection's live vectors (the first stored fixes it), if any. */
export function storedDimension(
  connection: SqliteConnection,
  info: CollectionInfo,
  now: number,
): number | undefined {
  if (info.vectorDimension !== undefined) return info.vectorDimension;
  const bytes = connection
    .statement(
      `SELECT length(r.vector) FROM ${info.table} AS r WHERE r.vector IS NOT NULL AND ${liveCondition} LIMIT 1`,
    )
    .pluck()
    .get(now) as number | undefined;
  return bytes === undefined ? undefined : bytes / 8;
}

/** @throws ValidationError when the query's dimension differs from the collection's. */
export function checkQueryDimension(query: readonly number[], dimension: number | undefined): void {
  if (dimension === undefined || dimension === query.length) return;
  throw new ValidationError(
    `Vector dimension mismatch: the collection holds ${dimension}-dimensional vectors, the query has ${query.length}`,
    "vector",
    { source },
  );
}

function compareHits(left: VectorHit, right: VectorHit): number {
  if (left.score !== right.score) return right.score - left.score;
  const a = left.record.key;
  const b = right.record.key;
  return a === b ? 0 : a < b ? -1 : 1;
}

/** Drops hits under `minScore`, orders the rest (ties by key) and keeps `limit`. */
export function rankHits(
  hits: { record: StoredRecord; score: number }[],
  query: VectorQuery,
): VectorHit[] {
  const kept =
    query.minScore === undefined ? hits : hits.filter((hit) => hit.score >= query.minScore!);
  return kept
    .filter((hit) => !Number.isNaN(hit.score))
    .sort(compareHits)
    .slice(0, query.limit ?? 10);
}
