/**
 * `compileFilterToSql`: a parsed filter over the record view (`_id` -> `key`, `value.<path>`,
 * `metadata.<path>`) as one SQL condition with bound parameters only.
 *
 * The SQL selects a superset of the matching rows. When `exact` is true it selects exactly the
 * rows the in-memory evaluator (`compilePredicate`) matches, and the provider may push sort,
 * skip and limit into SQL; otherwise the provider re-checks the candidates in memory. Exact:
 * equality, `$in`, ranges on numbers, strings, booleans, dates and null, `$exists`, `$type`,
 * `$size`, `$mod`, `$all`, `$elemMatch`, and their negations and combinations, through nested
 * objects and arrays. Left to memory (superset): `$regex`, ranges on binary/arrays/objects,
 * equality with multi-field objects (jsonb ignores field order), paths with numeric segments.
 * The compiler is pure: it never touches a connection.
 */

import { compilePredicate, type FieldCondition, type FilterNode } from "@agentvault/query";
import { type ArrayShapes, unknownShapes } from "./postgres-array-shapes.js";
import { isStorableText } from "./postgres-json.js";
import { type JsonPathTarget, onJsonPath } from "./postgres-path-sql.js";
import {
  allOf,
  anyOf,
  constant,
  inMemory,
  matchNone,
  noneOf,
  type SqlFragment,
} from "./postgres-sql-fragment.js";
import { jsonValueTest, keyStrings, type ValueSqlContext } from "./postgres-value-sql.js";
import { SqlParameters } from "./sql-parameters.js";

/** Options of `compileFilterToSql`. */
export interface PostgresFilterCompileOptions {
  /**
   * Whether the database collation orders strings by code point (`C`, `POSIX`, `C.UTF-8`), so
   * string and date ranges can use `jsonb` order and its indexes. The provider detects it.
   * @default false
   */
  readonly codePointCollation?: boolean | undefined;
  /** Parameters the statement already has; placeholders continue after them. @default none */
  readonly parameters?: SqlParameters | undefined;
  /**
   * Where the collection may hold arrays (see `postgres-array-shapes.ts`): a path that never
   * held one compiles to a single indexable comparison. The result's `usesArrayShapes` says
   * whether the SQL relies on them.
   * @default every path may hold an array
   */
  readonly arrayShapes?: ArrayShapes | undefined;
}

/** A compiled filter. */
export interface CompiledSqlFilter {
  /** A SQL boolean expression over the columns `key`, `value` and `metadata`. */
  readonly sql: string;
  /** Every parameter of the statement, in placeholder order. */
  readonly params: unknown[];
  /** True when `sql` selects exactly the matching rows; false when it is a superset. */
  readonly exact: boolean;
  /**
   * True when `sql` relies on `arrayShapes`: it is exact (or a superset) only for rows written
   * while the shapes held, so the caller must check they are still current.
   */
  readonly usesArrayShapes: boolean;
}

type Target =
  | JsonPathTarget
  | { readonly kind: "key" }
  | { readonly kind: "element"; readonly element: string }
  | { readonly kind: "missing" }
  | { readonly kind: "unsupported" };

type Resolve = (segments: readonly string[]) => Target;

const arrayIndexSegment = /^(0|[1-9][0-9]{0,8})$/;

/** Whether a path segment is a plain field name the SQL traversal handles. */
function isPlainSegment(segment: string): boolean {
  return (
    segment.length > 0 &&
    !segment.startsWith("$") &&
    !arrayIndexSegment.test(segment) &&
    isStorableText(segment)
  );
}

function jsonTarget(
  root: string,
  segments: readonly string[],
  recordPath?: readonly string[],
): Target {
  return segments.every(isPlainSegment)
    ? { kind: "json", root, segments, recordPath }
    : { kind: "unsupported" };
}

/** The record view: `_id` is the key column, `value` and `metadata` are `jsonb` columns. */
const resolveRecordPath: Resolve = (segments) => {
  const [first, ...rest] = segments;
  if (first === "_id") return rest.length === 0 ? { kind: "key" } : { kind: "missing" };
  if (first === "value") return jsonTarget("value", rest, segments);
  if (first === "metadata") {
    // The view holds `{}` for records stored without metadata (a NULL column).
    const root = rest.length === 0 ? "coalesce(metadata, '{}'::jsonb)" : "metadata";
    return jsonTarget(root, rest, segments);
  }
  return { kind: "missing" };
};

/** The only thing the key column can be compared with: strings PostgreSQL can hold. */
function keyCondition(condition: FieldCondition, context: ValueSqlContext): SqlFragment {
  const text = (value: string) => context.parameters.add(value, "text");
  switch (condition.op) {
    case "eq":
      return typeof condition.value === "string" && isStorableText(condition.value)
        ? { sql: `key = ${text(condition.value)}`, exact: true }
        : matchNone;
    case "in": {
      const strings = keyStrings(condition.values).filter(isStorableText);
      const parts: SqlFragment[] = [];
      if (strings.length > 0) {
        const list = context.parameters.add(strings, "text[]");
        parts.push({ sql: `key = ANY(${list})`, exact: true });
      }
      if (condition.regexes.length > 0) parts.push(inMemory);
      return anyOf(parts);
    }
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      const { value } = condition;
      if (typeof value !== "string") return matchNone;
      if (!isStorableText(value)) return inMemory;
      const operator = { gt: ">", gte: ">=", lt: "<", lte: "<=" }[condition.op];
      return { sql: `key ${operator} ${text(value)}`, exact: true };
    }
    case "exists":
      return constant(condition.value);
    case "type":
      return constant(condition.types.includes("string"));
    case "regex":
      return inMemory;
    default:
      // `$mod`, `$size` and `$elemMatch` never match a string.
      return matchNone;
  }
}

class FilterCompiler implements ValueSqlContext {
  readonly parameters: SqlParameters;
  readonly codePointCollation: boolean;
  readonly arrayShapes: ArrayShapes;
  usesArrayShapes = false;
  #aliases = 0;

  constructor(options: PostgresFilterCompileOptions) {
    this.parameters = options.parameters ?? new SqlParameters();
    this.codePointCollation = options.codePointCollation ?? false;
    this.arrayShapes = options.arrayShapes ?? unknownShapes;
  }

  noteShapesUsed(): void {
    if (this.arrayShapes !== unknownShapes) this.usesArrayShapes = true;
  }

  nextAlias(prefix: string): string {
    return `av_${prefix}${++this.#aliases}`;
  }

  compileElementFilter(filter: FilterNode, scalar: boolean, element: string): SqlFragment {
    if (scalar) {
      return this.node(filter, (segments) =>
        segments.length === 0 ? { kind: "element", element } : { kind: "unsupported" },
      );
    }
    const inner = this.node(filter, (segments) =>
      segments.length === 0 ? { kind: "unsupported" } : jsonTarget(element, segments),
    );
    // An element that is an array is read as a document whose fields are its indexes: with no
    // index in the paths, every field is missing there, so the result is a constant.
    const onArray = firstSegmentsAreNames(filter)
      ? constant(compilePredicate(filter, { generateCode: false })([]))
      : inMemory;
    const document = `jsonb_typeof(${element}) = 'object' AND NOT (${element} ? '$date' OR ${element} ? '$binary')`;
    return {
      sql: `CASE WHEN ${document} THEN ${inner.sql} WHEN jsonb_typeof(${element}) = 'array' THEN ${onArray.sql} ELSE FALSE END`,
      exact: inner.exact && onArray.exact,
    };
  }

  node(node: FilterNode, resolve: Resolve): SqlFragment {
    switch (node.type) {
      case "and":
        return allOf(node.children.map((child) => this.node(child, resolve)));
      case "or":
        return anyOf(node.children.map((child) => this.node(child, resolve)));
      case "nor":
        return noneOf(anyOf(node.children.map((child) => this.node(child, resolve))));
      case "field": {
        const target = resolve(node.field.segments);
        if (target.kind === "unsupported") return inMemory;
        // A path that cannot exist in the record view: the evaluator decides on its own.
        if (target.kind === "missing") {
          return constant(compilePredicate(node, { generateCode: false })({ _id: "" }));
        }
        return this.condition(target, node.condition, resolve);
      }
    }
  }

  condition(target: Target, condition: FieldCondition, resolve: Resolve): SqlFragment {
    switch (condition.op) {
      case "ne":
        return noneOf(this.condition(target, { op: "eq", value: condition.value }, resolve));
      case "nin":
        return noneOf(this.condition(target, { ...condition, op: "in" }, resolve));
      case "exists":
        if (!condition.value) {
          return noneOf(this.condition(target, { op: "exists", value: true }, resolve));
        }
        break;
      case "not":
        return noneOf(
          allOf(condition.conditions.map((inner) => this.condition(target, inner, resolve))),
        );
      case "all": {
        const { values, regexes, elemMatches } = condition;
        if (values.length + regexes.length + elemMatches.length === 0) return matchNone;
        return allOf([
          ...values.map((value) => this.condition(target, { op: "eq", value }, resolve)),
          ...regexes.map((regex) => this.condition(target, { op: "regex", regex }, resolve)),
          // Each entry is an `$elemMatch` on this same path; its own path is not trusted, since
          // rewriting a filter into the record view leaves these nested paths alone.
          ...elemMatches.map((elemMatch) =>
            elemMatch.type === "field"
              ? this.condition(target, elemMatch.condition, resolve)
              : this.node(elemMatch, resolve),
          ),
        ]);
      }
    }
    return this.positive(target, condition);
  }

  positive(target: Target, condition: FieldCondition): SqlFragment {
    if (target.kind === "key") return keyCondition(condition, this);
    const valueTest = jsonValueTest(condition, this);
    if (valueTest === undefined || target.kind === "missing" || target.kind === "unsupported") {
      return inMemory;
    }
    if (target.kind === "element") {
      return { sql: valueTest.test(target.element), exact: valueTest.exact };
    }
    return onJsonPath(target, valueTest, this);
  }
}

/** Whether every field path at the top of `filter` starts with a name (not an array index). */
function firstSegmentsAreNames(filter: FilterNode): boolean {
  if (filter.type !== "field") return filter.children.every(firstSegmentsAreNames);
  const first = filter.field.segments[0];
  if (first === undefined || first === "" || arrayIndexSegment.test(first)) return false;
  const { condition } = filter;
  return condition.op !== "all" || condition.elemMatches.every(firstSegmentsAreNames);
}

/**
 * Compiles a parsed record-view filter into a SQL condition with bound parameters.
 *
 * @example
 * const { sql, params, exact } = compileFilterToSql(
 *   toRecordFilter(parseFilter({ price: { $lt: 10 }, tags: "sale" })),
 *   { codePointCollation: true },
 * );
 * // `SELECT ... WHERE ${sql}` with `params`; when `exact` is false, re-check rows in memory.
 */
export function compileFilterToSql(
  filter: FilterNode,
  options: PostgresFilterCompileOptions = {},
): CompiledSqlFilter {
  const initial = options.parameters?.values.length ?? 0;
  const compiler = new FilterCompiler(options);
  const fragment = compiler.node(filter, resolveRecordPath);
  return {
    ...compactParameters(fragment.sql, compiler.parameters.values, initial),
    exact: fragment.exact,
    usesArrayShapes: compiler.usesArrayShapes,
  };
}

/**
 * Whether every placeholder after the first `keep` is used and first appears in number order,
 * so renumbering would change nothing (the common case, checked without a regular expression).
 */
function numberedInOrder(sql: string, count: number, keep: number): boolean {
  let previous = -1;
  for (let position = keep + 1; position <= count; position++) {
    // `$1::` is never part of `$11::` or `$21::`: the `$` must come right before the digits.
    const at = sql.indexOf(`$${position}::`);
    if (at < 0 || at < previous) return false;
    previous = at;
  }
  return true;
}

/**
 * Renumbers the placeholders after the first `keep` so that only those the SQL still uses are
 * sent: parts of a filter left to memory drop their SQL, and PostgreSQL rejects unused trailing
 * parameters. Generated SQL holds no user text, so `$n::` occurs only as a placeholder.
 */
function compactParameters(
  sql: string,
  values: readonly unknown[],
  keep: number,
): { sql: string; params: unknown[] } {
  if (numberedInOrder(sql, values.length, keep)) return { sql, params: values.slice() };
  const params = values.slice(0, keep);
  const renumbered = new Map<number, number>();
  const compacted = sql.replace(/\$(\d+)::/g, (placeholder, digits: string) => {
    const position = Number(digits);
    if (position <= keep) return placeholder;
    let next = renumbered.get(position);
    if (next === undefined) {
      params.push(values[position - 1]);
      next = params.length;
      renumbered.set(position, next);
    }
    return `$${next}::`;
  });
  return { sql: compacted, params };
}
