/**
 * Exact vector search on SQLite, and the pieces the approximate path shares with it.
 *
 * The scan reads only `rowid, key, vector` of the rows the SQL filter selects, scores each
 * stored float64 vector in place (a typed-array view over the blob, no decoding into arrays)
 * and keeps the best `limit` in a heap; only the winners' whole records are read and decoded.
 * A filter SQL cannot decide exactly is answered over whole records, re-checked in memory.
 */

import {
  type StoredRecord,
  TopVectorHits,
  type VectorHit,
  type VectorMetric,
  vectorScore,
} from "@agentvault/core";
import type { FilterNode } from "@agentvault/query";
import type { CollectionInfo } from "./sqlite-collection-registry.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import { decodeRow, type RecordRow } from "./sqlite-record-codec.js";
import { compileWhere, matchingRecords } from "./sqlite-record-reads.js";
import { liveCondition, recordSelectList } from "./sqlite-schema.js";

/** What one search asks for, already validated. */
export interface VectorSearchInput {
  readonly vector: readonly number[];
  readonly metric: VectorMetric;
  readonly filter: FilterNode | undefined;
  readonly limit: number;
  readonly minScore: number | undefined;
}

const everything: FilterNode = Object.freeze({ type: "and", children: Object.freeze([]) });

const littleEndian = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/** The float64 components of a stored vector blob, without copying when the blob is aligned. */
export function vectorView(blob: Uint8Array): Float64Array {
  if (!littleEndian) {
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    return Float64Array.from({ length: blob.byteLength >> 3 }, (_, index) =>
      view.getFloat64(index * 8, true),
    );
  }
  if (blob.byteOffset % 8 === 0) {
    return new Float64Array(blob.buffer, blob.byteOffset, blob.byteLength >> 3);
  }
  return new Float64Array(blob.slice().buffer);
}

/** The core's score on a typed array (it only indexes and reads `length`). */
export function scoreBlob(
  metric: VectorMetric,
  query: readonly number[],
  blob: Uint8Array,
): number {
  return vectorScore(metric, query, vectorView(blob) as unknown as readonly number[]);
}

/**
 * The dimension of the collection's vectors (the first stored vector fixed it for every later
 * write), or undefined when it holds none.
 */
export function collectionDimension(
  connection: SqliteConnection,
  info: CollectionInfo,
): number | undefined {
  if (info.vectorDimension !== undefined) return info.vectorDimension;
  const bytes = connection
    .statement(`SELECT length(vector) FROM ${info.table} WHERE vector IS NOT NULL LIMIT 1`)
    .pluck()
    .get() as number | undefined;
  return bytes === undefined ? undefined : bytes / 8;
}

/**
 * Reads the whole live records of `rowids` (any order), keyed by rowid. Rows that expired,
 * lost their vector or no longer pass `where` are simply absent.
 */
export function recordsByRowid(
  connection: SqliteConnection,
  info: CollectionInfo,
  rowids: readonly number[],
  options: { readonly now: number; readonly where?: { sql: string; params: readonly unknown[] } },
): Map<number, StoredRecord> {
  const found = new Map<number, StoredRecord>();
  if (rowids.length === 0) return found;
  const where = options.where ?? { sql: "1", params: [] };
  const rows = connection
    .statement(
      `SELECT r.rowid AS row_id, ${recordSelectList} FROM ${info.table} AS r WHERE r.rowid IN (SELECT value FROM json_each(?)) AND ${liveCondition} AND r.vector IS NOT NULL AND ${where.sql}`,
    )
    .all(JSON.stringify(rowids), options.now, ...where.params) as (RecordRow & {
    row_id: number;
  })[];
  for (const row of rows) found.set(row.row_id, decodeRow(row));
  return found;
}

/** Exact search: every live vector that passes the filter is scored. */
export function searchExactly(
  connection: SqliteConnection,
  info: CollectionInfo,
  input: VectorSearchInput,
  now: number,
): VectorHit[] {
  const filter = input.filter ?? everything;
  const where = compileWhere(info, filter);
  if (!where.exact) {
    const top = new TopVectorHits<StoredRecord>(input.limit, input.minScore);
    for (const record of matchingRecords(connection, info, filter, now, { withVector: true })) {
      top.offer(record.key, vectorScore(input.metric, input.vector, record.vector!), record);
    }
    return top.sorted().map((hit) => ({ record: hit.item, score: hit.score }));
  }
  const top = new TopVectorHits<number>(input.limit, input.minScore);
  const scan = connection.statement(
    `SELECT r.rowid AS row_id, r.key AS key, r.vector AS vector FROM ${info.table} AS r WHERE ${liveCondition} AND r.vector IS NOT NULL AND ${where.sql}`,
  );
  for (const row of scan.iterate(now, ...where.params) as Iterable<{
    row_id: number;
    key: string;
    vector: Uint8Array;
  }>) {
    top.offer(row.key, scoreBlob(input.metric, input.vector, row.vector), row.row_id);
  }
  const winners = top.sorted();
  const records = recordsByRowid(
    connection,
    info,
    winners.map((winner) => winner.item),
    { now },
  );
  const hits: VectorHit[] = [];
  for (const winner of winners) {
    const record = records.get(winner.item);
    if (record !== undefined) hits.push({ record, score: winner.score });
  }
  return hits;
}
