/**
 * BSON type names and comparison brackets for AgentVault values.
 *
 * Our numbers are JavaScript doubles, so the int/long/double distinction MongoDB stores in the
 * document is derived from the value instead: an integer within int32 is `int`, a larger safe
 * integer is `long`, everything else (fractions, unsafe integers, NaN, infinities) is `double`.
 */

import type { BsonTypeName } from "./values.js";

const int32Min = -2147483648;
const int32Max = 2147483647;

/**
 * The BSON type name MongoDB would report for `value` under AgentVault's number rule.
 *
 * `undefined` (a missing field) reports `"undefined"`; a `RegExp` reports `"regex"` although
 * documents cannot hold one, so filter values can be classified too.
 *
 * @example
 * bsonTypeOf(42); // "int"
 * bsonTypeOf(2 ** 40); // "long"
 * bsonTypeOf(1.5); // "double"
 */
export function bsonTypeOf(value: unknown): BsonTypeName {
  switch (typeof value) {
    case "number":
      if (Number.isInteger(value)) {
        if (value >= int32Min && value <= int32Max) return "int";
        if (Number.isSafeInteger(value)) return "long";
      }
      return "double";
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "undefined":
      return "undefined";
    case "object":
      if (value === null) return "null";
      if (Array.isArray(value)) return "array";
      if (value instanceof Date) return "date";
      if (value instanceof Uint8Array) return "binData";
      if (value instanceof RegExp) return "regex";
      return "object";
    default:
      // functions, symbols and bigints are not values of our model; classify them as objects
      // so nothing downstream can crash on them.
      return typeof value === "bigint" ? "long" : "object";
  }
}

/**
 * MongoDB's canonical type ranks (`BSONElement::canonicalType`): values of different brackets
 * compare by rank alone, and range operators (`$gt`, ...) only match within one bracket.
 * Gaps are kept so the numbers line up with MongoDB's.
 */
export const TypeBracket = {
  minKey: -1,
  /** `null` and a missing field (`undefined`) share a bracket in queries. */
  null: 5,
  number: 10,
  string: 15,
  object: 20,
  array: 25,
  binData: 30,
  objectId: 35,
  bool: 40,
  date: 45,
  timestamp: 47,
  regex: 50,
  maxKey: 127,
} as const;

/**
 * The comparison bracket of `value` (see {@link TypeBracket}). Numbers of every kind share one
 * bracket; `null` and `undefined` (missing) share another.
 */
export function typeBracket(value: unknown): number {
  switch (typeof value) {
    case "number":
    case "bigint":
      return TypeBracket.number;
    case "string":
      return TypeBracket.string;
    case "boolean":
      return TypeBracket.bool;
    case "undefined":
      return TypeBracket.null;
    case "object":
      if (value === null) return TypeBracket.null;
      if (Array.isArray(value)) return TypeBracket.array;
      if (value instanceof Date) return TypeBracket.date;
      if (value instanceof Uint8Array) return TypeBracket.binData;
      if (value instanceof RegExp) return TypeBracket.regex;
      return TypeBracket.object;
    default:
      return TypeBracket.object;
  }
}
