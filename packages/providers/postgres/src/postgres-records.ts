/**
 * Records as table rows: the column list every read selects, the mapping of a row back to a
 * `StoredRecord`, and the checked, encoded form of a record about to be written.
 */

import {
  parseValue,
  type StoredRecord,
  ValidationError,
  validateKey,
  validateVector,
} from "@agentvault/core";
import { collectArrayPaths } from "./postgres-array-shapes.js";
import { source } from "./postgres-errors.js";
import { type JsonbText, toJsonbText } from "./postgres-json.js";

/**
 * What every read selects. The exact text wins over the `jsonb` when present (see
 * `postgres-json.ts`); both come back as text and are parsed once here.
 */
export const recordColumns =
  "key, coalesce(value_text, value::text) AS value, coalesce(metadata_text, metadata::text) AS metadata, expires_at, vector, created_at, updated_at";

/**
 * What reads that need only keys and values select (`FindQuery.keysAndValuesOnly`), in
 * array mode: the first two columns of `recordColumns`.
 */
export const keyValueColumns = "key, coalesce(value_text, value::text) AS value";

/** A row as `pg` returns it for `recordColumns`. */
export interface RecordRow {
  readonly key: string;
  readonly value: string;
  readonly metadata: string | null;
  readonly expires_at: number | null;
  readonly vector: number[] | null;
  readonly created_at: number | null;
  readonly updated_at: number | null;
}

/** Maps a row back to a record. */
export function rowToRecord(row: RecordRow): StoredRecord {
  const record: { -readonly [K in keyof StoredRecord]: StoredRecord[K] } = {
    key: row.key,
    // Skips the decoding walk when the text holds no `$date` / `$binary` tag.
    value: parseValue(row.value),
  };
  if (row.metadata !== null) {
    record.metadata = parseValue(row.metadata) as StoredRecord["metadata"];
  }
  if (row.expires_at !== null) record.expiresAt = row.expires_at;
  if (row.vector !== null) record.vector = row.vector;
  if (row.created_at !== null) record.createdAt = row.created_at;
  if (row.updated_at !== null) record.updatedAt = row.updated_at;
  return record;
}

/**
 * A row of `recordColumns` in array mode (`rowMode: "array"`), columns in select order; reads
 * of many rows use it, sparing `pg` an object per row. Extra selected columns follow.
 */
export type RecordTuple = readonly [
  key: string,
  value: string,
  metadata: string | null,
  expiresAt: number | null,
  vector: number[] | null,
  createdAt: number | null,
  updatedAt: number | null,
  ...extra: unknown[],
];

/** Maps an array-mode row back to a record (as `rowToRecord` does an object row). */
export function tupleToRecord(row: RecordTuple): StoredRecord {
  const record: { -readonly [K in keyof StoredRecord]: StoredRecord[K] } = {
    key: row[0],
    value: parseValue(row[1]),
  };
  if (row[2] !== null) record.metadata = parseValue(row[2]) as StoredRecord["metadata"];
  if (row[3] !== null) record.expiresAt = row[3];
  if (row[4] !== null) record.vector = row[4];
  if (row[5] !== null) record.createdAt = row[5];
  if (row[6] !== null) record.updatedAt = row[6];
  return record;
}

/** Maps an array-mode row of `keyValueColumns` to a record holding only its key and value. */
export function keyValueTupleToRecord(row: readonly [string, string, ...unknown[]]): StoredRecord {
  return { key: row[0], value: parseValue(row[1]) };
}

/** A record checked and encoded for the write statements. */
export interface RowValues {
  readonly key: string;
  /** The `jsonb` text of the value. */
  readonly value: string;
  /**
   * The exact JSON text of the value when `jsonb` would not give it back, else null; `""` when
   * that text is `value` itself (no NUL to escape, only keys to keep in order), so it is not sent
   * twice. JSON text is never empty, so `""` cannot be mistaken for a value.
   */
  readonly valueText: string | null;
  readonly metadata: string | null;
  readonly metadataText: string | null;
  readonly expiresAt: number | null;
  /** PostgreSQL array literal (`{1,2.5}`), or null. */
  readonly vector: string | null;
  /** The vector's dimension, or undefined. */
  readonly vectorLength: number | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** The record-view paths at which the value or metadata holds an array (array shapes). */
  readonly arrayPaths: ReadonlySet<string>;
}

/** The `*_text` column value: null, `""` (same as the jsonb text) or the exact text. */
function exactText(json: JsonbText | undefined): string | null {
  if (json === undefined || json.exact === null) return null;
  return json.exact === json.jsonb ? "" : json.exact;
}

function checkTime(value: unknown, field: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new ValidationError(`${field} must be a number`, field, { source });
  }
  // Times are `double precision` columns: every JavaScript number round-trips exactly.
  return value;
}

/**
 * Checks and encodes a record for writing, as the memory provider checks it.
 * @param now the write time, used for missing timestamps
 * @throws ValidationError when the key, metadata, expiry, vector or value is not acceptable.
 */
export function toRowValues(record: StoredRecord, now: number): RowValues {
  if (record === null || typeof record !== "object") {
    throw new ValidationError("A record must be an object", "record", { source });
  }
  const key = validateKey(record.key, { source });
  const metadata = record.metadata;
  if (
    metadata !== undefined &&
    (metadata === null || typeof metadata !== "object" || Array.isArray(metadata))
  ) {
    throw new ValidationError("Metadata must be an object", "metadata", { source });
  }
  const value = toJsonbText(record.value, "value");
  const metadataJson = metadata === undefined ? undefined : toJsonbText(metadata, "metadata");
  const vector =
    record.vector === undefined ? null : validateVector(record.vector, { source }).map(String);
  const arrayPaths = new Set<string>();
  collectArrayPaths("value", record.value, arrayPaths);
  collectArrayPaths("metadata", metadata, arrayPaths);
  return {
    key,
    value: value.jsonb,
    valueText: exactText(value),
    metadata: metadataJson?.jsonb ?? null,
    metadataText: exactText(metadataJson),
    expiresAt: checkTime(record.expiresAt, "expiresAt"),
    vector: vector === null ? null : `{${vector.join(",")}}`,
    vectorLength: vector?.length,
    createdAt: checkTime(record.createdAt, "createdAt") ?? now,
    updatedAt: checkTime(record.updatedAt, "updatedAt") ?? now,
    arrayPaths,
  };
}

/** The SQL condition of a live (not expired) row, with `now` as the given placeholder. */
export function liveCondition(now: string): string {
  return `(expires_at IS NULL OR expires_at > ${now})`;
}
