/**
 * The narrowing planner: which index sets can stand in for a full scan of a collection. Pure:
 * it reads the filter and the index definitions, never Redis.
 *
 * A plan is an intersection of sources, each the union of its parts (sets, score ranges or
 * explicit keys). Only conditions that every matching record must satisfy may narrow, so the
 * planner looks at the filter itself and, through nested `$and`s, at the children of a
 * top-level `and`, never inside `$or`, `$nor`, `$not` or `$elemMatch`. Of those it uses:
 * - `_id` equal to a string, or `$in` of strings: the keys themselves;
 * - `eq` / `$in` on an indexed path, with no `null` (it also matches missing fields), NaN or
 *   regular expression: the equality sets of the values;
 * - `$gt`/`$gte`/`$lt`/`$lte` with a number or a date on an indexed path: a score range of the
 *   largest (for `$gt`) or smallest (for `$lt`) value's sorted set.
 * The candidates are always a superset of the matches (see `redis-index-entries.ts`), and the
 * in-memory evaluation of the whole filter decides. When the filter offers keys, only keys are
 * used; otherwise equality sets if any, else ranges: the cheaper kinds are far more selective,
 * and intersecting with a wide range would only fetch more members.
 */

import type { FieldNode, FilterNode, Value } from "@agentvault/query";
import { encodeIndexValue, type IndexDefinition } from "./redis-index-entries.js";
import { indexSetSuffix } from "./redis-key-layout.js";

/** One way of listing candidate keys. */
export type CandidatePart =
  | { readonly kind: "set"; readonly suffix: string }
  | {
      readonly kind: "range";
      readonly suffix: string;
      /** Redis score bounds: `-inf`, `+inf`, `5` (inclusive) or `(5` (exclusive). */
      readonly min: string;
      readonly max: string;
    }
  | { readonly kind: "key"; readonly key: string };

/** A narrowing plan: the candidates are the intersection of the unions of each source's parts. */
export interface CandidatePlan {
  readonly sources: readonly (readonly CandidatePart[])[];
}

type SourceClass = "key" | "set" | "range";

interface ClassifiedSource {
  readonly class: SourceClass;
  readonly parts: readonly CandidatePart[];
}

/** Values that an equality set can stand for. */
function isIndexableEquality(value: Value): boolean {
  return value !== null && !(typeof value === "number" && Number.isNaN(value));
}

function keySource(node: FieldNode): ClassifiedSource | undefined {
  const { condition } = node;
  if (condition.op === "eq" && typeof condition.value === "string") {
    return { class: "key", parts: [{ kind: "key", key: condition.value }] };
  }
  if (
    condition.op === "in" &&
    condition.regexes.length === 0 &&
    condition.values.every((value) => typeof value === "string")
  ) {
    const keys = [...new Set(condition.values as readonly string[])];
    return { class: "key", parts: keys.map((key) => ({ kind: "key", key })) };
  }
  return undefined;
}

function rangeSource(node: FieldNode, index: IndexDefinition): ClassifiedSource | undefined {
  const { condition } = node;
  if (
    condition.op !== "gt" &&
    condition.op !== "gte" &&
    condition.op !== "lt" &&
    condition.op !== "lte"
  ) {
    return undefined;
  }
  const operand = condition.value;
  let score: number;
  let type: "n" | "d";
  if (typeof operand === "number" && !Number.isNaN(operand)) {
    score = operand;
    type = "n";
  } else if (operand instanceof Date && !Number.isNaN(operand.getTime())) {
    score = operand.getTime();
    type = "d";
  } else {
    return undefined;
  }
  const bound = condition.op === "gt" || condition.op === "lt" ? `(${score}` : `${score}`;
  const upward = condition.op === "gt" || condition.op === "gte";
  const suffix = indexSetSuffix.range(index.id, `${type}${upward ? "hi" : "lo"}`);
  const part: CandidatePart = upward
    ? { kind: "range", suffix, min: bound, max: "+inf" }
    : { kind: "range", suffix, min: "-inf", max: bound };
  return { class: "range", parts: [part] };
}

function equalitySource(node: FieldNode, index: IndexDefinition): ClassifiedSource | undefined {
  const { condition } = node;
  let values: readonly Value[];
  if (condition.op === "eq") values = [condition.value];
  else if (condition.op === "in" && condition.regexes.length === 0) values = condition.values;
  else return undefined;
  if (!values.every(isIndexableEquality)) return undefined;
  const suffixes = new Set(
    values.map((value) => indexSetSuffix.equality(index.id, encodeIndexValue(value))),
  );
  return { class: "set", parts: [...suffixes].map((suffix) => ({ kind: "set", suffix })) };
}

function fieldSource(
  node: FieldNode,
  indexes: ReadonlyMap<string, IndexDefinition>,
): ClassifiedSource | undefined {
  if (node.field.path === "_id") return keySource(node);
  const index = indexes.get(node.field.path);
  if (index === undefined) return undefined;
  return equalitySource(node, index) ?? rangeSource(node, index);
}

function collect(
  node: FilterNode,
  indexes: ReadonlyMap<string, IndexDefinition>,
  sources: ClassifiedSource[],
): void {
  if (node.type === "and") {
    for (const child of node.children) collect(child, indexes, sources);
  } else if (node.type === "field") {
    const source = fieldSource(node, indexes);
    if (source !== undefined) sources.push(source);
  }
}

/**
 * Plans how to narrow `filter` with the `ready` indexes of `indexes`; undefined when nothing
 * narrows it and the whole collection must be scanned.
 *
 * @example
 * planCandidates(parseFilter({ "value.sku": "A-1", "value.price": { $lt: 5 } }), indexes)
 * // { sources: [[{ kind: "set", suffix: 'ix:0:e:"A-1"' }]] }
 */
export function planCandidates(
  filter: FilterNode,
  indexes: readonly IndexDefinition[],
): CandidatePlan | undefined {
  const byPath = new Map<string, IndexDefinition>();
  for (const index of indexes) if (index.ready) byPath.set(index.path, index);
  const sources: ClassifiedSource[] = [];
  collect(filter, byPath, sources);
  for (const wanted of ["key", "set", "range"] as const) {
    const chosen = sources.filter((source) => source.class === wanted);
    if (chosen.length > 0) return { sources: chosen.map((source) => source.parts) };
  }
  return undefined;
}
