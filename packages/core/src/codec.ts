/**
 * The codec between AgentVault's value model (JSON plus `Date` and `Uint8Array`) and plain
 * JSON, for backends that store JSON or text.
 *
 * Tags follow MongoDB's Extended JSON: a `Date` becomes `{ "$date": "<ISO 8601>" }` and binary
 * becomes `{ "$binary": "<base64>" }`. Stored documents may not contain `$`-prefixed field names
 * (enforced by `validateValue`), so an object with a single `$date` or `$binary` field is
 * always a tag, never user data.
 *
 * Dates are written with `Date.prototype.toISOString()`, which keeps milliseconds exactly. For
 * years 0000 to 9999 the ISO form has a fixed width, so comparing the strings gives the same
 * order as comparing the times: SQL compilers rely on this to sort and range-compare dates stored
 * as JSON text. Years outside that range use the expanded form (`+010000-...`, `-000001-...`),
 * which round-trips exactly but does not sort lexicographically.
 */

import type { Value } from "@agentvault/query";
import { ValidationError } from "./errors.js";
import { setOwnField } from "./own-field.js";
import type { StoredRecord } from "./provider.js";

/** A plain JSON value, as `JSON.parse` returns it. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [field: string]: JsonValue };

// Captured once: V8 compiles `for…in` with `hasOwnProperty.call` to a fast own-field check,
// which it does not for `Object.hasOwn` (same answer, about twice the walk's cost).
const hasOwnField = Object.prototype.hasOwnProperty;

const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

function encodeBinary(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

function encodeDate(date: Date): string {
  const time = date.getTime();
  if (Number.isNaN(time)) {
    throw new ValidationError("Invalid Date cannot be stored", "", { source: "codec" });
  }
  return date.toISOString();
}

/**
 * Maps a value to plain JSON, tagging dates and binary. Subtrees that hold neither are returned
 * as they are (not copied), so encoding a plain JSON document costs one walk and no allocation.
 *
 * @example
 * encodeValue({ at: new Date(0) }) // { at: { $date: "1970-01-01T00:00:00.000Z" } }
 */
export function encodeValue(value: Value): JsonValue {
  if (value === null || typeof value !== "object") return value as JsonValue;
  if (value instanceof Date) return { $date: encodeDate(value) };
  if (value instanceof Uint8Array) return { $binary: encodeBinary(value) };
  if (Array.isArray(value)) {
    let copy: JsonValue[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const item = value[index] as Value;
      const encoded = encodeValue(item);
      if (copy === undefined && encoded !== item) copy = value.slice(0, index) as JsonValue[];
      if (copy !== undefined) copy.push(encoded);
    }
    return copy ?? (value as JsonValue[]);
  }
  const object = value as { readonly [field: string]: Value };
  let copy: { [field: string]: JsonValue } | undefined;
  for (const field in object) {
    if (!hasOwnField.call(object, field)) continue;
    const item = object[field] as Value;
    const encoded = encodeValue(item);
    if (copy === undefined && encoded !== item) copy = copyFieldsBefore(object, field);
    if (copy !== undefined) setOwnField(copy, field, encoded);
  }
  return copy ?? (object as { [field: string]: JsonValue });
}

/** Copies the own fields of `source` that come before `stop`, keeping their order. */
function copyFieldsBefore<T>(
  source: { readonly [field: string]: unknown },
  stop: string,
): { [field: string]: T } {
  const copy: { [field: string]: T } = {};
  for (const field in source) {
    if (field === stop) break;
    if (Object.hasOwn(source, field)) setOwnField(copy, field, source[field] as T);
  }
  return copy;
}

function decodeTag(object: { readonly [field: string]: unknown }): Value | undefined {
  let fields = 0;
  for (const field in object) {
    if (Object.hasOwn(object, field) && ++fields > 1) return undefined;
  }
  if (fields !== 1) return undefined;
  if (Object.hasOwn(object, "$date")) {
    const text = object.$date;
    const date = typeof text === "string" ? new Date(text) : undefined;
    if (date === undefined || Number.isNaN(date.getTime())) {
      throw new ValidationError("Malformed $date tag", "", { source: "codec" });
    }
    return date;
  }
  if (Object.hasOwn(object, "$binary")) {
    const text = object.$binary;
    if (typeof text !== "string" || text.length % 4 !== 0 || !base64Pattern.test(text)) {
      throw new ValidationError("Malformed $binary tag", "", { source: "codec" });
    }
    // Copy out of Buffer's shared pool into a plain Uint8Array of its own.
    return new Uint8Array(Buffer.from(text, "base64"));
  }
  return undefined;
}

/**
 * Reverses `encodeValue`: turns `$date` / `$binary` tags back into `Date` and `Uint8Array`.
 * The input is never modified; untagged subtrees are returned as they are. A Node `Buffer`
 * found in the input is normalised to a plain `Uint8Array`. Objects are built from own fields
 * only, and a `__proto__` field stays an ordinary field.
 *
 * @throws ValidationError when a tag is malformed.
 */
export function decodeValue(json: unknown): Value {
  if (json === null || typeof json !== "object") return json as Value;
  if (json instanceof Date) return json;
  if (json instanceof Uint8Array) {
    return Buffer.isBuffer(json) ? new Uint8Array(json) : json;
  }
  if (Array.isArray(json)) {
    let copy: Value[] | undefined;
    for (let index = 0; index < json.length; index++) {
      const item: unknown = json[index];
      const decoded = decodeValue(item);
      if (copy === undefined && decoded !== item) copy = json.slice(0, index) as Value[];
      if (copy !== undefined) copy.push(decoded);
    }
    return copy ?? (json as Value[]);
  }
  const object = json as { readonly [field: string]: unknown };
  const tagged = decodeTag(object);
  if (tagged !== undefined) return tagged;
  let copy: { [field: string]: Value } | undefined;
  for (const field in object) {
    if (!Object.hasOwn(object, field)) continue;
    const item = object[field];
    const decoded = decodeValue(item);
    if (copy === undefined && decoded !== item) copy = copyFieldsBefore(object, field);
    if (copy !== undefined) setOwnField(copy, field, decoded);
  }
  return copy ?? (object as { [field: string]: Value });
}

/**
 * Whether JSON text can contain a `$date` / `$binary` tag. Every tag's field name starts with
 * `"$`; text without that sequence needs no decoding walk, which halves the cost of reading
 * plain documents.
 */
function mayHoldTags(text: string): boolean {
  // A one-character search is many times faster than a two-character one, and most texts hold
  // no `$` at all; a `"$` can only start at or after the character before the first `$`.
  const dollar = text.indexOf("$");
  return dollar >= 0 && text.includes('"$', dollar > 0 ? dollar - 1 : 0);
}

/** Encodes a value as one JSON string (for text columns and blobs). */
export function stringifyValue(value: Value): string {
  return JSON.stringify(encodeValue(value));
}

/**
 * Parses a string written by `stringifyValue`.
 * @throws ValidationError when the text is not JSON or holds a malformed tag.
 */
export function parseValue(text: string): Value {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ValidationError("Stored value is not valid JSON", "", {
      source: "codec",
      cause: error,
    });
  }
  return mayHoldTags(text) ? decodeValue(json) : (json as Value);
}

/**
 * The JSON form of a record: `k` key, `v` value, and when present `m` metadata, `e` expiry,
 * `vec` vector, `ca` created and `ua` updated (epoch milliseconds). Export files use the same
 * field names.
 */
export interface RecordJson {
  k: string;
  v: JsonValue;
  m?: JsonValue;
  e?: number;
  vec?: number[];
  ca?: number;
  ua?: number;
}

/** Maps a record to its JSON form (see `RecordJson`). */
export function recordToJson(record: StoredRecord): RecordJson {
  const json: RecordJson = { k: record.key, v: encodeValue(record.value) };
  if (record.metadata !== undefined) json.m = encodeValue(record.metadata);
  if (record.expiresAt !== undefined) json.e = record.expiresAt;
  if (record.vector !== undefined) json.vec = record.vector as number[];
  if (record.createdAt !== undefined) json.ca = record.createdAt;
  if (record.updatedAt !== undefined) json.ua = record.updatedAt;
  return json;
}

function optionalNumber(json: { readonly [field: string]: unknown }, field: string) {
  const value = json[field];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new ValidationError(`Record field "${field}" must be a finite number`, field, {
      source: "codec",
    });
  }
  return value;
}

/**
 * Reverses `recordToJson`, checking the shape.
 * @param untagged Set when the JSON is known to hold no `$date` / `$binary` tags, to skip the
 *   decoding walk. @default false
 * @throws ValidationError when the JSON is not a record.
 */
export function recordFromJson(json: unknown, untagged = false): StoredRecord {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new ValidationError("Record must be a JSON object", "", { source: "codec" });
  }
  const object = json as { readonly [field: string]: unknown };
  if (typeof object.k !== "string") {
    throw new ValidationError("Record key must be a string", "k", { source: "codec" });
  }
  if (!Object.hasOwn(object, "v")) {
    throw new ValidationError("Record has no value", "v", { source: "codec" });
  }
  const decode = untagged ? (value: unknown) => value as Value : decodeValue;
  const metadata = object.m === undefined ? undefined : decode(object.m);
  if (
    metadata !== undefined &&
    (metadata === null || typeof metadata !== "object" || Array.isArray(metadata))
  ) {
    throw new ValidationError("Record metadata must be an object", "m", { source: "codec" });
  }
  const vector = object.vec;
  if (
    vector !== undefined &&
    (!Array.isArray(vector) ||
      !vector.every((item) => typeof item === "number" && Number.isFinite(item)))
  ) {
    throw new ValidationError("Record vector must be an array of numbers", "vec", {
      source: "codec",
    });
  }
  return {
    key: object.k,
    value: decode(object.v),
    metadata: metadata as StoredRecord["metadata"],
    expiresAt: optionalNumber(object, "e"),
    vector: vector as number[] | undefined,
    createdAt: optionalNumber(object, "ca"),
    updatedAt: optionalNumber(object, "ua"),
  };
}

/** Encodes a whole record as one JSON string, for providers that store text per key. */
export function encodeRecord(record: StoredRecord): string {
  return JSON.stringify(recordToJson(record));
}

/**
 * Parses a string written by `encodeRecord`.
 * @throws ValidationError when the text is not a well-formed record.
 */
export function decodeRecord(text: string): StoredRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ValidationError("Stored record is not valid JSON", "", {
      source: "codec",
      cause: error,
    });
  }
  return recordFromJson(json, !mayHoldTags(text));
}
