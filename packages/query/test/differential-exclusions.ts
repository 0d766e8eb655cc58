/**
 * Documented differences between mingo and MongoDB that the differential test must not count
 * against AgentVault. Each entry names the MongoDB behaviour AgentVault follows and, where one
 * exists, the corpus case that shows it. A pair (filter, document) is excluded only when the
 * entry's predicate says the behaviour is involved.
 */

import { typeBracket } from "../src/bson-type.js";

type Filter = Record<string, unknown>;

/** Every `[path, operatorObjectOrValue]` pair of a filter, through $and/$or/$nor. */
function conditions(filter: Filter): [string, unknown][] {
  const pairs: [string, unknown][] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key === "$and" || key === "$or" || key === "$nor") {
      for (const child of value as Filter[]) pairs.push(...conditions(child));
    } else {
      pairs.push([key, value]);
    }
  }
  return pairs;
}

/** Operator entries anywhere inside a condition (through $not and $elemMatch), as [name, argument]. */
function operators(condition: unknown): [string, unknown][] {
  if (typeof condition !== "object" || condition === null || Array.isArray(condition)) return [];
  if (condition instanceof Date) return [];
  const found: [string, unknown][] = [];
  for (const [key, value] of Object.entries(condition)) {
    if (key.startsWith("$")) found.push([key, value]);
    found.push(...operators(value));
  }
  return found;
}

/** Raw values reachable along a path, with any array expanded at every level (a superset). */
function reachable(value: unknown, segments: readonly string[]): unknown[] {
  if (segments.length === 0) return Array.isArray(value) ? [value, ...value.flat(3)] : [value];
  if (Array.isArray(value)) return value.flatMap((element) => [...reachable(element, segments)]);
  if (typeof value !== "object" || value === null || value instanceof Date) return [];
  const [head, ...rest] = segments;
  return Object.hasOwn(value, head!) ? reachable((value as Filter)[head!], rest) : [];
}

/** Whether an array sits on the path (before its end) or the path ends on a nested array. */
function arrayOnPath(value: unknown, segments: readonly string[]): boolean {
  if (Array.isArray(value)) return true;
  if (segments.length === 0 || typeof value !== "object" || value === null) return false;
  const [head, ...rest] = segments;
  return Object.hasOwn(value, head!) && arrayOnPath((value as Filter)[head!], rest);
}

function hasNestedArray(value: unknown): boolean {
  if (Array.isArray(value))
    return value.some((element) => Array.isArray(element) || hasNestedArray(element));
  if (typeof value !== "object" || value === null || value instanceof Date) return false;
  return Object.values(value).some(hasNestedArray);
}

/** One documented difference. */
export interface KnownDifference {
  readonly name: string;
  /** The MongoDB behaviour AgentVault follows (and mingo does not), with the corpus case if any. */
  readonly mongodb: string;
  readonly applies: (filter: Filter, document: Filter) => boolean;
}

const rangeOperators = new Set(["$gt", "$gte", "$lt", "$lte"]);

export const knownDifferences: readonly KnownDifference[] = [
  {
    name: "number subtypes",
    mongodb:
      "$type int/long/double test the stored BSON type; AgentVault derives it from the value (an integer in int32 is int), mingo calls every number double",
    applies: (filter) =>
      conditions(filter).some(([, condition]) =>
        operators(condition).some(
          ([name, argument]) =>
            name === "$type" && ["int", "long", "double"].includes(argument as string),
        ),
      ),
  },
  {
    name: "$mod on non-integers",
    mongodb:
      "$mod matches numbers only (corpus TestQueryEvaluationMod/*: strings, dates and booleans never match) and truncates a fractional dividend toward zero first (ModMatchExpression); mingo coerces non-numbers and keeps fractions",
    applies: (filter, document) =>
      conditions(filter).some(
        ([path, condition]) =>
          operators(condition).some(([name]) => name === "$mod") &&
          reachable(document, path.split(".")).some((value) => !Number.isInteger(value)),
      ),
  },
  {
    name: "missing is null for $gte/$lte/$all",
    mongodb:
      "a missing field compares equal to null, so $gte: null, $lte: null and $all: [null] match it (corpus TestQueryArrayAll/Nil, sift row44/row54)",
    applies: (filter) =>
      conditions(filter).some(([, condition]) =>
        operators(condition).some(
          ([name, argument]) =>
            ((name === "$gte" || name === "$lte") && argument === null) ||
            (name === "$all" && Array.isArray(argument) && argument.includes(null)),
        ),
      ),
  },
  {
    name: "range across type brackets",
    mongodb:
      "$gt/$gte/$lt/$lte only match values in the operand's type bracket (corpus TestQueryComparisonGt/*, TestQueryComparisonLt/*); mingo compares some values across types",
    applies: (filter, document) =>
      conditions(filter).some(([path, condition]) =>
        operators(condition).some(
          ([name, argument]) =>
            rangeOperators.has(name) &&
            reachable(document, path.split(".")).some(
              (value) => value !== null && typeBracket(value) !== typeBracket(argument),
            ),
        ),
      ),
  },
  {
    name: "arrays on the path",
    mongodb:
      "a path through an array only enters object elements (and the element at a numeric index); scalar elements and absent positions yield nothing, so null/$exists/$ne conditions do not match through them (corpus sift row13: {'field.0': null} does not match {field: []}); nested arrays are never flattened twice (corpus TestArrayEquality/*, mongo-java-server testMatchesEqualOneArrayValue); mingo descends into both",
    applies: (filter, document) =>
      hasNestedArray(document) ||
      conditions(filter).some(([path]) => {
        const segments = path.split(".");
        return segments.length > 1 && arrayOnPath(document, segments.slice(0, -1));
      }),
  },
  {
    name: "$type on array elements",
    mongodb:
      "$type matches an array when any element has the type (corpus TestQueryElementType/String matches [42, 'foo', null]); mingo tests the array only",
    applies: (filter, document) =>
      conditions(filter).some(
        ([path, condition]) =>
          operators(condition).some(([name]) => name === "$type") &&
          reachable(document, path.split(".")).some(Array.isArray),
      ),
  },
  {
    name: "$all on a scalar",
    mongodb:
      "$all: [v] matches a scalar field equal to v, like { field: v } (corpus TestQueryArrayAll/String matches 'foo'); mingo requires an array",
    applies: (filter, document) =>
      conditions(filter).some(
        ([path, condition]) =>
          operators(condition).some(([name]) => name === "$all") &&
          reachable(document, path.split(".")).some((value) => !Array.isArray(value)),
      ),
  },
  {
    name: "document $elemMatch skips non-objects",
    mongodb:
      "$elemMatch with field conditions only tests array elements that are documents (MongoDB's ElemMatchObjectMatchExpression skips scalars); mingo also tests scalar elements",
    applies: (filter, document) =>
      conditions(filter).some(
        ([path, condition]) =>
          operators(condition).some(
            ([name, argument]) =>
              name === "$elemMatch" &&
              Object.keys(argument as Filter).some((key) => !key.startsWith("$")),
          ) &&
          reachable(document, path.split(".")).some(
            (value) =>
              Array.isArray(value) &&
              value.some(
                (element) =>
                  typeof element !== "object" || element === null || element instanceof Date,
              ),
          ),
      ),
  },
];

/** The first documented difference involved in comparing `filter` on `document`, if any. */
export function knownDifference(filter: Filter, document: Filter): KnownDifference | undefined {
  return knownDifferences.find((difference) => difference.applies(filter, document));
}
