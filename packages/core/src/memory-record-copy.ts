/**
 * The memory provider's copies: records are deep-copied when stored and when returned, so no
 * caller ever holds an object the provider keeps. Copying in also checks the record's shape.
 */

import { cloneValue } from "./clone-value.js";
import { ValidationError } from "./errors.js";
import type { StoredRecord } from "./provider.js";
import { validateKey, validateVector } from "./validation.js";

const source = "memory";

/** A deep copy of `record`, without undefined fields. */
export function copyRecordOut(record: StoredRecord): StoredRecord {
  const copy: {
    -readonly [K in keyof StoredRecord]: StoredRecord[K];
  } = { key: record.key, value: cloneValue(record.value) };
  if (record.metadata !== undefined) copy.metadata = cloneValue(record.metadata);
  if (record.expiresAt !== undefined) copy.expiresAt = record.expiresAt;
  if (record.vector !== undefined) copy.vector = [...record.vector];
  if (record.createdAt !== undefined) copy.createdAt = record.createdAt;
  if (record.updatedAt !== undefined) copy.updatedAt = record.updatedAt;
  return copy;
}

/**
 * The record to store for `record`: checked, deep-copied, with `createdAt` kept from the
 * `existing` record and `updatedAt` defaulting to `now`.
 * @throws ValidationError when the record is malformed.
 */
export function copyRecordIn(
  record: StoredRecord,
  now: number,
  existing: StoredRecord | undefined,
): StoredRecord {
  if (record === null || typeof record !== "object") {
    throw new ValidationError("A record must be an object", "record", { source });
  }
  const metadata = record.metadata === undefined ? undefined : cloneValue(record.metadata);
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
  return copyRecordOut({
    key: validateKey(record.key, { source }),
    value: record.value,
    metadata,
    expiresAt,
    vector: record.vector === undefined ? undefined : validateVector(record.vector, { source }),
    createdAt: existing?.createdAt ?? record.createdAt ?? now,
    updatedAt: record.updatedAt ?? now,
  });
}
