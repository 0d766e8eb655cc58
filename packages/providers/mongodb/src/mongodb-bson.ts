/**
 * The mapping between AgentVault's value model (JSON plus `Date` and `Uint8Array`) and the BSON
 * values the driver writes, chosen so that MongoDB's own `$type` agrees with `bsonTypeOf`:
 *
 * | AgentVault value | BSON |
 * |---|---|
 * | integer within int32 | int32 |
 * | other safe integer | int64 (`Long`) |
 * | any other number, `-0` as `0` | double |
 * | `Date` | date |
 * | `Uint8Array` | binary, subtype 0 (`Binary`) |
 * | string, boolean, null, array, plain object | the same |
 *
 * Reading maps back: int32, int64 and double become numbers, any binary subtype a fresh
 * `Uint8Array`. BSON types the model cannot hold (ObjectId, Decimal128, Timestamp, regex, ...)
 * can only be there if something else wrote the document; they fail with `IntegrityError`
 * instead of being guessed at.
 */

import { IntegrityError, ValidationError } from "@agentvault/core";
import type { Value } from "@agentvault/query";
import { Binary, Long } from "mongodb";
import { source } from "./mongodb-errors.js";

/** A value as the driver receives it. */
export type BsonValue =
  | null
  | boolean
  | number
  | string
  | Date
  | Binary
  | Long
  | readonly BsonValue[]
  | { readonly [field: string]: BsonValue };

/** A BSON document as the driver receives it. */
export type BsonDocument = { [field: string]: BsonValue };

const int32Min = -2147483648;
const int32Max = 2147483647;

/** Lone surrogates: UTF-8 cannot encode them, so the driver would silently replace them. */
const loneSurrogate = /[\uD800-\uDFFF]/u;

/** Defines an own field, so a `__proto__` field stays a field. */
export function setOwn<T>(target: { [field: string]: T }, field: string, value: T): void {
  if (field === "__proto__") {
    Object.defineProperty(target, field, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[field] = value;
  }
}

/** The BSON number for a JavaScript number (see the module table). */
export function toBsonNumber(value: number): number | Long {
  if (value === 0) return 0;
  if (Number.isSafeInteger(value) && (value < int32Min || value > int32Max)) {
    return Long.fromNumber(value);
  }
  return value;
}

function invalid(message: string, path: string): never {
  throw new ValidationError(message, path, { source });
}

function checkString(text: string, path: string): string {
  if (loneSurrogate.test(text)) invalid("Strings cannot hold lone surrogates", path);
  return text;
}

function childPath(path: string, field: string | number): string {
  return path === "" ? String(field) : `${path}.${field}`;
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Converts a value of the model into the BSON value to store or compare with. Nothing is
 * shared with the input: binary data is copied. Non-finite numbers pass (filters compare with
 * NaN); the core rejects them in stored documents before they get here.
 *
 * @param path where the value sits, for error messages. @default ""
 * @throws ValidationError for anything outside the model (functions, class instances,
 *   `undefined`, invalid dates, lone surrogates in strings or field names).
 */
export function toBson(value: Value, path = ""): BsonValue {
  switch (typeof value) {
    case "number":
      return toBsonNumber(value);
    case "string":
      return checkString(value, path);
    case "boolean":
      return value;
    case "object":
      break;
    default:
      return invalid(`Cannot store a value of type ${typeof value}`, path);
  }
  if (value === null) return null;
  if (value instanceof Date) {
    const time = value.getTime();
    if (Number.isNaN(time)) invalid("Invalid Date cannot be stored", path);
    return new Date(time);
  }
  if (value instanceof Uint8Array) return new Binary(Uint8Array.from(value), 0);
  if (Array.isArray(value)) {
    const array = value as readonly Value[];
    const copy: BsonValue[] = new Array(array.length);
    for (let index = 0; index < array.length; index++) {
      copy[index] = toBson(array[index] as Value, childPath(path, index));
    }
    return copy;
  }
  if (!isPlainObject(value)) invalid("Only plain objects can be stored", path);
  const object = value as { readonly [field: string]: Value };
  const copy: BsonDocument = {};
  for (const field of Object.keys(object)) {
    const fieldPath = childPath(path, checkString(field, path));
    if (field === "_bsontype" && object[field] !== null) {
      // The driver reads such an object as a BSON class instance and refuses to encode it.
      invalid("A field named _bsontype cannot be stored in MongoDB", fieldPath);
    }
    setOwn(copy, field, toBson(object[field] as Value, fieldPath));
  }
  return copy;
}

/** The marker every BSON class instance carries; plain objects with a `_bsontype` field lack it. */
const bsonVersion = Symbol.for("@@mdb.bson.version");

function bsonTypeName(value: object): string | undefined {
  if (!(bsonVersion in value)) return undefined;
  const name = (value as { _bsontype?: unknown })._bsontype;
  return typeof name === "string" ? name : undefined;
}

function unsupported(kind: string, path: string): never {
  throw new IntegrityError(
    `A stored document holds a ${kind} value, which AgentVault cannot represent${path ? ` (at ${path})` : ""}`,
    { source },
  );
}

/**
 * Converts a BSON value read by the driver back into the model. Subtrees holding only plain
 * values are returned as they are (the driver built them for this read alone); binary data is
 * copied out of the driver's buffer.
 *
 * @throws IntegrityError for BSON types the model cannot hold.
 */
export function fromBson(value: unknown, path = ""): Value {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case "number":
    case "string":
    case "boolean":
      return value;
    case "bigint":
      return Number(value);
    case "object":
      break;
    default:
      return unsupported(typeof value, path);
  }
  if (value instanceof Date) return value;
  if (value instanceof Uint8Array) return Uint8Array.from(value);
  if (Array.isArray(value)) return fromBsonArray(value, path);
  const bsonType = bsonTypeName(value);
  if (bsonType !== undefined) return fromBsonScalar(value, bsonType, path);
  if (value instanceof RegExp) return unsupported("regular expression", path);
  return fromBsonObject(value as { readonly [field: string]: unknown }, path);
}

function fromBsonScalar(value: object, bsonType: string, path: string): Value {
  switch (bsonType) {
    case "Binary":
      return Uint8Array.from((value as Binary).value());
    case "Long":
      return (value as Long).toNumber();
    case "Int32":
    case "Double":
      return (value as { valueOf(): number }).valueOf();
    default:
      return unsupported(bsonType, path);
  }
}

function fromBsonArray(array: readonly unknown[], path: string): Value {
  let copy: Value[] | undefined;
  for (let index = 0; index < array.length; index++) {
    const item = array[index];
    const converted = fromBson(item, childPath(path, index));
    if (copy === undefined && converted !== item) copy = array.slice(0, index) as Value[];
    if (copy !== undefined) copy.push(converted);
  }
  return copy ?? (array as Value[]);
}

function fromBsonObject(object: { readonly [field: string]: unknown }, path: string): Value {
  let copy: { [field: string]: Value } | undefined;
  const fields = Object.keys(object);
  for (let index = 0; index < fields.length; index++) {
    const field = fields[index]!;
    const item = object[field];
    const converted = fromBson(item, childPath(path, field));
    if (copy === undefined && converted !== item) {
      copy = {};
      for (const earlier of fields.slice(0, index)) setOwn(copy, earlier, object[earlier] as Value);
    }
    if (copy !== undefined) setOwn(copy, field, converted);
  }
  return copy ?? (object as { [field: string]: Value });
}
