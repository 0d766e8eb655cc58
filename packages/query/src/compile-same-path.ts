/**
 * Fuses several conditions on one path inside an AND (`{ price: { $gt: 10, $lte: 900 } }`):
 * the path is read once and every condition tests the value it ends on (and, for an array, its
 * elements: each condition may be met by a different element, as in MongoDB). When an array sits
 * before the end of the path, the conditions run separately through the general traversal.
 * @internal
 */

import type { FieldCondition, FieldNode, FilterNode } from "./ast.js";
import { arrayOnPath, compileLeafResolver, leafMatches, type ValueTest } from "./path-values.js";

/** A condition reduced to a test on the single value: it holds when `test(value) !== negated`. */
interface ScalarCheck {
  readonly test: ValueTest;
  readonly negated: boolean;
}

/** The single-value test of a positive condition (the closures' `closureValueTest`). */
export type PositiveValueTest = (condition: FieldCondition) => ValueTest | undefined;

/**
 * A condition as a positive condition on the single value and whether it is negated (`$ne` is a
 * negated `eq`, `$nin` a negated `in`, `$exists: false` a negated `exists`), for the conditions
 * that have a single-value form.
 */
export function positiveForm(
  condition: FieldCondition,
): { readonly condition: FieldCondition; readonly negated: boolean } | undefined {
  switch (condition.op) {
    case "ne":
      return { condition: { op: "eq", value: condition.value }, negated: true };
    case "nin":
      return {
        condition: { op: "in", values: condition.values, regexes: condition.regexes },
        negated: true,
      };
    case "exists":
      return { condition: { op: "exists", value: true }, negated: !condition.value };
    case "eq":
    case "gt":
    case "gte":
    case "lt":
    case "lte":
    case "in":
    case "type":
    case "regex":
    case "mod":
      return { condition, negated: false };
    default:
      return undefined;
  }
}

/** The single-value form of a condition that has one (see {@link positiveForm}). */
function scalarCheck(condition: FieldCondition, valueTest: PositiveValueTest): ScalarCheck {
  const form = positiveForm(condition)!;
  return { test: valueTest(form.condition)!, negated: form.negated };
}

function pathKey(node: FilterNode): string | undefined {
  if (node.type !== "field" || node.field.segments.length === 0) return undefined;
  return positiveForm(node.condition) === undefined ? undefined : node.field.segments.join("\0");
}

/**
 * Splits AND children into groups of fusable field nodes sharing a path (two or more) and the
 * rest, keeping the rest in order.
 */
export function groupSamePathConditions(children: readonly FilterNode[]): {
  groups: FieldNode[][];
  rest: FilterNode[];
} {
  const byPath = new Map<string, FieldNode[]>();
  for (const child of children) {
    const key = pathKey(child);
    if (key !== undefined) byPath.set(key, [...(byPath.get(key) ?? []), child as FieldNode]);
  }
  const groups = [...byPath.values()].filter((group) => group.length > 1);
  const grouped = new Set<FilterNode>(groups.flat());
  return { groups, rest: children.filter((child) => !grouped.has(child)) };
}

/**
 * Compiles a group of same-path field nodes. `separately` is the group compiled the ordinary way,
 * used when an array sits on the path; `valueTest` gives each positive condition's test.
 */
export function compileSamePath(
  group: readonly FieldNode[],
  separately: (document: unknown) => boolean,
  valueTest: PositiveValueTest,
): (document: unknown) => boolean {
  const resolve = compileLeafResolver(group[0]!.field.segments);
  const checks = group.map((node) => scalarCheck(node.condition, valueTest));
  return (document) => {
    const value = resolve(document);
    if (value === arrayOnPath) return separately(document);
    if (Array.isArray(value)) {
      for (const check of checks)
        if (leafMatches(value, check.test) === check.negated) return false;
      return true;
    }
    for (const check of checks) if (check.test(value) === check.negated) return false;
    return true;
  };
}
