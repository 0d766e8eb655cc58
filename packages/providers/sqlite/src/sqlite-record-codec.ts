/**
 * Records to rows and back. Values and metadata go through the core codec (dates and binary
 * become `$date` / `$binary` tags) into JSON text, which SQLite stores as JSONB; vectors are
 * stored as little-endian float64s, which keeps every number exactly.
 */

import { parseValue, type StoredRecord, stringifyValue, ValidationError } from "@agentvault/core";
import type { Value } from "@agentvault/query";
import type { ArrayPathScanner } from "./sqlite-array-shapes.js";

/** A row as read with `recordSelectList`. */
export interface RecordRow {
  readonly key: string;
  readonly value: string;
  readonly metadata: string | null;
  readonly expires_at: number | null;
  readonly vector: Buffer | null;
  readonly created_at: number;
  readonly updated_at: number;
}

/** The column values `put` binds for one record. */
export interface EncodedRecord {
  readonly key: string;
  readonly value: string;
  readonly metadata: string | null;
  readonly expiresAt: number | null;
  readonly vector: Buffer | null;
  readonly createdAt: number | null;
  readonly updatedAt: number;
}

const source = "sqlite";

/** Encodes a vector as little-endian float64s. */
export function encodeVector(vector: readonly number[]): Buffer {
  const buffer = Buffer.allocUnsafe(vector.length * 8);
  for (let index = 0; index < vector.length; index++) {
    buffer.writeDoubleLE(vector[index]!, index * 8);
  }
  return buffer;
}

/** Decodes `encodeVector`'s output. */
export function decodeVector(buffer: Buffer): number[] {
  const vector = new Array<number>(buffer.length >> 3);
  for (let index = 0; index < vector.length; index++)
    vector[index] = buffer.readDoubleLE(index * 8);
  return vector;
}

/**
 * Checks a record's shape (an object, with object metadata and a numeric expiry).
 * @throws ValidationError otherwise.
 */
export function checkRecord(record: StoredRecord): void {
  if (record === null || typeof record !== "object") {
    throw new ValidationError("A record must be an object", "record", { source });
  }
  const metadata = record.metadata;
  if (
    metadata !== undefined &&
    (metadata === null || typeof metadata !== "object" || Array.isArray(metadata))
  ) {
    throw new ValidationError("Metadata must be an object", "metadata", { source });
  }
  const expiresAt = record.expiresAt;
  if (expiresAt !== undefined && (typeof expiresAt !== "number" || Number.isNaN(expiresAt))) {
    throw new ValidationError("expiresAt must be a number", "expiresAt", { source });
  }
}

/**
 * Encodes a record for writing. `createdAt` is null when the record does not carry one (the
 * provider then keeps the existing row's, or uses now).
 */
export function encodeRecord(record: StoredRecord, now: number): EncodedRecord {
  checkRecord(record);
  return {
    key: record.key,
    value: stringifyValue(record.value),
    metadata: record.metadata === undefined ? null : stringifyValue(record.metadata),
    expiresAt: record.expiresAt ?? null,
    vector: record.vector === undefined ? null : encodeVector(record.vector),
    createdAt: record.createdAt ?? null,
    updatedAt: record.updatedAt ?? now,
  };
}

/**
 * Encodes a record's value or metadata (`root`) as `stringifyValue` does, reporting its array
 * paths to `scanner` on the way: one walk finds both the array paths and whether any value needs
 * a tag; a value without tags is stringified as it is, uncopied.
 */
export function encodeValueText(scanner: ArrayPathScanner, root: string, value: Value): string {
  return scanner.scan(root, value) ? stringifyValue(value) : JSON.stringify(value);
}

/** Decodes a row read with `recordSelectList`. */
export function decodeRow(row: RecordRow): StoredRecord {
  const record: { -readonly [K in keyof StoredRecord]: StoredRecord[K] } = {
    key: row.key,
    value: parseValue(row.value),
  };
  if (row.metadata !== null) {
    record.metadata = parseValue(row.metadata) as { readonly [field: string]: Value };
  }
  if (row.expires_at !== null) record.expiresAt = row.expires_at;
  if (row.vector !== null) record.vector = decodeVector(row.vector);
  record.createdAt = row.created_at;
  record.updatedAt = row.updated_at;
  return record;
}
