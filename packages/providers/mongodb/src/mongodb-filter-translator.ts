/**
 * Translates the filter AST (rooted in the record view: `_id`, `value.*`, `metadata.*`) into a
 * MongoDB filter document. The envelope stores `value` and `metadata` exactly where the view has
 * them, so paths pass through unchanged and MongoDB evaluates every operator natively, with its
 * own semantics, which are the ones AgentVault's filter language follows.
 *
 * The output is as close as possible to what a person would write: conditions on one path are
 * merged into one operator object (`{ "value.price": { $gt: 1, $lt: 5 } }`), equality is
 * implicit (`{ "value.status": "open" }`), regular expressions are `{ $regex, $options }` (BSON
 * regular expressions inside `$in`, `$nin` and `$all`, where MongoDB requires them), and values
 * are BSON values from `toBson`. Conditions that cannot share an object go to `$and`.
 */

import {
  compilePredicate,
  type FieldCondition,
  type FieldNode,
  type FilterNode,
  type RegexValue,
  UnsupportedOperatorError,
  type Value,
} from "@agentvault/query";
import { BSONRegExp, type Document } from "mongodb";
import { type BsonValue, setOwn, toBson, toBsonNumber } from "./mongodb-bson.js";
import { source } from "./mongodb-errors.js";

/** Where paths point: into the record view, or into an array element (`$elemMatch`, `$pull`). */
type Context = "record" | "relative";

/** The record-view fields the envelope stores under the same name. */
const storedRoots: ReadonlySet<string> = new Set(["_id", "value", "metadata"]);

/** Two conditions on one path that one operator object cannot hold (the same operator twice). */
class OperatorCollision extends Error {}

/** A filter no document matches: `$in: []` never holds, and every document has an `_id`. */
export function matchNothing(): Document {
  return { _id: { $in: [] } };
}

function bsonRegex(regex: RegexValue): BSONRegExp {
  return new BSONRegExp(regex.pattern, regex.options);
}

function valueList(condition: {
  readonly values: readonly Value[];
  readonly regexes: readonly RegexValue[];
}): (BsonValue | BSONRegExp)[] {
  return [...condition.values.map((value) => toBson(value)), ...condition.regexes.map(bsonRegex)];
}

/** The `$elemMatch` argument of an `elemMatch` condition. */
function elemMatchArgument(condition: Extract<FieldCondition, { op: "elemMatch" }>): Document {
  return condition.scalar
    ? translateElementConditions(condition.filter)
    : translateNode(condition.filter, "relative");
}

function allArgument(condition: Extract<FieldCondition, { op: "all" }>): unknown[] {
  const entries = condition.elemMatches.map((entry) => {
    // The entry's own path is ignored: it applies to the `$all`'s path (see the AST).
    if (entry.type !== "field" || entry.condition.op !== "elemMatch") {
      throw new UnsupportedOperatorError("$all", "An $all entry must be an $elemMatch", {
        source,
      });
    }
    return { $elemMatch: elemMatchArgument(entry.condition) };
  });
  return [...valueList(condition), ...entries];
}

/** The operator entries of one condition, in the order MongoDB users write them. */
function operatorEntries(condition: FieldCondition): [string, unknown][] {
  switch (condition.op) {
    case "eq":
    case "ne":
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      return [[`$${condition.op}`, toBson(condition.value)]];
    case "in":
    case "nin":
      return [[`$${condition.op}`, valueList(condition)]];
    case "exists":
      return [["$exists", condition.value]];
    case "type":
      return [["$type", condition.types.length === 1 ? condition.types[0] : [...condition.types]]];
    case "regex":
      return [
        ["$regex", condition.regex.pattern],
        ["$options", condition.regex.options],
      ];
    case "all":
      return [["$all", allArgument(condition)]];
    case "size":
      return [["$size", toBsonNumber(condition.size)]];
    case "mod":
      return [["$mod", [toBsonNumber(condition.divisor), toBsonNumber(condition.remainder)]]];
    case "elemMatch":
      return [["$elemMatch", elemMatchArgument(condition)]];
    case "not":
      return [["$not", operatorObject(condition.conditions)]];
  }
}

function isMatchNothing(condition: FieldCondition): boolean {
  return condition.op === "in" && condition.values.length === 0 && condition.regexes.length === 0;
}

/**
 * One operator object for conditions on one path (an AND, as MongoDB reads it).
 * @throws OperatorCollision when two conditions use the same operator.
 */
function operatorObject(conditions: readonly FieldCondition[]): Document {
  // `$eq` with a regular expression parses to an empty `$in`: it decides the whole AND.
  if (conditions.length > 1 && conditions.some(isMatchNothing)) return { $in: [] };
  const result: Document = {};
  for (const condition of conditions) {
    for (const [key, value] of operatorEntries(condition)) {
      if (Object.hasOwn(result, key)) throw new OperatorCollision(key);
      result[key] = value;
    }
  }
  return result;
}

function isPlainDocument(value: unknown): value is Document {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function isOperatorDocument(value: unknown): value is Document {
  if (!isPlainDocument(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => key.startsWith("$"));
}

/** The value of a field entry: the implicit equality value, or an operator object. */
function fieldValue(condition: FieldCondition): BsonValue | Document {
  if (condition.op === "eq") {
    const value = toBson(condition.value);
    // An object with `$` fields would read as operators: compare with `$eq` instead.
    const literal = isPlainDocument(value) && Object.keys(value).some((key) => key.startsWith("$"));
    return literal ? { $eq: value } : value;
  }
  return operatorObject([condition]);
}

function entry(key: string, value: unknown): Document {
  const document: Document = {};
  setOwn(document, key, value);
  return document;
}

function translateField(node: FieldNode, context: Context): Document {
  const { path, segments } = node.field;
  if (segments.length === 0) {
    throw new UnsupportedOperatorError(
      "$elemMatch",
      "A condition on the element itself can only appear inside a value-form $elemMatch",
      { source },
    );
  }
  if (context === "record" && !storedRoots.has(segments[0]!)) {
    // The record view has no such field, so the condition sees a missing value in every record.
    return compilePredicate(node, { generateCode: false })({}) ? {} : matchNothing();
  }
  try {
    return entry(path, fieldValue(node.condition));
  } catch (error) {
    if (!(error instanceof OperatorCollision) || node.condition.op !== "not") throw error;
    // NOT (a AND b) on one path, written as a $nor of the conditions side by side.
    const children = node.condition.conditions.map(
      (condition): FieldNode => ({ type: "field", field: node.field, condition }),
    );
    return { $nor: [translateAnd(children, context)] };
  }
}

/** Merges two field entries for one path into one operator object, or undefined if they clash. */
function mergeFieldValues(left: unknown, right: unknown): Document | undefined {
  const a = isOperatorDocument(left) ? left : { $eq: left };
  const b = isOperatorDocument(right) ? right : { $eq: right };
  if (Object.keys(b).some((key) => Object.hasOwn(a, key))) return undefined;
  return { ...a, ...b };
}

function translateAnd(children: readonly FilterNode[], context: Context): Document {
  const result: Document = {};
  const overflow: Document[] = [];
  for (const child of children) {
    const translated = translateNode(child, context);
    for (const key of Object.keys(translated)) {
      const value: unknown = translated[key];
      if (key === "$and") {
        overflow.push(...(value as Document[]));
      } else if (!Object.hasOwn(result, key)) {
        setOwn(result, key, value);
      } else {
        const merged = key.startsWith("$") ? undefined : mergeFieldValues(result[key], value);
        if (merged === undefined) overflow.push(entry(key, value));
        else setOwn(result, key, merged);
      }
    }
  }
  if (overflow.length > 0) result.$and = overflow;
  return result;
}

function translateNode(node: FilterNode, context: Context): Document {
  switch (node.type) {
    case "field":
      return translateField(node, context);
    case "and":
      return translateAnd(node.children, context);
    case "or":
      if (node.children.length === 0) return matchNothing();
      return { $or: node.children.map((child) => translateNode(child, context)) };
    case "nor":
      if (node.children.length === 0) return {};
      return { $nor: node.children.map((child) => translateNode(child, context)) };
  }
}

function collectElementConditions(node: FilterNode, into: FieldCondition[]): void {
  if (node.type === "field") {
    if (node.field.segments.length > 0) {
      throw new UnsupportedOperatorError(
        "$elemMatch",
        "A value-form $elemMatch can only hold conditions on the element itself",
        { source },
      );
    }
    into.push(node.condition);
    return;
  }
  if (node.type !== "and") {
    throw new UnsupportedOperatorError(
      `$${node.type}`,
      `$${node.type} cannot appear in a value-form $elemMatch`,
      { source },
    );
  }
  for (const child of node.children) collectElementConditions(child, into);
}

/**
 * Translates the filter of a value-form `$elemMatch` (or a `$pull` condition on the element
 * itself), whose field nodes have empty paths, into one operator object:
 * `{ $gte: 6, $lt: 9 }`.
 * @throws UnsupportedOperatorError when the conditions cannot share one object.
 */
export function translateElementConditions(node: FilterNode): Document {
  const conditions: FieldCondition[] = [];
  collectElementConditions(node, conditions);
  try {
    return operatorObject(conditions);
  } catch (error) {
    if (!(error instanceof OperatorCollision)) throw error;
    throw new UnsupportedOperatorError(
      error.message,
      `${error.message} appears twice in a condition on an array element, which MongoDB cannot express`,
      { source },
    );
  }
}

/**
 * Translates a filter whose paths are relative to an array element (a document-form
 * `$elemMatch` or `$pull` condition): `{ sku: "a", qty: { $gt: 1 } }`.
 */
export function translateRelativeFilter(node: FilterNode): Document {
  return translateNode(node, "relative");
}

/**
 * Translates a record-view filter into a MongoDB filter document over the stored envelopes.
 * Paths outside the view (neither `_id`, `value.*` nor `metadata.*`) see a missing value in
 * every record, so such a condition becomes "everything" or "nothing" instead of reading the
 * envelope's own fields.
 *
 * @example
 * translateFilter(parseFilter({ "value.price": { $gt: 1, $lt: 5 }, "value.tags": "sale" }));
 * // { "value.price": { $gt: 1, $lt: 5 }, "value.tags": "sale" }
 * @throws UnsupportedOperatorError for shapes MongoDB cannot express (only hand-built ASTs).
 */
export function translateFilter(node: FilterNode): Document {
  return translateNode(node, "record");
}

/** The expiry guard: records without an expiry, or expiring after `now` (epoch milliseconds). */
export function expiryGuard(now: number): Document {
  return { $or: [{ expiresAt: null }, { expiresAt: { $gt: new Date(now) } }] };
}

/** `filter` restricted to live records at `now` (see {@link expiryGuard}). */
export function withExpiryGuard(filter: Document, now: number): Document {
  const guard = expiryGuard(now);
  return Object.keys(filter).length === 0 ? guard : { $and: [filter, guard] };
}
