/**
 * The stored form of a record: one JSON string, the core's record JSON (`k`, `v`, `m`, `e`,
 * `vec`, `ca`, `ua`, with `$date` / `$binary` tags) written with `ca` first. The write script
 * reads only the first bytes of a replaced record (`GETRANGE 0 63`) to keep its creation time,
 * and swaps the head `{"ca":<n>` of the new text; field order is irrelevant to `decodeRecord`.
 */

import { createHash } from "node:crypto";
import {
  decodeRecord,
  encodeValue,
  IntegrityError,
  type StoredRecord,
  ValidationError,
  validateKey,
  validateVector,
} from "@agentvault/core";

const source = "redis";

/** A record ready for the write script. */
export interface EncodedRecord {
  readonly record: StoredRecord;
  readonly text: string;
  /** Length of the `{"ca":<createdAt>` head of `text`. */
  readonly headLength: number;
}

function checkTime(value: unknown, field: string): void {
  if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value))) {
    throw new ValidationError(`${field} must be a finite number`, field, { source });
  }
}

/**
 * Checks a record's shape and fills in `createdAt` / `updatedAt` (both `now` when absent). The
 * value itself was validated by the Vault or data manager that built the record.
 * @throws ValidationError when the record is malformed.
 */
export function prepareRecord(record: StoredRecord, now: number): StoredRecord {
  if (record === null || typeof record !== "object") {
    throw new ValidationError("A record must be an object", "record", { source });
  }
  validateKey(record.key, { source });
  const metadata = record.metadata;
  if (
    metadata !== undefined &&
    (metadata === null || typeof metadata !== "object" || Array.isArray(metadata))
  ) {
    throw new ValidationError("Metadata must be an object", "metadata", { source });
  }
  let expiresAt = record.expiresAt;
  if (expiresAt !== undefined && (typeof expiresAt !== "number" || Number.isNaN(expiresAt))) {
    throw new ValidationError("expiresAt must be a number", "expiresAt", { source });
  }
  // JSON has no infinities: an infinite expiry is none, a past-infinite one is long past.
  if (expiresAt === Number.POSITIVE_INFINITY) expiresAt = undefined;
  else if (expiresAt === Number.NEGATIVE_INFINITY) expiresAt = 0;
  checkTime(record.createdAt, "createdAt");
  checkTime(record.updatedAt, "updatedAt");
  if (record.vector !== undefined) validateVector(record.vector, { source });
  return {
    key: record.key,
    value: record.value,
    metadata,
    expiresAt,
    vector: record.vector,
    createdAt: record.createdAt ?? now,
    updatedAt: record.updatedAt ?? now,
  };
}

/** Encodes a prepared record (see `prepareRecord`). */
export function encodeStoredRecord(record: StoredRecord): EncodedRecord {
  const head = `{"ca":${JSON.stringify(record.createdAt ?? 0)}`;
  let text = `${head},"ua":${JSON.stringify(record.updatedAt ?? 0)},"k":${JSON.stringify(record.key)},"v":${JSON.stringify(encodeValue(record.value))}`;
  if (record.metadata !== undefined) text += `,"m":${JSON.stringify(encodeValue(record.metadata))}`;
  if (record.expiresAt !== undefined) text += `,"e":${JSON.stringify(record.expiresAt)}`;
  if (record.vector !== undefined) text += `,"vec":${JSON.stringify(record.vector)}`;
  return { record, text: `${text}}`, headLength: head.length };
}

/** Parses a stored record; the key must be the one it is stored under. */
export function decodeStoredRecord(text: string, key: string): StoredRecord {
  const record = decodeRecord(text);
  if (record.key !== key) {
    throw new IntegrityError("A stored record does not carry the key it is stored under", {
      source,
    });
  }
  return record;
}

/** The SHA-1 of stored text, as the write script's `redis.sha1hex` computes it. */
export function textDigest(text: string): string {
  return createHash("sha1").update(text, "utf8").digest("hex");
}
