/**
 * What a parsed filter touches, without its values. The wrappers need three answers:
 * - `describeFilterShape`: the filter's structure for operation logs (`logged`, vault hooks),
 *   paths and operators only, so a log never holds a stored or queried value;
 * - `filterUsesOnlyKey`: whether a filter reads nothing but `_id`, the one field `encrypted`
 *   keeps in plaintext, so the backend can run it natively;
 * - `keysPinnedByFilter`: the keys a filter can possibly match, when it names them, so
 *   `cached` can invalidate those keys instead of the whole collection.
 */

import type { FieldNode, FilterNode, SortSpec, Value } from "@agentvault/query";

const keyField = "_id";

function describeField(node: FieldNode): string {
  const condition = node.condition;
  const path = node.field.path === "" ? "(element)" : node.field.path;
  switch (condition.op) {
    case "in":
    case "nin":
      return `${path} $${condition.op}[${condition.values.length + condition.regexes.length}]`;
    case "all":
      return `${path} $all[${condition.values.length + condition.regexes.length + condition.elemMatches.length}]`;
    case "elemMatch":
      return `${path} $elemMatch(${describeFilterShape(condition.filter)})`;
    case "not":
      return `${path} $not(${condition.conditions.map((inner) => `$${inner.op}`).join(", ")})`;
    default:
      return `${path} $${condition.op}`;
  }
}

/**
 * A one-line description of a filter's structure: paths and operators, never values.
 *
 * @example
 * describeFilterShape(parseFilter({ "value.price": { $gte: 10 }, "metadata.kind": "a" }))
 * // "and(value.price $gte, metadata.kind $eq)"
 */
export function describeFilterShape(filter: FilterNode): string {
  if (filter.type === "field") return describeField(filter);
  if (filter.type === "and" && filter.children.length === 0) return "all";
  return `${filter.type}(${filter.children.map(describeFilterShape).join(", ")})`;
}

/** A one-line description of a sort: `value.price:-1, _id:1`. */
export function describeSortShape(sort: SortSpec): string {
  return sort.map((key) => `${key.field.path}:${key.direction}`).join(", ");
}

/** Whether every condition of `filter` is on the record key (`_id`). The empty filter counts. */
export function filterUsesOnlyKey(filter: FilterNode): boolean {
  if (filter.type === "field") return filter.field.segments[0] === keyField;
  return filter.children.every(filterUsesOnlyKey);
}

/** Whether `sort` is absent or orders by the record key only. */
export function sortUsesOnlyKey(sort: SortSpec | undefined): boolean {
  return sort === undefined || sort.every((key) => key.field.path === keyField);
}

function keysOfCondition(node: FieldNode): string[] | undefined {
  if (node.field.path !== keyField) return undefined;
  const condition = node.condition;
  if (condition.op === "eq") return typeof condition.value === "string" ? [condition.value] : [];
  if (condition.op === "in") {
    // A regular expression in `$in` can match keys we cannot list.
    if (condition.regexes.length > 0) return undefined;
    return condition.values.filter((value: Value): value is string => typeof value === "string");
  }
  return undefined;
}

/**
 * The keys `filter` can match, when it pins them (`_id` equality or `$in`, alone, inside an
 * `and`, or in every branch of an `or`); undefined when it may match other keys.
 */
export function keysPinnedByFilter(filter: FilterNode): string[] | undefined {
  if (filter.type === "field") return keysOfCondition(filter);
  if (filter.type === "and") {
    for (const child of filter.children) {
      const keys = keysPinnedByFilter(child);
      if (keys !== undefined) return keys;
    }
    return undefined;
  }
  if (filter.type === "or") {
    const keys: string[] = [];
    for (const child of filter.children) {
      const branch = keysPinnedByFilter(child);
      if (branch === undefined) return undefined;
      keys.push(...branch);
    }
    return keys;
  }
  return undefined;
}
