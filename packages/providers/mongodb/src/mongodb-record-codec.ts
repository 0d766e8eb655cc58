/**
 * The record envelope as it is stored: one MongoDB document per record,
 * `{ _id: key, value, metadata, expiresAt, vector, createdAt, updatedAt }`, with dates as BSON
 * dates and binary as BSON binary. `value` and `metadata` sit exactly where the record view puts
 * them, so filters, sorts and projections over the view run natively without rewriting paths.
 *
 * - `metadata` is always a document (`{}` when the record has none), because the record view
 *   reads missing metadata as `{}`; an empty document reads back as "no metadata".
 * - `expiresAt` and `vector` are `null` when absent, so the TTL index and the expiry guard see
 *   one shape.
 */

import {
  IntegrityError,
  type StoredRecord,
  ValidationError,
  validateKey,
  validateVector,
} from "@agentvault/core";
import type { Value } from "@agentvault/query";
import { type BsonDocument, type BsonValue, fromBson, toBson } from "./mongodb-bson.js";
import { source } from "./mongodb-errors.js";

/** A record as stored in MongoDB. */
export interface MongoRecordDocument {
  readonly _id: string;
  readonly value: BsonValue;
  readonly metadata: BsonDocument;
  readonly expiresAt: Date | null;
  readonly vector: readonly number[] | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

function toDate(time: number, field: string): Date {
  const date = typeof time === "number" ? new Date(time) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new ValidationError(`${field} must be a valid time in epoch milliseconds`, field, {
      source,
    });
  }
  return date;
}

/**
 * The document to store for `record`, checked: a valid key, metadata that is an object, a finite
 * expiry, a vector of finite numbers. `createdAt` defaults to `now`, `updatedAt` to `now`.
 * @throws ValidationError when the record is malformed.
 */
export function toMongoDocument(record: StoredRecord, now: number): MongoRecordDocument {
  if (record === null || typeof record !== "object") {
    throw new ValidationError("A record must be an object", "record", { source });
  }
  const metadata = record.metadata ?? {};
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
    throw new ValidationError("Metadata must be an object", "metadata", { source });
  }
  if (!Object.hasOwn(record, "value") || record.value === undefined) {
    throw new ValidationError("A record needs a value", "value", { source });
  }
  return {
    _id: validateKey(record.key, { source }),
    value: toBson(record.value, "value"),
    metadata: toBson(metadata, "metadata") as BsonDocument,
    expiresAt: record.expiresAt === undefined ? null : toDate(record.expiresAt, "expiresAt"),
    vector: record.vector === undefined ? null : [...validateVector(record.vector, { source })],
    createdAt: toDate(record.createdAt ?? now, "createdAt"),
    updatedAt: toDate(record.updatedAt ?? now, "updatedAt"),
  };
}

function optionalTime(value: unknown, field: string): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.getTime();
  throw new IntegrityError(`A stored record's ${field} is not a date`, { source });
}

function readVector(value: unknown): number[] | undefined {
  if (value === null || value === undefined) return undefined;
  const vector = fromBson(value, "vector");
  if (!Array.isArray(vector) || !vector.every((item) => typeof item === "number")) {
    throw new IntegrityError("A stored record's vector is not an array of numbers", { source });
  }
  return vector as number[];
}

function readMetadata(value: unknown): { readonly [field: string]: Value } | undefined {
  if (value === null || value === undefined) return undefined;
  const metadata = fromBson(value, "metadata");
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    throw new IntegrityError("A stored record's metadata is not a document", { source });
  }
  if (metadata instanceof Date || metadata instanceof Uint8Array) {
    throw new IntegrityError("A stored record's metadata is not a document", { source });
  }
  return Object.keys(metadata).length === 0 ? undefined : (metadata as { [field: string]: Value });
}

/**
 * Reads a stored document back into a record. A document read with a projection may lack
 * `value`: it then reads as `null`, which projects exactly like the missing parts did.
 * @throws IntegrityError when the document is not a record envelope.
 */
export function fromMongoDocument(document: { readonly [field: string]: unknown }): StoredRecord {
  const key = document._id;
  if (typeof key !== "string") {
    throw new IntegrityError("A stored document's _id is not a record key", { source });
  }
  const record: { -readonly [K in keyof StoredRecord]: StoredRecord[K] } = {
    key,
    value: fromBson(document.value, "value"),
  };
  const metadata = readMetadata(document.metadata);
  if (metadata !== undefined) record.metadata = metadata;
  const expiresAt = optionalTime(document.expiresAt, "expiresAt");
  if (expiresAt !== undefined) record.expiresAt = expiresAt;
  const vector = readVector(document.vector);
  if (vector !== undefined) record.vector = vector;
  const createdAt = optionalTime(document.createdAt, "createdAt");
  if (createdAt !== undefined) record.createdAt = createdAt;
  const updatedAt = optionalTime(document.updatedAt, "updatedAt");
  if (updatedAt !== undefined) record.updatedAt = updatedAt;
  return record;
}
