/**
 * MongoDB's dot-path traversal in SQL over a `jsonb` column, exact and index-friendly.
 *
 * A condition on `value.a.b` holds when any value the path yields passes the operator's test
 * (see `getPathValues` in `@agentvault/query`): arrays on the way are entered element by
 * element, an array at the end also yields its elements, and a missing field yields "missing".
 * The SQL splits that into three arms, each guarded by a condition on the plain path
 * expression `E = value -> 'a' -> 'b'`, so one B-tree index on `E` serves them all
 * (PostgreSQL combines the arms with a BitmapOr):
 *
 * - `E IS NOT NULL AND test(E)`: the path went through objects only: the common case;
 * - `E` in the band of non-empty arrays (`E > 'true' AND E < '{}'`): test its elements;
 * - `E IS NULL`: missing, unless an array sits on the way, in which case a walk yields exactly
 *   what MongoDB's traversal yields (a lax SQL/JSON path when "missing" cannot pass the test,
 *   LATERAL steps that keep missing values otherwise).
 */

import { arrayPathKey } from "./postgres-array-shapes.js";
import type { SqlFragment } from "./postgres-sql-fragment.js";
import type { JsonValueTest, ValueSqlContext } from "./postgres-value-sql.js";

/** A path into a `jsonb` expression: `root` (a column or an alias) and the field names below it. */
export interface JsonPathTarget {
  readonly kind: "json";
  /** SQL of the root `jsonb` value; may be NULL only where a NULL means "missing". */
  readonly root: string;
  /** Field names, none empty, numeric or `$`-prefixed (those are left to memory). */
  readonly segments: readonly string[];
  /**
   * The record-view path (`["value", ...segments]`) when `root` is a column, so the
   * collection's array shapes apply; undefined below an `$elemMatch` element.
   */
  readonly recordPath?: readonly string[] | undefined;
}

const isTag = (x: string) => `(${x} ? '$date' OR ${x} ? '$binary')`;

/** Yields the elements of `x` when it is an array, and nothing otherwise (never an error). */
export function arrayElements(x: string, alias: string): string {
  return `jsonb_array_elements(CASE WHEN jsonb_typeof(${x}) = 'array' THEN ${x} END) AS ${alias}(v)`;
}

/**
 * The traversal as a SQL/JSON path in lax mode, which enters arrays the way MongoDB does (one
 * level per field step, skipping elements that are not documents) but has no notion of a
 * missing value: used only for tests that a missing value fails. Field names are written as
 * JSON string literals, which is also jsonpath's string syntax.
 */
function laxPath(segments: readonly string[]): string {
  return `lax $${segments.map((segment) => `.${JSON.stringify(segment)}`).join("")}`;
}

/** `test` on `x`, and when the operator expands arrays, on each element of `x` too. */
function leafTest(x: string, valueTest: JsonValueTest, context: ValueSqlContext): string {
  const own = valueTest.test(x);
  if (!valueTest.expandArrays) return own;
  const alias = context.nextAlias("l");
  return `(${own} OR EXISTS (SELECT 1 FROM ${arrayElements(x, alias)} WHERE ${valueTest.test(`${alias}.v`)}))`;
}

/**
 * The exact traversal: a chain of LATERAL steps, each yielding `field` of an object, or of every
 * element of an array that is a document (dates and binary are tagged objects, not documents),
 * with SQL NULL standing for "missing".
 */
function traversal(
  target: JsonPathTarget,
  keys: readonly string[],
  valueTest: JsonValueTest,
  context: ValueSqlContext,
): string {
  if (!valueTest.missing) {
    const path = context.parameters.add(laxPath(target.segments), "jsonpath");
    const alias = context.nextAlias("p");
    return `EXISTS (SELECT 1 FROM jsonb_path_query(${target.root}, ${path}) AS ${alias}(v) WHERE ${leafTest(`${alias}.v`, valueTest, context)})`;
  }
  const table = context.nextAlias("t");
  let from = `(SELECT ${target.root} AS v) AS ${table}_0`;
  keys.forEach((key, index) => {
    const previous = `${table}_${index}.v`;
    const element = context.nextAlias("e");
    from +=
      ` CROSS JOIN LATERAL (SELECT ${previous} -> ${key} WHERE jsonb_typeof(${previous}) IS DISTINCT FROM 'array'` +
      ` UNION ALL SELECT ${element}.v -> ${key} FROM ${arrayElements(previous, element)}` +
      ` WHERE jsonb_typeof(${element}.v) = 'object' AND NOT ${isTag(`${element}.v`)}) AS ${table}_${index + 1}(v)`;
  });
  const last = `${table}_${keys.length}.v`;
  const missing = valueTest.missing ? "TRUE" : "FALSE";
  return `EXISTS (SELECT 1 FROM ${from} WHERE CASE WHEN ${last} IS NULL THEN ${missing} ELSE ${leafTest(last, valueTest, context)} END)`;
}

/** Paths this long or shorter use containment shapes for equality (2^n - 1 shapes each). */
const maxShapeSegments = 3;

/**
 * Equality with a scalar through arrays on the way, as containment: one `jsonb` shape per way
 * the path can pass through arrays (each strict prefix an array of documents or not, at least
 * one of them an array; the end the value or an array holding it). `jsonb` containment
 * matches object fields by equality, arrays by membership and never enters nested arrays, just
 * as MongoDB's traversal does, so the disjunction is exact, and much cheaper to plan than a walk.
 */
function containmentShapes(segments: readonly string[], valueJson: string): string[] {
  const shapes: string[] = [];
  const prefixes = segments.length;
  for (let mask = 1; mask < 1 << prefixes; mask++) {
    for (const wrapEnd of [false, true]) {
      let shape = wrapEnd ? `[${valueJson}]` : valueJson;
      for (let index = prefixes - 1; index >= 0; index--) {
        shape = `{${JSON.stringify(segments[index])}:${shape}}`;
        if (mask & (1 << index)) shape = `[${shape}]`;
      }
      shapes.push(shape);
    }
  }
  return shapes;
}

/** `root -> key1 -> ... -> keyN`, the expression declared indexes are built on. */
export function pathExpression(root: string, keys: readonly string[]): string {
  return keys.length === 0 ? root : `${root} -> ${keys.join(" -> ")}`;
}

/**
 * Whether the collection's shapes say no array was ever stored on the way to the path's end
 * (nor at the end, when the test would enter it): then the path only goes through objects.
 */
function throughObjectsOnly(
  target: JsonPathTarget,
  valueTest: JsonValueTest,
  context: ValueSqlContext,
): boolean {
  const path = target.recordPath;
  if (path === undefined) return false;
  const checked = valueTest.expandArrays ? path.length : path.length - 1;
  for (let length = 1; length <= checked; length++) {
    if (context.arrayShapes.mayBeArray(arrayPathKey(path.slice(0, length)))) return false;
  }
  return true;
}

/** Applies a positive operator test to every value the path yields. */
export function onJsonPath(
  target: JsonPathTarget,
  valueTest: JsonValueTest,
  context: ValueSqlContext,
): SqlFragment {
  const keys = target.segments.map((segment) => context.parameters.add(segment, "text"));
  const end = `(${pathExpression(target.root, keys)})`;
  const neverPasses = valueTest.test("x") === "FALSE";
  if (throughObjectsOnly(target, valueTest, context)) {
    // No array anywhere on the path in any record: one arm, the plain indexable comparison.
    context.noteShapesUsed();
    const arms: string[] = [];
    if (!neverPasses) arms.push(`(${end} IS NOT NULL AND ${valueTest.test(end)})`);
    if (valueTest.missing && keys.length > 0) arms.push(`${end} IS NULL`);
    if (arms.length === 0) return { sql: "FALSE", exact: valueTest.exact };
    return { sql: arms.length === 1 ? arms[0]! : `(${arms.join(" OR ")})`, exact: valueTest.exact };
  }
  const arms: string[] = [];
  if (neverPasses && !valueTest.missing) return { sql: "FALSE", exact: valueTest.exact };
  if (!neverPasses) {
    arms.push(`(${end} IS NOT NULL AND ${valueTest.test(end)})`);
    if (valueTest.expandArrays) {
      const alias = context.nextAlias("a");
      const elements =
        valueTest.arrayContains === undefined
          ? `EXISTS (SELECT 1 FROM ${arrayElements(end, alias)} WHERE ${valueTest.test(`${alias}.v`)})`
          : `${end} @> ${valueTest.arrayContains}`;
      arms.push(`(${end} > 'true'::jsonb AND ${end} < '{}'::jsonb AND ${elements})`);
    }
  }
  if (
    keys.length > 0 &&
    valueTest.equalsJson !== undefined &&
    !valueTest.missing &&
    keys.length <= maxShapeSegments
  ) {
    const shapes = containmentShapes(target.segments, valueTest.equalsJson).map(
      (shape) => `${target.root} @> ${context.parameters.add(shape, "jsonb")}`,
    );
    arms.push(`(${end} IS NULL AND (${shapes.join(" OR ")}))`);
  } else if (keys.length > 0) {
    const prefixes = keys.map((_, length) => pathExpression(target.root, keys.slice(0, length)));
    const arrayOnTheWay = `(${prefixes.map((prefix) => `jsonb_typeof(${prefix}) = 'array'`).join(" OR ")})`;
    const walk = traversal(target, keys, valueTest, context);
    arms.push(
      valueTest.missing
        ? `(${end} IS NULL AND CASE WHEN ${arrayOnTheWay} THEN ${walk} ELSE TRUE END)`
        : `(${end} IS NULL AND ${arrayOnTheWay} AND ${walk})`,
    );
  }
  if (arms.length === 0) return { sql: "FALSE", exact: valueTest.exact };
  return { sql: `(${arms.join(" OR ")})`, exact: valueTest.exact };
}
