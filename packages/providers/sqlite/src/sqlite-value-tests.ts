/**
 * SQL for MongoDB's single-value tests (`matchesSingleElement`): whether one value a path
 * yields passes an operator. Each test is exact unless marked otherwise, and each says what it
 * answers for a missing value, so path traversal knows when "missing" must be guarded.
 * Type guards are written next to every comparison because SQL compares across types
 * (`json_extract` reads `true` as 1, and objects as their JSON text).
 */

import { encodeValue } from "@agentvault/core";
import type { RangeOperator, RegexValue, Value } from "@agentvault/query";
import {
  andSql,
  orSql,
  param,
  raw,
  type SqlFragment,
  sql,
  sqlFalse,
  sqlTrue,
} from "./sql-fragment.js";
import {
  isBinaryTag,
  isDateTag,
  isDocumentSlot,
  type ShapePath,
  type Slot,
  tagBounds,
  typeIs,
} from "./sqlite-slots.js";

/** A test of one yielded value. */
export interface SlotTest {
  /** SQL that is true when the slot's value passes (NULL counts as false). */
  readonly test: (slot: Slot, shape: ShapePath) => SqlFragment;
  /** What the test answers for a missing value. */
  readonly onMissing: boolean;
  /** False when `test` may also accept values that do not pass (a superset). */
  readonly exact: boolean;
}

const numberTypes = ["integer", "real"];

function constant(result: boolean): SlotTest {
  return { test: () => (result ? sqlTrue : sqlFalse), onMissing: result, exact: true };
}

/** The missing-or-null test of `{ $eq: null }`. */
const nullOrMissing: SlotTest = {
  test: (slot) => (slot.isKey ? sqlFalse : raw(`(${slot.type} IS NULL OR ${slot.type} = 'null')`)),
  onMissing: true,
  exact: true,
};

/** The JSON text a structured value (date, binary, object, array) is stored as. */
export function storedJsonText(value: Value): string {
  return JSON.stringify(encodeValue(value));
}

function jsonTypeOf(value: Value): "object" | "array" {
  return Array.isArray(value) ? "array" : "object";
}

/** `$eq`: `null` also matches missing; structured values compare as their stored JSON text. */
export function equalitySqlTest(operand: Value): SlotTest {
  if (operand === null) return nullOrMissing;
  switch (typeof operand) {
    case "number":
      if (Number.isNaN(operand)) return constant(false);
      return {
        test: (slot) =>
          andSql([
            sql`${numberValue(slot, operand)} = ${param(operand)}`,
            raw(typeIs(slot, ...numberTypes)),
          ]),
        onMissing: false,
        exact: true,
      };
    case "string":
      return {
        test: (slot) => andSql([sql`${slot.value} = ${param(operand)}`, raw(typeIs(slot, "text"))]),
        onMissing: false,
        exact: true,
      };
    case "boolean":
      return { test: (slot) => raw(typeIs(slot, String(operand))), onMissing: false, exact: true };
    default: {
      const text = storedJsonText(operand);
      const type = jsonTypeOf(operand);
      return {
        test: (slot) => andSql([sql`${slot.value} = ${param(text)}`, raw(typeIs(slot, type))]),
        onMissing: false,
        exact: true,
      };
    }
  }
}

/**
 * The slot's value for comparing with a number. SQLite reads a JSON integer beyond 2^53 as an
 * exact 64-bit integer, while JavaScript (which wrote it) rounds it to the nearest double; adding
 * 0.0 performs the same rounding. Only operands that large need it (smaller ones order the same
 * either way), so ordinary comparisons stay plain and index-friendly.
 */
function numberValue(slot: Slot, operand: number): string {
  return Math.abs(operand) < 2 ** 53 ? slot.value : `(${slot.value} + 0.0)`;
}

const comparators: Record<RangeOperator, string> = { gt: ">", gte: ">=", lt: "<", lte: "<=" };

function booleanRange(operator: RangeOperator, operand: boolean): SlotTest {
  // false < true: list which of the two pass.
  const passes = [false, true].filter((value) => {
    const order = Number(value) - Number(operand);
    return operator === "gt"
      ? order > 0
      : operator === "gte"
        ? order >= 0
        : operator === "lt"
          ? order < 0
          : order <= 0;
  });
  if (passes.length === 0) return constant(false);
  return {
    test: (slot) => raw(typeIs(slot, ...passes.map(String))),
    onMissing: false,
    exact: true,
  };
}

/**
 * Dates compare as the text of their tags, which orders like time for years 0000-9999. Dates
 * with a `+` year sort before ordinary ones as text, so they are added to (or removed from)
 * the range explicitly; `-` years already sort first. Operands outside 0000-9999 are compared
 * by `av_compare`.
 */
function dateRange(operator: RangeOperator, operand: Date): SlotTest {
  const text = storedJsonText(operand);
  if (!/^\d/.test(operand.toISOString())) return structuredRange(operator, operand, isDateTag);
  const comparator = comparators[operator];
  return {
    test: (slot) => {
      if (slot.isKey) return sqlFalse;
      const isObject = raw(`${slot.type} = 'object'`);
      const plusYear = `(${slot.value} >= ${tagBounds.plusDateLow} AND ${slot.value} < ${tagBounds.plusDateHigh})`;
      const compared = sql`${slot.value} ${comparator} ${param(text)}`;
      if (operator === "gt" || operator === "gte") {
        return andSql([
          isObject,
          orSql([andSql([compared, raw(`${slot.value} < ${tagBounds.dateHigh}`)]), raw(plusYear)]),
        ]);
      }
      return andSql([
        isObject,
        compared,
        raw(`${slot.value} >= ${tagBounds.dateLow}`),
        raw(`NOT ${plusYear}`),
      ]);
    },
    onMissing: false,
    exact: true,
  };
}

/** `$gt`/`$gte`/`$lt`/`$lte`: only values of the operand's type bracket can pass. */
export function rangeSqlTest(operator: RangeOperator, operand: Value): SlotTest {
  const inclusive = operator === "gte" || operator === "lte";
  const comparator = comparators[operator];
  if (operand === null) return inclusive ? nullOrMissing : constant(false);
  if (typeof operand === "number") {
    // Stored numbers are finite, so a NaN operand (equal only to NaN) matches nothing.
    if (Number.isNaN(operand)) return constant(false);
    return {
      test: (slot) =>
        andSql([
          sql`${numberValue(slot, operand)} ${comparator} ${param(operand)}`,
          raw(typeIs(slot, ...numberTypes)),
        ]),
      onMissing: false,
      exact: true,
    };
  }
  if (typeof operand === "string") {
    return {
      test: (slot) =>
        andSql([sql`${slot.value} ${comparator} ${param(operand)}`, raw(typeIs(slot, "text"))]),
      onMissing: false,
      exact: true,
    };
  }
  if (typeof operand === "boolean") return booleanRange(operator, operand);
  if (operand instanceof Date) return dateRange(operator, operand);
  // Binary, objects and arrays order by MongoDB's rules, which `av_compare` runs in JavaScript
  // (`compareValues`), within their own bracket only.
  const bracket =
    operand instanceof Uint8Array
      ? isBinaryTag
      : Array.isArray(operand)
        ? isArraySlot
        : isDocumentSlot;
  return structuredRange(operator, operand, bracket);
}

function isArraySlot(slot: Slot): string {
  return typeIs(slot, "array");
}

function structuredRange(
  operator: RangeOperator,
  operand: Value,
  bracket: (slot: Slot) => string,
): SlotTest {
  const text = storedJsonText(operand);
  return {
    test: (slot) =>
      andSql([
        raw(bracket(slot)),
        sql`av_compare(${slot.value}, ${param(text)}) ${comparators[operator]} 0`,
      ]),
    onMissing: false,
    exact: true,
  };
}

/** `$regex`: strings only, run by the `av_regex` function (the query package's linear-time engine). */
export function regexSqlTest(regex: RegexValue): SlotTest {
  return {
    test: (slot) =>
      andSql([
        raw(typeIs(slot, "text")),
        sql`av_regex(${param(regex.pattern)}, ${param(regex.options)}, ${slot.value})`,
      ]),
    onMissing: false,
    exact: true,
  };
}

/** `$in`: equality with any listed value, grouped by type so each group is one `IN` list. */
export function membershipSqlTest(
  values: readonly Value[],
  regexes: readonly RegexValue[],
): SlotTest {
  let hasNull = false;
  const numbers = new Set<number>();
  const strings = new Set<string>();
  const booleans = new Set<string>();
  const structured = new Map<string, Set<string>>();
  for (const value of values) {
    if (value === null) hasNull = true;
    else if (typeof value === "number") {
      if (!Number.isNaN(value)) numbers.add(value);
    } else if (typeof value === "string") strings.add(value);
    else if (typeof value === "boolean") booleans.add(String(value));
    else {
      const type = jsonTypeOf(value);
      const texts = structured.get(type) ?? new Set<string>();
      texts.add(storedJsonText(value));
      structured.set(type, texts);
    }
  }
  const list = (items: Iterable<string | number>) =>
    [...items]
      .map((item) => param(item))
      .reduce<SqlFragment | undefined>(
        (joined, item) => (joined === undefined ? item : sql`${joined}, ${item}`),
        undefined,
      )!;
  return {
    test: (slot) => {
      const parts: SqlFragment[] = [];
      if (hasNull) parts.push(nullOrMissing.test(slot, null));
      const small = [...numbers].filter((value) => Math.abs(value) < 2 ** 53);
      const large = [...numbers].filter((value) => Math.abs(value) >= 2 ** 53);
      if (small.length > 0) {
        parts.push(
          andSql([sql`${slot.value} IN (${list(small)})`, raw(typeIs(slot, ...numberTypes))]),
        );
      }
      if (large.length > 0) {
        parts.push(
          andSql([
            sql`(${slot.value} + 0.0) IN (${list(large)})`,
            raw(typeIs(slot, ...numberTypes)),
          ]),
        );
      }
      if (strings.size > 0) {
        parts.push(andSql([sql`${slot.value} IN (${list(strings)})`, raw(typeIs(slot, "text"))]));
      }
      if (booleans.size > 0) parts.push(raw(typeIs(slot, ...booleans)));
      for (const [type, texts] of structured) {
        parts.push(andSql([sql`${slot.value} IN (${list(texts)})`, raw(typeIs(slot, type))]));
      }
      for (const regex of regexes) parts.push(regexSqlTest(regex).test(slot, null));
      return orSql(parts);
    },
    onMissing: hasNull,
    exact: true,
  };
}
