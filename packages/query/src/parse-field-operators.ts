/**
 * Field-level operator expressions: `{ $gt: 1, $lt: 5 }`, `{ $in: [...] }`, `{ $not: {...} }`.
 * Each operator becomes one `FieldCondition`; MongoDB's argument rules are enforced here.
 * @internal
 */

import type {
  FieldCondition,
  FieldNode,
  FieldPath,
  FilterNode,
  RangeOperator,
  RegexValue,
} from "./ast.js";
import {
  checkDepth,
  child,
  countNode,
  describe,
  fail,
  isOperatorObject,
  isPlainObject,
  named,
  type Site,
  scriptOperators,
} from "./parse-context.js";
import { elementPath, parseFilterObject } from "./parse-filter.js";
import { parseMod, parseSize } from "./parse-numeric-operators.js";
import { parseTypeList } from "./parse-type-operator.js";
import { isRegexLiteral, parseRegex, parseRegexLiteral, parseValue } from "./parse-value.js";
import type { Value } from "./values.js";

const rangeOperators: Readonly<Record<string, RangeOperator>> = {
  $gt: "gt",
  $gte: "gte",
  $lt: "lt",
  $lte: "lte",
};

/** Keywords that make an `$elemMatch` argument a document filter rather than a value filter. */
const documentKeywords: ReadonlySet<string> = new Set(["$and", "$or", "$nor", "$comment"]);

const matchNothing: FieldCondition = Object.freeze({
  op: "in",
  values: Object.freeze([]),
  regexes: Object.freeze([]),
});

/** Builds one frozen field node, counting it against `maxNodes`. */
export function fieldNode(field: FieldPath, condition: FieldCondition, site: Site): FieldNode {
  countNode(site);
  return Object.freeze({ type: "field", field, condition });
}

/** BSON truthiness, which `$exists` uses: only `false`, `0` and `null` are false. */
function bsonTrueValue(raw: unknown, site: Site): boolean {
  if (raw === undefined) fail("$exists needs a value", site.path);
  return !(raw === false || raw === 0 || raw === null);
}

function requireList(raw: unknown, operator: string, site: Site): readonly unknown[] {
  if (!Array.isArray(raw))
    return fail(`${operator} needs an array, not ${describe(raw)}`, site.path);
  const { maxInValues } = site.context.limits;
  if (raw.length > maxInValues)
    fail(`${operator} lists more than ${maxInValues} values`, site.path);
  checkDepth(site);
  return raw;
}

function parseInList(raw: unknown, operator: "$in" | "$nin", site: Site): FieldCondition {
  const list = requireList(raw, operator, site);
  const values: Value[] = [];
  const regexes: RegexValue[] = [];
  for (let index = 0; index < list.length; index++) {
    const item = list[index];
    const itemSite = child(site, index);
    if (isRegexLiteral(item)) regexes.push(parseRegexLiteral(item, itemSite));
    else if (isOperatorObject(item))
      fail(`Operators cannot be nested inside ${operator}`, itemSite.path);
    else values.push(parseValue(item, itemSite));
  }
  const op = operator === "$in" ? "in" : "nin";
  return Object.freeze({ op, values: Object.freeze(values), regexes: Object.freeze(regexes) });
}

/** Parses an `$elemMatch` argument, choosing the value or document form as MongoDB does. */
function parseElemMatch(raw: unknown, site: Site): FieldCondition {
  if (!isPlainObject(raw))
    return fail(`$elemMatch needs an object, not ${describe(raw)}`, site.path);
  const firstKey = Object.keys(raw)[0] ?? "";
  const scalar =
    firstKey.startsWith("$") && !documentKeywords.has(firstKey) && !scriptOperators.has(firstKey);
  let filter: FilterNode;
  if (scalar) {
    const nodes = parseOperatorObject(raw, elementPath, site).map((condition) =>
      fieldNode(elementPath, condition, site),
    );
    filter =
      nodes.length === 1
        ? nodes[0]!
        : Object.freeze({ type: "and", children: Object.freeze(nodes) });
  } else {
    filter = parseFilterObject(raw, site);
  }
  return Object.freeze({ op: "elemMatch", filter, scalar });
}

function parseAll(raw: unknown, field: FieldPath, site: Site): FieldCondition {
  const list = requireList(raw, "$all", site);
  const values: Value[] = [];
  const regexes: RegexValue[] = [];
  const elemMatches: FieldNode[] = [];
  const first = list[0];
  const elemMatchForm = isOperatorObject(first) && Object.keys(first)[0] === "$elemMatch";
  for (let index = 0; index < list.length; index++) {
    const item = list[index];
    const itemSite = child(site, index);
    if (elemMatchForm) {
      const keys = isPlainObject(item) ? Object.keys(item) : [];
      if (keys.length !== 1 || keys[0] !== "$elemMatch") {
        fail("$all with $elemMatch needs an $elemMatch in every entry", itemSite.path);
      }
      checkDepth(itemSite);
      const argument = (item as Record<string, unknown>).$elemMatch;
      const condition = parseElemMatch(argument, child(itemSite, "$elemMatch"));
      // A complete field node on the `$all` path, so compilers AND it like any other node.
      elemMatches.push(fieldNode(field, condition, itemSite));
    } else if (isRegexLiteral(item)) {
      regexes.push(parseRegexLiteral(item, itemSite));
    } else if (isOperatorObject(item)) {
      fail("Operators cannot be nested inside $all (except $elemMatch)", itemSite.path);
    } else {
      values.push(parseValue(item, itemSite));
    }
  }
  return Object.freeze({
    op: "all",
    values: Object.freeze(values),
    regexes: Object.freeze(regexes),
    elemMatches: Object.freeze(elemMatches),
  });
}

function parseRegexOperator(operators: Record<string, unknown>, site: Site): FieldCondition {
  const raw = operators.$regex;
  const rawOptions = operators.$options;
  const regexSite = child(site, "$regex");
  if (rawOptions !== undefined && typeof rawOptions !== "string") {
    fail("$options needs a string", child(site, "$options").path);
  }
  let regex: RegexValue;
  if (isRegexLiteral(raw)) {
    regex = parseRegexLiteral(raw, regexSite);
    if (rawOptions) {
      if (regex.options !== "")
        fail("Regex options are set in both $regex and $options", site.path);
      regex = parseRegex(regex.pattern, rawOptions, regexSite);
    }
  } else if (typeof raw === "string") {
    regex = parseRegex(raw, rawOptions ?? "", regexSite);
  } else {
    return fail(
      `$regex needs a string or a regular expression, not ${describe(raw)}`,
      regexSite.path,
    );
  }
  return Object.freeze({ op: "regex", regex });
}

function parseNot(raw: unknown, field: FieldPath, site: Site): FieldCondition {
  let conditions: readonly FieldCondition[];
  if (isRegexLiteral(raw)) {
    conditions = [Object.freeze({ op: "regex", regex: parseRegexLiteral(raw, site) })];
  } else if (isOperatorObject(raw)) {
    conditions = parseOperatorObject(raw, field, site);
  } else {
    return fail("$not needs a regular expression or an object of operators", site.path);
  }
  return Object.freeze({ op: "not", conditions: Object.freeze(conditions) });
}

function parseComparand(raw: unknown, operator: string, site: Site): Value {
  if (isRegexLiteral(raw)) fail(`${operator} cannot take a regular expression`, site.path);
  return parseValue(raw, site);
}

function parseOperator(key: string, raw: unknown, field: FieldPath, site: Site): FieldCondition {
  const argument = child(site, key);
  const range = rangeOperators[key];
  if (range !== undefined)
    return Object.freeze({ op: range, value: parseComparand(raw, key, argument) });
  switch (key) {
    case "$eq":
      // MongoDB compares a regex operand with stored regex values, which our documents cannot
      // hold: the condition matches nothing, written as an empty `$in`.
      if (isRegexLiteral(raw)) return matchNothing;
      return Object.freeze({ op: "eq", value: parseValue(raw, argument) });
    case "$ne":
      return Object.freeze({ op: "ne", value: parseComparand(raw, key, argument) });
    case "$in":
    case "$nin":
      return parseInList(raw, key, argument);
    case "$exists":
      return Object.freeze({ op: "exists", value: bsonTrueValue(raw, argument) });
    case "$type":
      return Object.freeze({ op: "type", types: parseTypeList(raw, argument) });
    case "$all":
      return parseAll(raw, field, argument);
    case "$size":
      return Object.freeze({ op: "size", size: parseSize(raw, argument.path) });
    case "$mod":
      return Object.freeze({ op: "mod", ...parseMod(raw, argument.path) });
    case "$elemMatch":
      return parseElemMatch(raw, argument);
    case "$not":
      return parseNot(raw, field, argument);
    default:
      if (scriptOperators.has(key)) {
        return fail(`${key} is not allowed: filters cannot run code`, argument.path);
      }
      return fail(`Unknown operator ${key}`, argument.path);
  }
}

/**
 * Parses an object of operators on `field` into its conditions, in key order. `site` is the
 * operator object's own site.
 */
export function parseOperatorObject(
  operators: Record<string, unknown>,
  field: FieldPath,
  site: Site,
): FieldCondition[] {
  checkDepth(site);
  const conditions: FieldCondition[] = [];
  let regexDone = false;
  for (const key of Object.keys(operators)) {
    if (!key.startsWith("$")) {
      fail(`Cannot mix operators and the field "${key}" in one object`, named(site, key).path);
    }
    if (key === "$regex" || key === "$options") {
      if (!Object.hasOwn(operators, "$regex")) fail("$options needs $regex", named(site, key).path);
      if (!regexDone) conditions.push(parseRegexOperator(operators, site));
      regexDone = true;
      continue;
    }
    conditions.push(parseOperator(key, operators[key], field, site));
  }
  return conditions;
}
