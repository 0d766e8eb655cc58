/**
 * One filter operator as SQL over one `jsonb` value: MongoDB's "matches single element" test,
 * which the path compiler applies to every value a path yields.
 *
 * Comparisons are written as ranges of `jsonb`'s own ordering (null < strings < numbers <
 * booleans < arrays < objects), so a B-tree index on the path expression serves them:
 * `x > 5` becomes `x > '5' AND x < 'false'`, the band of numbers above 5. Dates are stored as
 * `{"$date": ISO}`, whose one-pair objects order by the ISO text. String bands are only used
 * when the database collation orders by code point, as AgentVault does; otherwise strings are
 * compared as text with `COLLATE "C"`.
 */

import {
  compilePredicate,
  type FieldCondition,
  type FilterNode,
  type RangeOperator,
  type Value,
} from "@agentvault/query";
import type { ArrayShapes } from "./postgres-array-shapes.js";
import { escapeNul, filterValueJson, hasOrderSensitiveObject } from "./postgres-json.js";
import type { SqlFragment } from "./postgres-sql-fragment.js";
import type { SqlParameters } from "./sql-parameters.js";

/** A positive operator as a test on one non-NULL `jsonb` value `x`. */
export interface JsonValueTest {
  /** SQL that is true when `x` passes; `x` is a SQL expression that is never NULL. */
  readonly test: (x: string) => string;
  /** False when `test` is a superset of the true test. */
  readonly exact: boolean;
  /** The result for a missing value (`{ a: null }` matches a missing `a`). */
  readonly missing: boolean;
  /** Whether a path ending on an array also tests its elements (not for `$size`, `$elemMatch`). */
  readonly expandArrays: boolean;
  /**
   * A `jsonb` array such that "some element of an array passes" is exactly containment of it
   * (`E @> '[v]'` for equality with a scalar): cheaper than testing the elements one by one.
   */
  readonly arrayContains?: string | undefined;
  /** The `jsonb` text of the scalar this test checks equality with, if that is what it does. */
  readonly equalsJson?: string | undefined;
}

/** What value tests need from the compiler. */
export interface ValueSqlContext {
  readonly parameters: SqlParameters;
  readonly codePointCollation: boolean;
  /** Where the collection may hold arrays. */
  readonly arrayShapes: ArrayShapes;
  /** Records that the SQL relies on `arrayShapes` (so it is exact only while they hold). */
  noteShapesUsed(): void;
  /** A fresh SQL alias, unique in the statement. */
  nextAlias(prefix: string): string;
  /** Compiles the filter of an `$elemMatch` against one array element `element`. */
  compileElementFilter(filter: FilterNode, scalar: boolean, element: string): SqlFragment;
}

/** Above every number `jsonb` can hold from a JavaScript double; below every boolean. */
const numbersEnd = "'false'::jsonb";
/** Below every number a JavaScript double can be; above every string. */
const numbersStart = "'-1e309'::jsonb";

/** Whether a positive condition holds for a missing value, decided by the evaluator itself. */
export function missingResult(condition: FieldCondition): boolean {
  const node: FilterNode = { type: "field", field: { path: "", segments: [] }, condition };
  // Evaluated once: closures cost far less to build than generated code.
  return compilePredicate(node, { generateCode: false })(undefined);
}

const sqlOperators: Record<RangeOperator, string> = { gt: ">", gte: ">=", lt: "<", lte: "<=" };

function test(
  build: (x: string) => string,
  condition: FieldCondition,
  exact = true,
): JsonValueTest {
  return { test: build, exact, missing: missingResult(condition), expandArrays: true };
}

function equality(condition: FieldCondition & { op: "eq" }, context: ValueSqlContext) {
  const { value } = condition;
  if (value === null) return test((x) => `${x} = 'null'::jsonb`, condition);
  const json = filterValueJson(value);
  // A value jsonb cannot hold (a NUL character) equals nothing stored.
  if (json === undefined) return test(() => "FALSE", condition);
  const parameter = context.parameters.add(json, "jsonb");
  const equals = test((x) => `${x} = ${parameter}`, condition, !hasOrderSensitiveObject(value));
  // Containment compares scalars (and the one-field date and binary tags) by equality, and
  // never reaches into nested arrays, so it is exact for them; not for arrays or documents.
  const scalar = typeof value !== "object" || value instanceof Date || value instanceof Uint8Array;
  return scalar
    ? { ...equals, arrayContains: context.parameters.add(`[${json}]`, "jsonb"), equalsJson: json }
    : equals;
}

function membership(condition: FieldCondition & { op: "in" }, context: ValueSqlContext) {
  const parts: ((x: string) => string)[] = [];
  let exact = true;
  const texts: string[] = [];
  for (const value of condition.values) {
    if (value === null) {
      parts.push((x) => `${x} = 'null'::jsonb`);
      continue;
    }
    const json = filterValueJson(value);
    if (json === undefined) continue;
    if (hasOrderSensitiveObject(value)) exact = false;
    texts.push(json);
  }
  if (texts.length > 0) {
    const parameter = context.parameters.add(texts, "jsonb[]");
    parts.push((x) => `${x} = ANY(${parameter})`);
  }
  if (condition.regexes.length > 0) {
    exact = false;
    parts.push((x) => `jsonb_typeof(${x}) = 'string'`);
  }
  const build = (x: string) =>
    parts.length === 0 ? "FALSE" : `(${parts.map((part) => part(x)).join(" OR ")})`;
  return test(build, condition, exact);
}

function dateRange(operator: RangeOperator, date: Date, context: ValueSqlContext) {
  const iso = date.toISOString();
  const sql = sqlOperators[operator];
  const upward = operator === "gt" || operator === "gte";
  // Years 0000-9999 have fixed-width ISO text that orders like time. Expanded years start with
  // "+" (after 9999) or "-" (before 0000) and are handled as their own bands.
  const beyond = upward ? "+" : "-";
  if (context.codePointCollation) {
    const parameter = context.parameters.add(JSON.stringify({ $date: iso }), "jsonb");
    const normal = upward
      ? (x: string) => `${x} ${sql} ${parameter} AND ${x} < '{"$date": "A"}'::jsonb`
      : (x: string) => `${x} ${sql} ${parameter} AND ${x} >= '{"$date": "0"}'::jsonb`;
    const next = String.fromCharCode(beyond.charCodeAt(0) + 1);
    return (x: string) =>
      `((${normal(x)}) OR (${x} >= '{"$date": "${beyond}"}'::jsonb AND ${x} < '{"$date": "${next}"}'::jsonb))`;
  }
  const parameter = context.parameters.add(iso, "text");
  return (x: string) => {
    const text = `(${x} ->> '$date') COLLATE "C"`;
    return `(jsonb_typeof(${x}) = 'object' AND ${x} ? '$date' AND ((${text} ${sql} ${parameter} AND ${text} >= '0') OR left(${text}, 1) = '${beyond}'))`;
  };
}

function range(condition: FieldCondition & { op: RangeOperator }, context: ValueSqlContext) {
  const { value, op } = condition;
  const sql = sqlOperators[op];
  const upward = op === "gt" || op === "gte";
  if (value === null) {
    return test(
      (x) => (op === "gte" || op === "lte" ? `${x} = 'null'::jsonb` : "FALSE"),
      condition,
    );
  }
  if (typeof value === "number" && !Number.isFinite(value)) {
    // Stored numbers are finite: NaN bounds nothing, infinities bound everything or nothing.
    const allNumbers = Number.isNaN(value) ? false : value > 0 !== upward;
    return test(
      (x) => (allNumbers ? `(${x} >= ${numbersStart} AND ${x} < ${numbersEnd})` : "FALSE"),
      condition,
    );
  }
  if (typeof value === "number") {
    const parameter = context.parameters.add(JSON.stringify(value), "jsonb");
    const band = upward ? `< ${numbersEnd}` : `>= ${numbersStart}`;
    return test((x) => `(${x} ${sql} ${parameter} AND ${x} ${band})`, condition);
  }
  if (typeof value === "boolean") {
    const parameter = context.parameters.add(JSON.stringify(value), "jsonb");
    return test(
      (x) => `(${x} ${sql} ${parameter} AND ${x} >= 'false'::jsonb AND ${x} <= 'true'::jsonb)`,
      condition,
    );
  }
  if (typeof value === "string") {
    const json = filterValueJson(value);
    if (json === undefined) return test(() => "TRUE", condition, false);
    if (context.codePointCollation) {
      const parameter = context.parameters.add(json, "jsonb");
      const band = upward ? `< ${numbersStart}` : `> 'null'::jsonb`;
      return test((x) => `(${x} ${sql} ${parameter} AND ${x} ${band})`, condition);
    }
    const parameter = context.parameters.add(escapeNul(value), "text");
    return test(
      (x) => `(jsonb_typeof(${x}) = 'string' AND (${x} #>> '{}') COLLATE "C" ${sql} ${parameter})`,
      condition,
    );
  }
  if (value instanceof Date && /^\d{4}-/.test(value.toISOString())) {
    return test(dateRange(op, value, context), condition);
  }
  // Binary, arrays, objects and expanded-year dates: candidates only, decided in memory.
  return test(() => "TRUE", condition, false);
}

function typeCheck(types: readonly string[]): (x: string) => string {
  return (x) => {
    const number = `(CASE WHEN jsonb_typeof(${x}) = 'number' THEN (${x})::numeric END)`;
    const integral = `(${number} = trunc(${number}) AND abs(${number}) <= 9007199254740991)`;
    const int32 = `${number} BETWEEN -2147483648 AND 2147483647`;
    const tagged = `(${x} ? '$date' OR ${x} ? '$binary')`;
    const checks = new Set<string>();
    for (const type of types) {
      if (type === "number") checks.add(`jsonb_typeof(${x}) = 'number'`);
      else if (type === "int") checks.add(`(${integral} AND ${int32})`);
      else if (type === "long") checks.add(`(${integral} AND NOT (${int32}))`);
      else if (type === "double") checks.add(`(${integral}) IS FALSE`);
      else if (type === "string") checks.add(`jsonb_typeof(${x}) = 'string'`);
      else if (type === "bool") checks.add(`jsonb_typeof(${x}) = 'boolean'`);
      else if (type === "null") checks.add(`jsonb_typeof(${x}) = 'null'`);
      else if (type === "array") checks.add(`jsonb_typeof(${x}) = 'array'`);
      else if (type === "object") checks.add(`(jsonb_typeof(${x}) = 'object' AND NOT ${tagged})`);
      else if (type === "date") checks.add(`(jsonb_typeof(${x}) = 'object' AND ${x} ? '$date')`);
      else if (type === "binData") {
        checks.add(`(jsonb_typeof(${x}) = 'object' AND ${x} ? '$binary')`);
      }
      // Other BSON types cannot be stored in AgentVault's value model: they match nothing.
    }
    return checks.size === 0 ? "FALSE" : `(${[...checks].join(" OR ")})`;
  };
}

function elementMatch(condition: FieldCondition & { op: "elemMatch" }, context: ValueSqlContext) {
  const alias = context.nextAlias("m");
  const element = `${alias}.v`;
  const inner = context.compileElementFilter(condition.filter, condition.scalar, element);
  return {
    test: (x: string) =>
      `EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(${x}) = 'array' THEN ${x} END) AS ${alias}(v) WHERE ${inner.sql})`,
    exact: inner.exact,
    missing: false,
    expandArrays: false,
  };
}

/**
 * The SQL test of a positive condition on one `jsonb` value, or undefined for the negations
 * and composites (`ne`, `nin`, `not`, `all`) that the compiler builds from these.
 */
export function jsonValueTest(
  condition: FieldCondition,
  context: ValueSqlContext,
): JsonValueTest | undefined {
  switch (condition.op) {
    case "eq":
      return equality(condition, context);
    case "in":
      return membership(condition, context);
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      return range(condition, context);
    case "exists":
      return condition.value ? test(() => "TRUE", condition) : undefined;
    case "type":
      return test(typeCheck(condition.types), condition);
    case "regex":
      // PostgreSQL's regular expressions differ from RE2's: only strings are candidates.
      return test((x) => `jsonb_typeof(${x}) = 'string'`, condition, false);
    case "mod": {
      // On the double itself (`::float8`), as JavaScript computes it: the decimal text jsonb
      // keeps for a large double is not always the double's exact integer value.
      const divisor = context.parameters.add(BigInt(condition.divisor).toString(), "bigint");
      const remainder = context.parameters.add(BigInt(condition.remainder).toString(), "bigint");
      return test((x) => {
        const whole = `trunc((${x})::float8)`;
        return `(CASE WHEN jsonb_typeof(${x}) = 'number' THEN (CASE WHEN ${whole} >= -9223372036854775808::float8 AND ${whole} < 9223372036854775808::float8 THEN ${whole}::bigint % ${divisor} = ${remainder} ELSE FALSE END) ELSE FALSE END)`;
      }, condition);
    }
    case "size": {
      const size = context.parameters.add(condition.size, "integer");
      return {
        test: (x) =>
          `jsonb_array_length(CASE WHEN jsonb_typeof(${x}) = 'array' THEN ${x} END) = ${size}`,
        exact: true,
        missing: false,
        expandArrays: false,
      };
    }
    case "elemMatch":
      return elementMatch(condition, context);
    default:
      return undefined;
  }
}

/** Values that can be compared with the key column (strings only; keys are strings). */
export function keyStrings(values: readonly Value[]): string[] {
  return values.filter((value): value is string => typeof value === "string");
}
