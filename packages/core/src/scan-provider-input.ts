/**
 * Checks on what callers hand to providers that keep one record per file or object (filesystem,
 * S3): the parts of a record such a provider relies on, write batches, the timestamps a stored
 * record gets, and database names (which these providers encode into a path segment, so any
 * printable name is safe).
 *
 * Values themselves are checked by the Vault; the codec rejects what it cannot encode.
 */

import { ValidationError } from "./errors.js";
import type { StoredRecord } from "./provider.js";
import { hasLoneSurrogate, validateKey, validateVector } from "./validation.js";

/** Options naming the provider in error messages. */
export interface ProviderInputOptions {
  /** The provider, as in `[agentvault] [filesystem] ...`. */
  readonly source: string;
}

/**
 * Checks the key (1-1,024 printable characters), metadata (an object), expiry (a number), value
 * (present) and vector (finite numbers), and returns the record with only its known fields.
 *
 * @throws ValidationError when the record is malformed.
 */
export function prepareRecordInput(
  record: StoredRecord,
  options: ProviderInputOptions,
): StoredRecord {
  const { source } = options;
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
  if (record.value === undefined) {
    throw new ValidationError("A record must have a value", "value", { source });
  }
  return {
    key: validateKey(record.key, { source }),
    value: record.value,
    metadata,
    expiresAt,
    vector: record.vector === undefined ? undefined : validateVector(record.vector, { source }),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/**
 * Prepares a `putMany` batch: every record is checked before any is written, and a key that
 * repeats keeps its last record (at the place where the key first appeared).
 *
 * @throws ValidationError when any record is malformed.
 */
export function prepareRecordBatch(
  records: readonly StoredRecord[],
  options: ProviderInputOptions,
): StoredRecord[] {
  const byKey = new Map<string, StoredRecord>();
  for (const record of records) {
    const prepared = prepareRecordInput(record, options);
    byKey.set(prepared.key, prepared);
  }
  return [...byKey.values()];
}

/**
 * The stored form of `record`: `createdAt` kept from the live record it replaces (else its own,
 * else `now`), and `updatedAt` its own or `now`.
 */
export function stampRecord(
  record: StoredRecord,
  replaced: StoredRecord | undefined,
  now: number,
): StoredRecord {
  return {
    ...record,
    createdAt: replaced?.createdAt ?? record.createdAt ?? now,
    updatedAt: record.updatedAt ?? now,
  };
}

/**
 * Checks a database name for a provider that encodes it into a path segment: any non-empty
 * string of at most 1,024 characters without NUL or lone surrogates (which encode to the same
 * bytes as U+FFFD, so two such names would share one folder).
 *
 * @throws ValidationError otherwise.
 */
export function validateDatabaseName(database: unknown, options: ProviderInputOptions): string {
  const { source } = options;
  if (typeof database !== "string" || database === "" || database.length > 1024) {
    throw new ValidationError("A database name must be 1-1024 characters", "database", { source });
  }
  if (database.includes("\u0000")) {
    throw new ValidationError("A database name cannot contain NUL", "database", { source });
  }
  if (hasLoneSurrogate(database)) {
    throw new ValidationError("A database name cannot contain lone UTF-16 surrogates", "database", {
      source,
    });
  }
  return database;
}
