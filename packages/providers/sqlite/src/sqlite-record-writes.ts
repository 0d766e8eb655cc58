/**
 * The write operations of one collection. Each runs inside `connection.write` (one
 * `BEGIN IMMEDIATE` transaction, or a savepoint inside an open one), so batches are all or
 * nothing and read-modify-writes (`update`, `updateMany`) are atomic across processes. Updates
 * apply the parsed update in JavaScript (`applyRecordUpdate`), exactly as every provider does.
 */

import {
  applyRecordUpdate,
  ConflictError,
  type RecordUpdate,
  type StoredRecord,
  ValidationError,
  validateKey,
  validateVector,
} from "@agentvault/core";
import type { FilterNode } from "@agentvault/query";
import type { Statement } from "better-sqlite3";
import { ArrayPathScanner, visitArrayPaths } from "./sqlite-array-shapes.js";
import type { CollectionInfo } from "./sqlite-collection-registry.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import { isUniqueViolation } from "./sqlite-errors.js";
import {
  checkRecord,
  decodeRow,
  encodeRecord,
  encodeValueText,
  encodeVector,
} from "./sqlite-record-codec.js";
import { compileWhere, getRecord, matchingRecords } from "./sqlite-record-reads.js";
import { liveCondition } from "./sqlite-schema.js";

const source = "sqlite";

/** Deletes expired rows of the collection, at most once per `intervalMs`. */
export function sweepExpired(
  connection: SqliteConnection,
  info: CollectionInfo,
  now: number,
  intervalMs: number,
): void {
  if (now - info.lastSweep < intervalMs) return;
  connection.statement(info.sql.sweep).run(now);
  info.lastSweep = now;
}

/** Records the array paths of the records' values and metadata in the registry. */
function recordShapes(
  connection: SqliteConnection,
  info: CollectionInfo,
  records: readonly StoredRecord[],
): void {
  const found: string[] = [];
  const visit = (key: string) => {
    if (!info.shapes.has(key)) found.push(key);
  };
  for (const record of records) {
    visitArrayPaths("value", record.value, visit);
    if (record.metadata !== undefined) visitArrayPaths("metadata", record.metadata, visit);
  }
  if (found.length > 0) connection.registry.addArrayPaths(info, found);
}

/** Checks that new vectors have the collection's dimension. */
function checkDimensions(
  connection: SqliteConnection,
  info: CollectionInfo,
  records: readonly StoredRecord[],
): void {
  for (const record of records) {
    if (record.vector === undefined) continue;
    if (info.vectorDimension === undefined) {
      const bytes = connection
        .statement(`SELECT length(vector) FROM ${info.table} WHERE vector IS NOT NULL LIMIT 1`)
        .pluck()
        .get() as number | undefined;
      info.vectorDimension = bytes === undefined ? record.vector.length : bytes / 8;
    }
    if (record.vector.length !== info.vectorDimension) {
      throw new ValidationError(
        `Vector dimension mismatch: collection holds ${info.vectorDimension}-dimensional vectors, got ${record.vector.length}`,
        "vector",
        { source },
      );
    }
  }
}

/** Runs a write, retrying once after a sweep when a unique index is held by an expired row. */
function withUniqueRetry<T>(
  connection: SqliteConnection,
  info: CollectionInfo,
  now: number,
  fn: () => T,
): T {
  try {
    return fn();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const swept = connection.statement(info.sql.sweep).run(now);
    if (swept.changes === 0) throw error;
    return fn();
  }
}

/** Runs the upsert for one record's column values; returns how many rows changed. */
function runUpsert(
  statement: Statement,
  ifAbsent: boolean,
  key: string,
  value: string,
  metadata: string | null,
  expiresAt: number | null,
  vector: Buffer | null,
  createdAt: number | null,
  updatedAt: number,
  now: number,
): number {
  // Arguments spelled out: no parameter array or row object to allocate per record.
  const result = ifAbsent
    ? statement.run(key, value, metadata, expiresAt, vector, createdAt, now, updatedAt, now, now)
    : statement.run(key, value, metadata, expiresAt, vector, createdAt, now, updatedAt, now);
  return result.changes;
}

function conflict(): ConflictError {
  return new ConflictError("A record with this key already exists", { source });
}

/**
 * Writes records (all or none: call inside `connection.write`).
 * @throws ConflictError with `ifAbsent` when a live record holds the key.
 */
export function putRecords(
  connection: SqliteConnection,
  info: CollectionInfo,
  records: readonly StoredRecord[],
  options: { readonly now: number; readonly ifAbsent?: boolean },
): void {
  const { now } = options;
  checkDimensions(connection, info, records);
  const ifAbsent = options.ifAbsent === true;
  const statement = connection.statement(ifAbsent ? info.sql.insertIfAbsent : info.sql.upsert);
  // Array paths not yet registered, found while encoding (one walk per value for both).
  const found: string[] = [];
  const scanner = new ArrayPathScanner((key) => {
    if (!info.shapes.has(key)) found.push(key);
  });
  // One pass, binding each record's columns directly: a record failing validation halfway
  // throws, and the transaction undoes the rest.
  for (const record of records) {
    checkRecord(record);
    const value = encodeValueText(scanner, "value", record.value);
    const metadata =
      record.metadata === undefined ? null : encodeValueText(scanner, "metadata", record.metadata);
    const key = validateKey(record.key, { source });
    let vector: Buffer | null = null;
    if (record.vector !== undefined) {
      validateVector(record.vector, { source });
      vector = encodeVector(record.vector);
    }
    const expiresAt = record.expiresAt ?? null;
    const createdAt = record.createdAt ?? null;
    const updatedAt = record.updatedAt ?? now;
    let changes = 0;
    for (let attempt = 0; ; attempt++) {
      try {
        changes = runUpsert(
          statement,
          ifAbsent,
          key,
          value,
          metadata,
          expiresAt,
          vector,
          createdAt,
          updatedAt,
          now,
        );
        break;
      } catch (error) {
        // An expired record may hold a unique value: sweep once and retry.
        if (
          attempt > 0 ||
          !isUniqueViolation(error) ||
          connection.statement(info.sql.sweep).run(now).changes === 0
        ) {
          throw error;
        }
      }
    }
    if (ifAbsent && changes === 0) throw conflict();
  }
  if (found.length > 0) connection.registry.addArrayPaths(info, found);
}

/**
 * Writes one record with a single statement (atomic on its own, so no explicit transaction),
 * when nothing else must change with it: the collection exists, the record brings no new array
 * path, and its vector's dimension is already known. Returns false (having written nothing)
 * when the full path (`putRecords` in a transaction) is needed.
 */
export function tryPutAlone(
  connection: SqliteConnection,
  info: CollectionInfo,
  record: StoredRecord,
  options: { readonly now: number; readonly ifAbsent: boolean },
): boolean {
  const { now, ifAbsent } = options;
  let newPath = false;
  const scanner = new ArrayPathScanner((key) => {
    if (!info.shapes.has(key)) newPath = true;
  });
  checkRecord(record);
  const value = encodeValueText(scanner, "value", record.value);
  const metadata =
    record.metadata === undefined ? null : encodeValueText(scanner, "metadata", record.metadata);
  const key = validateKey(record.key, { source });
  if (record.vector !== undefined) {
    validateVector(record.vector, { source });
    if (info.vectorDimension === undefined) return false;
    checkDimensions(connection, info, [record]);
  }
  if (newPath) return false;
  const vector = record.vector === undefined ? null : encodeVector(record.vector);
  const statement = connection.statement(ifAbsent ? info.sql.insertIfAbsent : info.sql.upsert);
  let changes: number;
  try {
    changes = runUpsert(
      statement,
      ifAbsent,
      key,
      value,
      metadata,
      record.expiresAt ?? null,
      vector,
      record.createdAt ?? null,
      record.updatedAt ?? now,
      now,
    );
  } catch (error) {
    // An expired record may hold a unique value: the full path sweeps and retries.
    if (isUniqueViolation(error)) return false;
    throw error;
  }
  if (ifAbsent && changes === 0) throw conflict();
  return true;
}

/** Deletes one record; true when a live one was deleted. */
export function deleteRecord(
  connection: SqliteConnection,
  info: CollectionInfo,
  key: string,
  now: number,
): boolean {
  const row = connection
    .statement(`DELETE FROM ${info.table} WHERE key = ? RETURNING expires_at`)
    .get(key) as { expires_at: number | null } | undefined;
  return row !== undefined && (row.expires_at === null || row.expires_at > now);
}

/** Writes an updated record over its row; returns a fresh copy of what was written. */
function rewrite(
  connection: SqliteConnection,
  info: CollectionInfo,
  record: StoredRecord,
  now: number,
): StoredRecord {
  const row = encodeRecord(record, now);
  withUniqueRetry(connection, info, now, () =>
    connection
      .statement(
        `UPDATE ${info.table} SET value = jsonb(?), metadata = jsonb(?), expires_at = ?, vector = ?, updated_at = ? WHERE key = ?`,
      )
      .run(row.value, row.metadata, row.expiresAt, row.vector, row.updatedAt, row.key),
  );
  // Decoded from what was written, so the caller never holds objects it passed in.
  return decodeRow({
    key: row.key,
    value: row.value,
    metadata: row.metadata,
    expires_at: row.expiresAt,
    vector: row.vector,
    created_at: record.createdAt ?? now,
    updated_at: row.updatedAt,
  });
}

/** Applies `changes` to one live record (call inside `connection.write`); null when absent. */
export function updateRecord(
  connection: SqliteConnection,
  info: CollectionInfo,
  key: string,
  changes: RecordUpdate,
  now: number,
): StoredRecord | null {
  const existing = getRecord(connection, info, key, now);
  if (existing === null) return null;
  const updated = applyRecordUpdate(existing, changes, now);
  checkDimensions(connection, info, [updated]);
  recordShapes(connection, info, [updated]);
  return rewrite(connection, info, updated, now);
}

/** Applies `changes` to every matching live record (call inside `connection.write`). */
export function updateMatching(
  connection: SqliteConnection,
  info: CollectionInfo,
  filter: FilterNode,
  changes: RecordUpdate,
  now: number,
): number {
  const updated = matchingRecords(connection, info, filter, now).map((record) =>
    applyRecordUpdate(record, changes, now),
  );
  checkDimensions(connection, info, updated);
  recordShapes(connection, info, updated);
  for (const record of updated) rewrite(connection, info, record, now);
  return updated.length;
}

/** Deletes every matching live record (call inside `connection.write`). */
export function deleteMatching(
  connection: SqliteConnection,
  info: CollectionInfo,
  filter: FilterNode,
  now: number,
): number {
  const where = compileWhere(info, filter);
  if (where.exact) {
    const sql = `DELETE FROM ${info.table} WHERE rowid IN (SELECT r.rowid FROM ${info.table} AS r WHERE ${liveCondition} AND ${where.sql})`;
    return connection.statement(sql).run(now, ...where.params).changes;
  }
  const doomed = matchingRecords(connection, info, filter, now);
  const statement = connection.statement(`DELETE FROM ${info.table} WHERE key = ?`);
  for (const record of doomed) statement.run(record.key);
  return doomed.length;
}

/** Counts the live records, then drops the collection's table (call inside `connection.write`). */
export function dropCollectionTable(
  connection: SqliteConnection,
  info: CollectionInfo,
  now: number,
): number {
  const live = connection
    .statement(`SELECT count(*) FROM ${info.table} AS r WHERE ${liveCondition}`)
    .pluck()
    .get(now) as number;
  connection.db.exec(`DROP TABLE IF EXISTS ${info.table}`);
  connection.registry.remove(info);
  return live;
}
