/**
 * Single-value tests, MongoDB's `matchesSingleElement`: each builder specialises once on the
 * operand's type so that matching a document does no type dispatch it can avoid. A tested value
 * of `undefined` means "missing here".
 * @internal
 */

import type { RangeOperator, RegexValue } from "./ast.js";
import { bsonTypeOf, typeBracket } from "./bson-type.js";
import { compareStrings, compareValues, valuesEqual } from "./compare.js";
import type { ValueTest } from "./path-values.js";
import { compileRegex } from "./regex.js";
import type { BsonTypeName, Value } from "./values.js";

const never: ValueTest = () => false;
const isNullOrMissing: ValueTest = (value) => value === null || value === undefined;
const isNaNValue: ValueTest = (value) => typeof value === "number" && Number.isNaN(value);

/** Equality: `null` also matches missing; NaN equals NaN; objects compare in field order. */
export function equalityTest(operand: Value): ValueTest {
  if (operand === null) return isNullOrMissing;
  if (typeof operand === "number" && Number.isNaN(operand)) return isNaNValue;
  if (typeof operand !== "object") return (value) => value === operand;
  if (operand instanceof Date) {
    const time = operand.getTime();
    return (value) => value instanceof Date && value.getTime() === time;
  }
  return (value) => value !== undefined && valuesEqual(value, operand);
}

function orderTest(operator: RangeOperator, sign: (value: unknown) => number): ValueTest {
  switch (operator) {
    case "gt":
      return (value) => sign(value) > 0;
    case "gte":
      return (value) => sign(value) >= 0;
    case "lt":
      return (value) => sign(value) < 0;
    default:
      return (value) => sign(value) <= 0;
  }
}

/**
 * `$gt`/`$gte`/`$lt`/`$lte`: true only for values in the operand's type bracket. NaN is equal
 * to NaN and unordered against other numbers; missing counts as `null`.
 */
export function rangeTest(operator: RangeOperator, operand: Value): ValueTest {
  const inclusive = operator === "gte" || operator === "lte";
  if (operand === null) return inclusive ? isNullOrMissing : never;
  if (typeof operand === "number") {
    if (Number.isNaN(operand)) return inclusive ? isNaNValue : never;
    // NaN values fail every JavaScript comparison, which is MongoDB's rule for them too.
    switch (operator) {
      case "gt":
        return (value) => typeof value === "number" && value > operand;
      case "gte":
        return (value) => typeof value === "number" && value >= operand;
      case "lt":
        return (value) => typeof value === "number" && value < operand;
      default:
        return (value) => typeof value === "number" && value <= operand;
    }
  }
  if (typeof operand === "string") {
    return orderTest(operator, (value) =>
      typeof value === "string" ? compareStrings(value, operand) : Number.NaN,
    );
  }
  if (operand instanceof Date) {
    const time = operand.getTime();
    return orderTest(operator, (value) =>
      value instanceof Date ? value.getTime() - time : Number.NaN,
    );
  }
  const bracket = typeBracket(operand);
  return orderTest(operator, (value) =>
    value !== undefined && typeBracket(value) === bracket
      ? compareValues(value, operand)
      : Number.NaN,
  );
}

/** A regex test: only strings can match. */
export function regexTest(regex: RegexValue): ValueTest {
  const compiled = compileRegex(regex);
  return (value) => typeof value === "string" && compiled.test(value);
}

/** `$in`: equality with any listed value (hashed where possible) or a match of any regex. */
export function membershipTest(
  values: readonly Value[],
  regexes: readonly RegexValue[],
): ValueTest {
  const primitives = new Set<unknown>();
  const dates = new Set<number>();
  const structured: Value[] = [];
  let hasNull = false;
  let hasNaN = false;
  for (const value of values) {
    if (value === null) hasNull = true;
    else if (typeof value === "number" && Number.isNaN(value)) hasNaN = true;
    else if (typeof value !== "object") primitives.add(value);
    else if (value instanceof Date) dates.add(value.getTime());
    else structured.push(value);
  }
  const patterns = regexes.map((regex) => compileRegex(regex));
  return (value) => {
    if (value === null || value === undefined) return hasNull;
    if (typeof value !== "object") {
      if (primitives.has(value)) return true;
      if (hasNaN && typeof value === "number" && Number.isNaN(value)) return true;
      if (typeof value === "string") {
        for (const pattern of patterns) if (pattern.test(value)) return true;
      }
      return false;
    }
    if (value instanceof Date) return dates.has(value.getTime());
    for (const candidate of structured) if (valuesEqual(value, candidate)) return true;
    return false;
  };
}

/** `$type`: the value's BSON type (under our number rule) is listed; `number` covers all numbers. */
export function typeTest(types: readonly BsonTypeName[]): ValueTest {
  const names = new Set<string>(types);
  const anyNumber = names.has("number");
  return (value) =>
    value !== undefined &&
    ((anyNumber && typeof value === "number") || names.has(bsonTypeOf(value)));
}

const int64Limit = 2 ** 63;

/**
 * `$mod`: the number truncated toward zero (it must fit 64 bits; NaN and infinities never match)
 * has the given remainder, with the dividend's sign as in C. Doubles hold these integers exactly
 * and `%` on them is exact, so this equals MongoDB's 64-bit arithmetic.
 */
export function modTest(divisor: number, remainder: number): ValueTest {
  return (value) => {
    if (typeof value !== "number" || !Number.isFinite(value)) return false;
    const dividend = Math.trunc(value);
    if (dividend < -int64Limit || dividend >= int64Limit) return false;
    return dividend % divisor === remainder;
  };
}

/** `$size`: an array of exactly `size` elements. */
export function sizeTest(size: number): ValueTest {
  return (value) => Array.isArray(value) && value.length === size;
}
