/**
 * Records to Qdrant points and back. The payload is the record view itself (`_id`, `value`,
 * `metadata`), so filter paths need no renaming, plus an `_av` object with what only the
 * provider reads:
 * - `expiresAt`, `createdAt`, `updatedAt` (epoch milliseconds);
 * - `revision`, a random token replaced by every write, which conditional writes compare;
 * - `document`: whether the value is a plain document (filters assume so; the others are always
 *   re-checked, see `qdrant-filter-compiler.ts`);
 * - `vector`: the vector as float64 JSON numbers. Qdrant keeps float32 copies for its index;
 *   this one makes vectors round-trip exactly and lets search re-score candidates exactly, so
 *   scores and ties match every other provider.
 * Dates and binary values become the core codec's `$date` / `$binary` tags.
 */

import { randomBytes } from "node:crypto";
import { decodeValue, encodeValue, type StoredRecord, ValidationError } from "@agentvault/core";
import type { Value } from "@agentvault/query";
import { pointIdForKey } from "./qdrant-point-id.js";

/** The name of the dense vector in every collection this provider creates. */
export const vectorName = "embedding";

const source = "qdrant";

/** The provider's own payload fields. */
export interface PayloadInternals {
  readonly expiresAt?: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly revision: string;
  readonly document: boolean;
  readonly vector?: number[];
}

/** A point as this provider writes it. */
export interface EncodedPoint {
  readonly id: string;
  readonly vector: { readonly [name: string]: number[] };
  readonly payload: {
    readonly _id: string;
    readonly value: unknown;
    readonly metadata?: unknown;
    readonly _av: PayloadInternals;
  };
}

/** A fresh revision token. */
export function newRevision(): string {
  return randomBytes(9).toString("base64url");
}

function isDocument(value: Value): boolean {
  return (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !(value instanceof Uint8Array)
  );
}

/**
 * Encodes a record as a point. `createdAt` falls back to `now` (the caller passes the stored
 * record's when it replaces one).
 */
export function encodePoint(
  record: StoredRecord,
  options: { readonly now: number; readonly createdAt?: number | undefined },
): EncodedPoint {
  if (record === null || typeof record !== "object" || typeof record.key !== "string") {
    throw new ValidationError("A record must be an object with a string key", "record", { source });
  }
  const internals: PayloadInternals = {
    ...(record.expiresAt === undefined ? {} : { expiresAt: record.expiresAt }),
    createdAt: record.createdAt ?? options.createdAt ?? options.now,
    updatedAt: record.updatedAt ?? options.now,
    revision: newRevision(),
    document: isDocument(record.value),
    ...(record.vector === undefined ? {} : { vector: [...record.vector] }),
  };
  return {
    id: pointIdForKey(record.key),
    vector: record.vector === undefined ? {} : { [vectorName]: [...record.vector] },
    payload: {
      _id: record.key,
      value: encodeValue(record.value),
      ...(record.metadata === undefined ? {} : { metadata: encodeValue(record.metadata) }),
      _av: internals,
    },
  };
}

function finiteNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/**
 * Decodes a point's payload, or returns undefined when it is not one this provider wrote (so a
 * foreign point in the collection is ignored rather than misread).
 */
export function decodePayload(payload: unknown): StoredRecord | undefined {
  if (payload === null || typeof payload !== "object") return undefined;
  const fields = payload as { readonly [field: string]: unknown };
  const internals = fields._av as { readonly [field: string]: unknown } | undefined;
  if (typeof fields._id !== "string" || !Object.hasOwn(fields, "value")) return undefined;
  if (internals === null || typeof internals !== "object") return undefined;
  const metadata = fields.metadata === undefined ? undefined : decodeValue(fields.metadata);
  if (
    metadata !== undefined &&
    (metadata === null || typeof metadata !== "object" || Array.isArray(metadata))
  ) {
    return undefined;
  }
  const vector = internals.vector;
  const validVector =
    Array.isArray(vector) &&
    vector.length > 0 &&
    vector.every((item) => finiteNumber(item) !== undefined);
  return {
    key: fields._id,
    value: decodeValue(fields.value),
    metadata: metadata as StoredRecord["metadata"],
    expiresAt: finiteNumber(internals.expiresAt),
    vector: validVector ? (vector as number[]) : undefined,
    createdAt: finiteNumber(internals.createdAt),
    updatedAt: finiteNumber(internals.updatedAt),
  };
}

/** The revision token a payload carries, if any. */
export function payloadRevision(payload: unknown): string | undefined {
  const internals = (payload as { _av?: { revision?: unknown } } | null | undefined)?._av;
  return typeof internals?.revision === "string" ? internals.revision : undefined;
}
