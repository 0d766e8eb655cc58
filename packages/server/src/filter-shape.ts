/**
 * The *shape* of a filter for the audit log: its operators and paths, never its values, so the
 * log shows what was asked without copying the data that was asked about.
 * `{ price: { $gt: 5 }, $or: [{ tag: "a" }, { tag: { $exists: false } }] }` becomes
 * `and(price:gt,or(tag:eq,tag:exists))`.
 */

import { type FieldCondition, type FilterNode, parseFilter } from "@agentvault/query";

/** Longest shape kept; longer ones are cut and end with `…`. */
export const maxFilterShapeLength = 512;

function describeCondition(condition: FieldCondition): string {
  switch (condition.op) {
    case "elemMatch":
      return `elemMatch(${describeNode(condition.filter)})`;
    case "not":
      return `not(${condition.conditions.map(describeCondition).join(",")})`;
    case "all":
      return condition.elemMatches.length > 0
        ? `all(${condition.elemMatches.map(describeNode).join(",")})`
        : "all";
    default:
      return condition.op;
  }
}

function describeNode(node: FilterNode): string {
  if (node.type === "field") return `${node.field.path}:${describeCondition(node.condition)}`;
  return `${node.type}(${node.children.map(describeNode).join(",")})`;
}

/** Describes an already parsed filter's shape. */
export function describeParsedFilterShape(node: FilterNode): string {
  const shape = describeNode(node);
  return shape.length > maxFilterShapeLength
    ? `${shape.slice(0, maxFilterShapeLength - 1)}…`
    : shape;
}

/**
 * Describes a filter's shape. Returns null for no filter and `invalid` for one that does not
 * parse (the call itself fails with the parse error).
 */
export function describeFilterShape(filter: unknown): string | null {
  if (filter === undefined || filter === null) return null;
  let node: FilterNode;
  try {
    node = parseFilter(filter);
  } catch {
    return "invalid";
  }
  return describeParsedFilterShape(node);
}
