/**
 * Compiles the filter AST (rooted in the record view) into a Qdrant filter. Pure: no client, no
 * I/O, so every rule here is unit-tested.
 *
 * The result is `{ filter, exact }`. When `exact` is false the filter is a *superset*: it never
 * drops a record the AST matches, and the provider re-checks every candidate with the shared
 * evaluator (`compilePredicate`). A negation (`$ne`, `$nin`, `$not`, `$nor`) can only be
 * compiled from an exact inner condition (the negation of a superset would be a subset), so an
 * inexact one under a negation is dropped (matches everything) and the whole result is inexact.
 *
 * Paths: the payload holds the record view as is (`_id`, `value`, `metadata`), so `value.x` is
 * asked as the key `value.x`; Qdrant, like MongoDB, matches an array there when one element
 * matches. The compiler assumes the value is a document: the provider marks records whose value
 * is not (the data manager stores any JSON value) and always re-checks those. Deeper paths may
 * cross arrays of sub-documents, which Qdrant only follows with an explicit `[]`: they are asked
 * on every projection with and without `[]` (a superset) and re-checked. Segments that are array
 * indexes or not plain identifiers are left to the re-check.
 */

import type { FieldCondition, FieldNode, FilterNode, Value } from "@agentvault/query";

/** A Qdrant condition (the subset of the REST schema this compiler emits). */
export type QdrantCondition =
  | QdrantFilter
  | {
      readonly key: string;
      readonly match?:
        | { readonly value: string | number | boolean }
        | { readonly any: readonly string[] | readonly number[] };
      readonly range?: {
        readonly gt?: number;
        readonly gte?: number;
        readonly lt?: number;
        readonly lte?: number;
      };
      readonly values_count?: { readonly gte?: number; readonly lte?: number };
    }
  | { readonly is_empty: { readonly key: string } }
  | { readonly is_null: { readonly key: string } }
  | { readonly nested: { readonly key: string; readonly filter: QdrantFilter } };

/** A Qdrant filter: `must` (and), `should` (or), `must_not` (nor). */
export interface QdrantFilter {
  readonly must?: readonly QdrantCondition[];
  readonly should?: readonly QdrantCondition[];
  readonly must_not?: readonly QdrantCondition[];
}

/** The compiled filter: undefined when nothing can be asked natively (match everything). */
export interface CompiledQdrantFilter {
  readonly filter: QdrantFilter | undefined;
  /** Whether Qdrant's answer is exactly the AST's; otherwise candidates must be re-checked. */
  readonly exact: boolean;
}

/** One compiled node: `condition` undefined means "no constraint". */
interface Compiled {
  readonly condition: QdrantCondition | undefined;
  readonly exact: boolean;
}

const unconstrained: Compiled = { condition: undefined, exact: false };
const plainSegment = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Deeper paths have 2^(segments-1) projections; past this many, leave the path to the re-check. */
const maxProjections = 8;

/** Where a path's values may be: the keys to ask, and whether asking them is exact. */
type KeyResolver = (
  segments: readonly string[],
) => { readonly keys: readonly string[]; readonly exact: boolean } | undefined;

/**
 * The Qdrant keys to ask for a record-view path (any of them may hold the value), and whether
 * asking them is exact. Undefined when the path cannot be asked natively.
 */
export function payloadKeys(
  segments: readonly string[],
): { readonly keys: readonly string[]; readonly exact: boolean } | undefined {
  const [root, ...rest] = segments;
  if (root === "_id") return rest.length === 0 ? { keys: ["_id"], exact: true } : undefined;
  if (root !== "value" && root !== "metadata") return undefined;
  return projections(root, rest);
}

/** Keys below `root` for `rest`, with `[]` after each inner segment that may be an array. */
function projections(
  root: string,
  rest: readonly string[],
): { readonly keys: readonly string[]; readonly exact: boolean } | undefined {
  if (rest.length === 0 || !rest.every((segment) => plainSegment.test(segment))) return undefined;
  let keys = [root];
  for (let index = 0; index < rest.length; index++) {
    const segment = rest[index]!;
    const inner = index < rest.length - 1;
    keys = keys.flatMap((key) =>
      inner ? [`${key}.${segment}`, `${key}.${segment}[]`] : [`${key}.${segment}`],
    );
    if (keys.length > maxProjections) return undefined;
  }
  return { keys, exact: rest.length === 1 };
}

/** Inside `nested`, keys are relative to the array element. */
const elementKeys: KeyResolver = (segments) => {
  if (segments.length !== 1 || !plainSegment.test(segments[0]!)) return undefined;
  return { keys: [segments[0]!], exact: true };
};

function anyOf(conditions: readonly QdrantCondition[]): QdrantCondition {
  return conditions.length === 1 ? conditions[0]! : { should: conditions };
}

/** A positive test on one value at every key, or undefined when Qdrant cannot express it. */
function valueTest(key: string, value: Value): QdrantCondition | undefined {
  if (typeof value === "string" || typeof value === "boolean") return { key, match: { value } };
  if (typeof value === "number" && Number.isFinite(value)) {
    // Integers match exactly; other numbers as a one-point range (Qdrant matches floats by range).
    return Number.isInteger(value)
      ? { key, match: { value } }
      : { key, range: { gte: value, lte: value } };
  }
  return undefined;
}

/** `$eq` (MongoDB: equal, or an array holding an equal element). */
function equality(keys: readonly string[], value: Value, exactPath: boolean): Compiled {
  if (value === null) {
    // null also matches a missing field; is_empty adds [] and is_null nothing more: a superset.
    return {
      condition: anyOf(keys.flatMap((key) => [{ is_null: { key } }, { is_empty: { key } }])),
      exact: false,
    };
  }
  const tests = keys.map((key) => valueTest(key, value));
  if (tests.some((test) => test === undefined)) return unconstrained;
  return { condition: anyOf(tests as QdrantCondition[]), exact: exactPath };
}

/** `$in` without regexes: strings and integers grouped into `match.any`. */
function membership(
  keys: readonly string[],
  values: readonly Value[],
  exactPath: boolean,
): Compiled {
  const strings = values.filter((value): value is string => typeof value === "string");
  const integers = values.filter(
    (value): value is number => typeof value === "number" && Number.isSafeInteger(value),
  );
  const others = values.filter(
    (value) => !strings.includes(value as string) && !integers.includes(value as number),
  );
  const conditions: QdrantCondition[] = [];
  let exact = exactPath;
  for (const key of keys) {
    if (strings.length > 0) conditions.push({ key, match: { any: strings } });
    if (integers.length > 0) conditions.push({ key, match: { any: integers } });
  }
  for (const value of others) {
    const compiled = equality(keys, value, exactPath);
    if (compiled.condition === undefined) return unconstrained;
    conditions.push(compiled.condition);
    exact &&= compiled.exact;
  }
  // `$in: []` matches nothing; an empty Qdrant `should` might not say so: leave it to the re-check.
  if (conditions.length === 0) return unconstrained;
  return { condition: anyOf(conditions), exact };
}

function negate(compiled: Compiled): Compiled {
  if (!compiled.exact || compiled.condition === undefined) return unconstrained;
  return { condition: { must_not: [compiled.condition] }, exact: true };
}

function allOf(parts: readonly Compiled[]): Compiled {
  const conditions = parts.flatMap((part) =>
    part.condition === undefined ? [] : [part.condition],
  );
  const exact = parts.every((part) => part.exact);
  if (conditions.length === 0) return { condition: undefined, exact };
  return { condition: conditions.length === 1 ? conditions[0]! : { must: conditions }, exact };
}

function condition(field: FieldNode, test: FieldCondition, resolve: KeyResolver): Compiled {
  const paths = resolve(field.field.segments);
  if (paths === undefined) return unconstrained;
  const { keys, exact } = paths;
  switch (test.op) {
    case "eq":
      return equality(keys, test.value, exact);
    case "ne":
      return negate(equality(keys, test.value, exact));
    case "in":
      return test.regexes.length > 0 ? unconstrained : membership(keys, test.values, exact);
    case "nin":
      return test.regexes.length > 0 ? unconstrained : negate(membership(keys, test.values, exact));
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      // Numbers only: MongoDB compares within a type bracket, Qdrant ranges skip non-numbers.
      if (typeof test.value !== "number" || Number.isNaN(test.value)) return unconstrained;
      const range = { [test.op]: test.value };
      return { condition: anyOf(keys.map((key) => ({ key, range }))), exact };
    }
    case "exists":
      // Qdrant cannot tell a missing field from null or []: is_empty is a superset of missing.
      return test.value
        ? unconstrained
        : { condition: anyOf(keys.map((key) => ({ is_empty: { key } }))), exact: false };
    case "size":
      // values_count also counts a scalar as one value: a superset.
      return {
        condition: anyOf(
          keys.map((key) => ({ key, values_count: { gte: test.size, lte: test.size } })),
        ),
        exact: false,
      };
    case "all": {
      if (test.values.length === 0 || test.regexes.length > 0) return unconstrained;
      const parts = test.values.map((value) => equality(keys, value, exact));
      const inner = test.elemMatches.map((node) =>
        node.type === "field" && node.condition.op === "elemMatch"
          ? elementMatch(field.field.segments, node.condition, resolve)
          : unconstrained,
      );
      return allOf([...parts, ...inner]);
    }
    case "elemMatch":
      return elementMatch(field.field.segments, test, resolve);
    case "not":
      return negate(allOf(test.conditions.map((inner) => condition(field, inner, resolve))));
    default:
      // $type, $regex, $mod: no native form.
      return unconstrained;
  }
}

function asFilter(condition: QdrantCondition): QdrantFilter {
  return "must" in condition || "should" in condition || "must_not" in condition
    ? (condition as QdrantFilter)
    : { must: [condition] };
}

/**
 * `$elemMatch` on sub-documents as a `nested` condition per projection of the array. Always
 * re-checked: MongoDB and Qdrant may differ on elements that are arrays themselves.
 */
function elementMatch(
  segments: readonly string[],
  test: Extract<FieldCondition, { op: "elemMatch" }>,
  resolve: KeyResolver,
): Compiled {
  const paths = resolve === elementKeys ? undefined : payloadKeys(segments);
  if (paths === undefined || test.scalar || segments[0] === "_id") return unconstrained;
  const inner = compileNode(test.filter, elementKeys);
  if (inner.condition === undefined) return unconstrained;
  const filter = asFilter(inner.condition);
  return {
    condition: anyOf(paths.keys.map((key) => ({ nested: { key, filter } }))),
    exact: false,
  };
}

/** Compiles one node, resolving paths with `resolve`. */
function compileNode(node: FilterNode, resolve: KeyResolver): Compiled {
  if (node.type === "field") return condition(node, node.condition, resolve);
  const children = node.children.map((child) => compileNode(child, resolve));
  if (node.type === "and") return allOf(children);
  if (node.type === "nor") {
    if (children.length === 0) return { condition: undefined, exact: true };
    if (!children.every((child) => child.exact && child.condition !== undefined)) {
      return unconstrained;
    }
    return { condition: { must_not: children.map((child) => child.condition!) }, exact: true };
  }
  if (children.length === 0) return unconstrained;
  if (children.some((child) => child.condition === undefined)) return unconstrained;
  return {
    condition: anyOf(children.map((child) => child.condition!)),
    exact: children.every((child) => child.exact),
  };
}

/**
 * Compiles a filter over the record view into a Qdrant filter.
 *
 * @example
 * compileFilterToQdrant(parseFilter({ "value.tags": "a", "value.n": { $gt: 2 } }))
 * // { filter: { must: [ { should: [ { key: "value.tags", match: { value: "a" } }, ... ] }, ... ] }, exact: true }
 */
export function compileFilterToQdrant(node: FilterNode): CompiledQdrantFilter {
  const compiled = compileNode(node, payloadKeys);
  if (compiled.condition === undefined) return { filter: undefined, exact: compiled.exact };
  return { filter: asFilter(compiled.condition), exact: compiled.exact };
}
