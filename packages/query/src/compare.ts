/**
 * MongoDB's total ordering and equality over AgentVault values.
 *
 * Order of brackets (lowest first): MinKey, null/missing, numbers, strings, objects, arrays,
 * binData, objectId, bool, date, timestamp, regex, MaxKey (see `TypeBracket`). Within a bracket:
 * numbers numerically (NaN lowest, as MongoDB), strings by Unicode code point (the UTF-8 byte
 * order MongoDB's default "simple" collation uses), objects pair by pair comparing the value's
 * bracket, then the field name, then the value; arrays element by element; binary data by length
 * then bytes; dates by time; `false < true`.
 */

import { typeBracket } from "./bson-type.js";

/** Compares two numbers the way MongoDB does: NaN equals NaN and sorts below every number. */
function compareNumbers(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  const aNaN = Number.isNaN(a);
  const bNaN = Number.isNaN(b);
  if (aNaN && bNaN) return 0;
  return aNaN ? -1 : 1;
}

/**
 * Compares strings by code point. JavaScript's `<` compares UTF-16 code units, which disagrees
 * with code point (and UTF-8 byte) order only when a surrogate meets a unit in U+E000..U+FFFF.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    let x = a.charCodeAt(index);
    let y = b.charCodeAt(index);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Move surrogates above U+FFFF's code units so the comparison follows code points.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  for (let index = 0; index < a.length; index++) {
    const difference = a[index]! - b[index]!;
    if (difference !== 0) return difference < 0 ? -1 : 1;
  }
  return 0;
}

function compareArrays(a: readonly unknown[], b: readonly unknown[]): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const result = compareValues(a[index], b[index]);
    if (result !== 0) return result;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function compareObjects(a: object, b: object): number {
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  const length = Math.min(aKeys.length, bKeys.length);
  for (let index = 0; index < length; index++) {
    const aKey = aKeys[index]!;
    const bKey = bKeys[index]!;
    const aValue = (a as Record<string, unknown>)[aKey];
    const bValue = (b as Record<string, unknown>)[bKey];
    // BSONElement::woCompare: the value's type bracket first, then the field name, then the value.
    const bracket = typeBracket(aValue) - typeBracket(bValue);
    if (bracket !== 0) return bracket < 0 ? -1 : 1;
    const name = compareStrings(aKey, bKey);
    if (name !== 0) return name;
    const value = compareValues(aValue, bValue);
    if (value !== 0) return value;
  }
  return aKeys.length === bKeys.length ? 0 : aKeys.length < bKeys.length ? -1 : 1;
}

/**
 * Compares two values with MongoDB's cross-type ordering; returns a negative number, zero or a
 * positive number. `undefined` (a missing field) compares equal to `null`.
 *
 * @example
 * compareValues(null, 0); // < 0: null sorts before numbers
 * compareValues("z", {}); // < 0: strings sort before objects
 * compareValues(1, 1.0); // 0
 */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return compareNumbers(a, b);
  if (typeof a === "string" && typeof b === "string") return compareStrings(a, b);
  const aBracket = typeBracket(a);
  const bBracket = typeBracket(b);
  if (aBracket !== bBracket) return aBracket < bBracket ? -1 : 1;
  switch (typeof a) {
    case "boolean":
      return a === b ? 0 : a ? 1 : -1;
    case "undefined":
      return 0;
    case "object":
      if (a === null || b === null || b === undefined) return 0;
      if (Array.isArray(a)) return compareArrays(a, b as readonly unknown[]);
      if (a instanceof Date) return compareNumbers(a.getTime(), (b as Date).getTime());
      if (a instanceof Uint8Array) return compareBytes(a, b as Uint8Array);
      if (a instanceof RegExp) {
        const other = b as RegExp;
        return compareStrings(a.source, other.source) || compareStrings(a.flags, other.flags);
      }
      return compareObjects(a, b as object);
    default:
      // bigint or exotic values: fall back to a numeric comparison where it makes sense.
      return compareNumbers(Number(a), Number(b));
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

function objectsEqual(a: object, b: object): boolean {
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  for (let index = 0; index < aKeys.length; index++) {
    const key = aKeys[index]!;
    // Field order matters, as in MongoDB: {a:1,b:2} is not equal to {b:2,a:1}.
    if (key !== bKeys[index]) return false;
    if (!valuesEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) {
      return false;
    }
  }
  return true;
}

/**
 * MongoDB equality: deep, with field order significant for objects, dates by time, binary by
 * bytes, `0` equal to `-0` and NaN equal to NaN. Unlike {@link compareValues}, `undefined`
 * (missing) is not equal to `null`: the "null matches missing" rule belongs to the query
 * operators, not to values.
 */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    // Covers NaN (the only value not equal to itself); every other primitive failed `===`.
    return typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let index = 0; index < a.length; index++) {
      if (!valuesEqual(a[index], b[index])) return false;
    }
    return true;
  }
  if (Array.isArray(b)) return false;
  if (a instanceof Date) return b instanceof Date && compareNumbers(a.getTime(), b.getTime()) === 0;
  if (b instanceof Date) return false;
  if (a instanceof Uint8Array) return b instanceof Uint8Array && bytesEqual(a, b);
  if (b instanceof Uint8Array) return false;
  if (a instanceof RegExp || b instanceof RegExp) {
    return (
      a instanceof RegExp && b instanceof RegExp && a.source === b.source && a.flags === b.flags
    );
  }
  return objectsEqual(a, b);
}
