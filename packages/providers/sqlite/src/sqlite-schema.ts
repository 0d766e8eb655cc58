/**
 * The tables of one database file.
 *
 * - `_av_collections`: collection name -> id. Table names are `_av_c<id>`, so no collection
 *   name (which may hold quotes, brackets, `; DROP TABLE`, anything) ever appears in SQL; ids
 *   come from AUTOINCREMENT and are never reused, so a dropped collection's cached statements
 *   can never touch a newer collection.
 * - `_av_array_paths`: the record-view paths where a collection ever stored an array (see
 *   `sqlite-array-shapes.ts`). One row per path, inserted with `OR IGNORE`, so concurrent
 *   writers never lose each other's paths.
 * - `_av_indexes`: declared indexes, by collection.
 * - `_av_meta`: the schema version and `registry_version`, bumped whenever any of the tables
 *   above changes, so other connections know to reload them.
 *
 * Each collection table stores the value and metadata as JSONB (SQLite's binary JSON: path
 * lookups measured 2.5x faster than JSON text at equal write and read cost), expiry and
 * timestamps as epoch milliseconds, and the vector as little-endian float64s.
 */

import { quoteIdentifier } from "./sql-fragment.js";

/** The schema version written to `_av_meta`. */
export const schemaVersion = 1;

/** DDL creating the registry tables (idempotent). */
export const registrySchema = `
CREATE TABLE IF NOT EXISTS _av_meta (key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS _av_collections (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS _av_array_paths (
  collection_id INTEGER NOT NULL,
  path TEXT NOT NULL,
  PRIMARY KEY (collection_id, path)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS _av_indexes (
  collection_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  index_name TEXT NOT NULL,
  spec TEXT NOT NULL,
  PRIMARY KEY (collection_id, name)
) WITHOUT ROWID;
INSERT OR IGNORE INTO _av_meta (key, value) VALUES ('schema_version', ${schemaVersion});
INSERT OR IGNORE INTO _av_meta (key, value) VALUES ('registry_version', 0);
`;

/** The SQL name of a collection's table. */
export function tableName(collectionId: number): string {
  return quoteIdentifier(`_av_c${collectionId}`);
}

/** The SQL name of one of a collection's indexes. */
export function indexName(collectionId: number, suffix: string): string {
  return quoteIdentifier(`_av_c${collectionId}_${suffix}`);
}

/** DDL creating a collection's table and its expiry index. */
export function collectionSchema(collectionId: number): string {
  const table = tableName(collectionId);
  return `
CREATE TABLE IF NOT EXISTS ${table} (
  key TEXT PRIMARY KEY NOT NULL,
  value BLOB NOT NULL,
  metadata BLOB,
  expires_at INTEGER,
  vector BLOB,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ${indexName(collectionId, "expires")} ON ${table} (expires_at)
  WHERE expires_at IS NOT NULL;
`;
}

/** The columns of a collection table as the filter compiler reads them (alias `r`). */
export const recordColumns = {
  key: 'r."key"',
  value: 'r."value"',
  metadata: 'r."metadata"',
} as const;

/** The select list that reads a whole record (JSONB turned back into JSON text). */
export const recordSelectList =
  'r."key" AS key, json(r."value") AS value, json(r."metadata") AS metadata, r.expires_at AS expires_at, r.vector AS vector, r.created_at AS created_at, r.updated_at AS updated_at';

/** SQL: the row has not expired at the bound time (`?`). */
export const liveCondition = "(r.expires_at IS NULL OR r.expires_at > ?)";

/** The SQL of a collection's fixed statements, built once per collection and connection. */
export interface CollectionStatements {
  /** One live record by key: `(key, now)`. */
  readonly get: string;
  /** Insert or replace one record (see `upsertSql`). */
  readonly upsert: string;
  /** Insert unless a live record holds the key. */
  readonly insertIfAbsent: string;
  /** Delete expired rows: `(now)`. */
  readonly sweep: string;
}

/**
 * Insert or replace: `(key, value, metadata, expires_at, vector, created_at, now,
 * updated_at, now[, now])`. A replaced live record keeps its `created_at`; with `ifAbsent`,
 * only an expired record may be replaced (no change means a live one holds the key).
 */
function upsertSql(table: string, ifAbsent: boolean): string {
  const onlyExpired = ifAbsent
    ? ` WHERE ${table}.expires_at IS NOT NULL AND ${table}.expires_at <= ?`
    : "";
  return `INSERT INTO ${table} (key, value, metadata, expires_at, vector, created_at, updated_at)
VALUES (?, jsonb(?), jsonb(?), ?, ?, coalesce(?, ?), ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, metadata = excluded.metadata,
  expires_at = excluded.expires_at, vector = excluded.vector,
  created_at = CASE WHEN ${table}.expires_at IS NOT NULL AND ${table}.expires_at <= ? THEN excluded.created_at ELSE ${table}.created_at END,
  updated_at = excluded.updated_at${onlyExpired}`;
}

/** Builds `CollectionStatements` for a (quoted) table name. */
export function collectionStatements(table: string): CollectionStatements {
  return {
    get: `SELECT ${recordSelectList} FROM ${table} AS r WHERE r."key" = ? AND ${liveCondition}`,
    upsert: upsertSql(table, false),
    insertIfAbsent: upsertSql(table, true),
    sweep: `DELETE FROM ${table} WHERE expires_at IS NOT NULL AND expires_at <= ?`,
  };
}
