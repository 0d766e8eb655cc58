/**
 * Compiles a filter AST (rooted in the record view) into a SQL `WHERE` condition with bound
 * parameters: `_id` reads the key column, `value.<path>` and `metadata.<path>` read JSON paths
 * of those columns.
 *
 * The result is a superset of the true matches: `exact` says whether it is the exact set. Every
 * operator compiles exactly except range comparisons against objects, arrays, binary values and
 * dates outside years 0000-9999 (only their type bracket is kept), paths with characters a JSON
 * path cannot spell, and conditions whose SQL would grow past a size limit. Those become
 * supersets (or `1`, no narrowing), and the provider evaluates the filter again in memory on the
 * candidates. Negations (`$ne`, `$nin`, `$not`, `$nor`, `$exists: false`) of an inexact
 * condition become `1`, since negating a superset would lose matches.
 */

import type { FieldCondition, FilterNode } from "@agentvault/query";
import {
  andSql,
  notSql,
  orSql,
  type SqlFragment,
  type SqlParam,
  sql,
  sqlFalse,
  sqlTrue,
} from "./sql-fragment.js";
import { type ArrayShapes, unknownShapes } from "./sqlite-array-shapes.js";
import {
  eachOf,
  type TraversalState,
  yieldFrom,
  yieldFromElement,
} from "./sqlite-path-traversal.js";
import {
  elementSlot,
  isDocumentSlot,
  keySlot,
  metadataRootSlot,
  pathSlot,
  type ShapePath,
  type Slot,
  typeIs,
} from "./sqlite-slots.js";
import { existsSqlTest, modSqlTest, sizeSqlTest, typeSqlTest } from "./sqlite-type-tests.js";
import {
  equalitySqlTest,
  membershipSqlTest,
  rangeSqlTest,
  regexSqlTest,
  type SlotTest,
} from "./sqlite-value-tests.js";

/** Where the compiled condition reads the record from. */
export interface SqlFilterContext {
  /** SQL for the record's columns, qualified with the query's table alias (`r."value"`). */
  readonly columns: { readonly key: string; readonly value: string; readonly metadata: string };
  /** Where arrays may occur in the collection. @default unknownShapes (anywhere) */
  readonly shapes?: ArrayShapes | undefined;
  /**
   * Longest SQL text for one field condition; a longer one is replaced by `1` (no narrowing).
   * @default 50000
   */
  readonly maxConditionLength?: number | undefined;
}

/** A compiled filter. */
export interface CompiledSqlFilter {
  /** A SQL boolean expression with `?` placeholders. */
  readonly sql: string;
  /** The values of the placeholders, in order. */
  readonly params: SqlParam[];
  /** Whether `sql` selects exactly the matching records (otherwise a superset). */
  readonly exact: boolean;
}

interface Compiled {
  readonly sql: SqlFragment;
  readonly exact: boolean;
}

/** Resolves a path to "some value it yields passes the test". */
interface Root {
  resolve(segments: readonly string[], test: SlotTest, expand: boolean): SqlFragment;
}

interface CompilerState extends TraversalState {
  readonly maxConditionLength: number;
}

const noNarrowing: Compiled = { sql: sqlTrue, exact: false };

function negate(inner: Compiled): Compiled {
  return inner.exact ? { sql: notSql(inner.sql), exact: true } : noNarrowing;
}

function all(parts: readonly Compiled[]): Compiled {
  return { sql: andSql(parts.map((part) => part.sql)), exact: parts.every((part) => part.exact) };
}

function any(parts: readonly Compiled[]): Compiled {
  return { sql: orSql(parts.map((part) => part.sql)), exact: parts.every((part) => part.exact) };
}

function recordRoot(state: CompilerState, columns: SqlFilterContext["columns"]): Root {
  return {
    resolve(segments, test, expand) {
      const [head, ...rest] = segments;
      const missing = test.onMissing ? sqlTrue : sqlFalse;
      switch (head) {
        case "_id":
          return rest.length === 0 ? test.test(keySlot(columns.key), null) : missing;
        case "value":
          return yieldFrom(state, pathSlot(columns.value, []), "value", rest, test, expand);
        case "metadata":
          return yieldFrom(
            state,
            metadataRootSlot(columns.metadata),
            "metadata",
            rest,
            test,
            expand,
          );
        case undefined:
          // The record view itself: never produced by the Vault or the data manager.
          throw new NotCompilable();
        default:
          return missing;
      }
    },
  };
}

function elementRoot(state: CompilerState, element: Slot, shape: ShapePath): Root {
  return {
    resolve(segments, test, expand) {
      if (segments.length === 0) return test.test(element, shape);
      return yieldFromElement(state, element, shape, segments, test, expand);
    },
  };
}

/** Raised where a condition cannot be written in SQL; the condition becomes "no narrowing". */
class NotCompilable extends Error {}

function elemMatchTest(state: CompilerState, filter: FilterNode, scalar: boolean): SlotTest {
  // Exactness does not depend on where the array is; learn it once.
  const probe = compileNode(
    { ...state, aliasCount: 0 },
    filter,
    elementRoot(state, elementSlot("probe"), null),
  );
  return {
    test: (slot, shape) => {
      if (slot.isKey) return sqlFalse;
      state.aliasCount++;
      const alias = `e${state.aliasCount}`;
      const element = elementSlot(alias);
      const inner = compileNode(state, filter, elementRoot(state, element, shape)).sql;
      // The document form only looks at elements that are documents or arrays, as MongoDB does.
      const condition = scalar
        ? inner
        : sql`CASE WHEN ${isDocumentSlot(element)} OR ${alias}.type = 'array' THEN ${inner} ELSE 0 END`;
      return sql`CASE WHEN ${typeIs(slot, "array")} THEN EXISTS (SELECT 1 FROM ${eachOf(slot, alias)} WHERE ${condition}) ELSE 0 END`;
    },
    onMissing: false,
    exact: probe.exact,
  };
}

function resolve(
  state: CompilerState,
  root: Root,
  segments: readonly string[],
  test: SlotTest,
  expand = true,
): Compiled {
  try {
    const condition = root.resolve(segments, test, expand);
    if (condition.text.length > state.maxConditionLength) return noNarrowing;
    return { sql: condition, exact: test.exact };
  } catch (error) {
    if (error instanceof NotCompilable || isUnrepresentablePath(error)) return noNarrowing;
    throw error;
  }
}

function isUnrepresentablePath(error: unknown): boolean {
  return error instanceof Error && error.message === "JSON path label is not representable";
}

function compileCondition(
  state: CompilerState,
  root: Root,
  segments: readonly string[],
  condition: FieldCondition,
): Compiled {
  switch (condition.op) {
    case "eq":
      return resolve(state, root, segments, equalitySqlTest(condition.value));
    case "ne":
      return negate(resolve(state, root, segments, equalitySqlTest(condition.value)));
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      return resolve(state, root, segments, rangeSqlTest(condition.op, condition.value));
    case "in":
      return resolve(state, root, segments, membershipSqlTest(condition.values, condition.regexes));
    case "nin":
      return negate(
        resolve(state, root, segments, membershipSqlTest(condition.values, condition.regexes)),
      );
    case "exists": {
      const exists = resolve(state, root, segments, existsSqlTest);
      return condition.value ? exists : negate(exists);
    }
    case "type":
      return resolve(state, root, segments, typeSqlTest(condition.types));
    case "regex":
      return resolve(state, root, segments, regexSqlTest(condition.regex));
    case "mod":
      return resolve(state, root, segments, modSqlTest(condition.divisor, condition.remainder));
    case "size":
      return resolve(state, root, segments, sizeSqlTest(condition.size), false);
    case "elemMatch":
      return resolve(
        state,
        root,
        segments,
        elemMatchTest(state, condition.filter, condition.scalar),
        false,
      );
    case "not":
      return negate(
        all(condition.conditions.map((inner) => compileCondition(state, root, segments, inner))),
      );
    case "all": {
      const { values, regexes, elemMatches } = condition;
      if (values.length + regexes.length + elemMatches.length === 0) {
        return { sql: sqlFalse, exact: true };
      }
      return all([
        ...values.map((value) => resolve(state, root, segments, equalitySqlTest(value))),
        ...regexes.map((regex) => resolve(state, root, segments, regexSqlTest(regex))),
        // Each entry is an `$elemMatch` on this same path; the path of the field itself is used,
        // so a filter whose paths were rewritten (document -> record view) still reads right.
        ...elemMatches.map((node) =>
          node.type === "field"
            ? compileCondition(state, root, segments, node.condition)
            : compileNode(state, node, root),
        ),
      ]);
    }
  }
}

function compileNode(state: CompilerState, node: FilterNode, root: Root): Compiled {
  switch (node.type) {
    case "field":
      return compileCondition(state, root, node.field.segments, node.condition);
    case "and":
      return all(node.children.map((child) => compileNode(state, child, root)));
    case "or":
      if (node.children.length === 0) return { sql: sqlFalse, exact: true };
      return any(node.children.map((child) => compileNode(state, child, root)));
    case "nor":
      if (node.children.length === 0) return { sql: sqlTrue, exact: true };
      return negate(any(node.children.map((child) => compileNode(state, child, root))));
  }
}

/**
 * Compiles a record-view filter to a SQL condition.
 *
 * @example
 * const where = compileFilterToSql(parseFilter({ "value.price": { $lt: 10 } }), {
 *   columns: { key: 'r."key"', value: 'r."value"', metadata: 'r."metadata"' },
 * });
 * // where.sql: (json_extract(r."value", '$.price') < ? AND json_type(...) IN ('integer', 'real')) ...
 */
export function compileFilterToSql(
  filter: FilterNode,
  context: SqlFilterContext,
): CompiledSqlFilter {
  const state: CompilerState = {
    shapes: context.shapes ?? unknownShapes,
    aliasCount: 0,
    maxConditionLength: context.maxConditionLength ?? 50_000,
  };
  const compiled = compileNode(state, filter, recordRoot(state, context.columns));
  return { sql: compiled.sql.text, params: [...compiled.sql.params], exact: compiled.exact };
}
