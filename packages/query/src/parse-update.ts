/**
 * Parses MongoDB-style updates (`{ $set: {...}, $inc: {...} }`) and plain merge patches into the
 * `UpdateSpec` AST, rejecting everything MongoDB would reject before touching a document.
 */

import type { FieldPath, FilterNode, UpdateOperation, UpdateSpec } from "./ast.js";
import { compareStrings } from "./compare.js";
import { FilterValidationError } from "./errors.js";
import { parseFilter } from "./parse-filter.js";
import { isArrayIndex, isPlainObject, querySource, toFieldPath } from "./paths.js";
import type { Value } from "./values.js";

/** Nesting deeper than this is rejected, as MongoDB rejects documents nested over 100 levels. */
const maximumDepth = 100;

const unsupportedOperators = new Set(["$pop", "$bit", "$setOnInsert"]);

function invalid(message: string, path: string, cause?: unknown): FilterValidationError {
  return new FilterValidationError(message, path, { source: querySource, cause });
}

/**
 * Validates and copies a value to be stored: JSON values, finite numbers, `Date` and
 * `Uint8Array`, with no field name starting with `$` (MongoDB's storage rule).
 */
function storable(value: unknown, path: string, depth = 0): Value {
  if (depth > maximumDepth) throw invalid(`Values may nest at most ${maximumDepth} levels`, path);
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) throw invalid("Numbers must be finite to be stored", path);
      return value;
    case "object": {
      if (value === null) return null;
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw invalid("Invalid Date", path);
        return new Date(value.getTime());
      }
      if (value instanceof Uint8Array) return new Uint8Array(value);
      if (Array.isArray(value)) {
        return value.map((element, index) => storable(element, `${path}.${index}`, depth + 1));
      }
      if (isPlainObject(value)) {
        const copy: Record<string, Value> = {};
        for (const key of Object.keys(value)) {
          if (key.startsWith("$")) {
            throw invalid(`The field name "${key.slice(0, 40)}" cannot start with "$"`, path);
          }
          Object.defineProperty(copy, key, {
            value: storable(value[key], `${path}.${key}`, depth + 1),
            writable: true,
            enumerable: true,
            configurable: true,
          });
        }
        return copy;
      }
      break;
    }
  }
  throw invalid(`Cannot store a value of type ${describeType(value)}`, path);
}

function describeType(value: unknown): string {
  if (typeof value !== "object" || value === null) return typeof value;
  return value.constructor?.name ?? "object";
}

function integer(value: unknown, path: string): number {
  if (!Number.isInteger(value)) throw invalid("Expected an integer", path);
  return value as number;
}

/** Extracts the `$elemMatch` reading of a `$pull` condition by parsing it as one. */
function pullFilter(condition: Record<string, unknown>, path: string) {
  let node: FilterNode;
  try {
    node = parseFilter({ element: { $elemMatch: condition } });
  } catch (error) {
    if (!FilterValidationError.isInstance(error)) throw error;
    const inner = error.path.replace(/^element\.\$elemMatch\.?/, "");
    const message = error.message
      .replace(/^\[agentvault\](?: \[[^\]]*\])? /, "")
      .replace(/ \(at [^)]*\)$/, "");
    throw invalid(message, inner ? `${path}.${inner}` : path, error);
  }
  while (node.type !== "field" && node.children.length === 1) node = node.children[0]!;
  if (node.type !== "field" || node.condition.op !== "elemMatch") {
    throw invalid("Unsupported $pull condition", path);
  }
  return { filter: node.condition.filter, scalar: node.condition.scalar };
}

type OperationParser = (field: FieldPath, argument: unknown, path: string) => UpdateOperation;

const parsers: Record<string, OperationParser> = {
  $set: (field, argument, path) => ({ op: "set", field, value: storable(argument, path) }),
  $unset: (field) => ({ op: "unset", field }),
  $inc: (field, argument, path) => ({ op: "inc", field, amount: amount(argument, "$inc", path) }),
  $mul: (field, argument, path) => ({ op: "mul", field, amount: amount(argument, "$mul", path) }),
  $min: (field, argument, path) => ({ op: "min", field, value: storable(argument, path) }),
  $max: (field, argument, path) => ({ op: "max", field, value: storable(argument, path) }),
  $push: parsePush,
  $addToSet: (field, argument, path) => {
    if (isPlainObject(argument) && "$each" in argument) {
      const extra = Object.keys(argument).find((key) => key !== "$each");
      if (extra !== undefined) throw invalid(`$addToSet does not support ${extra}`, path);
      return { op: "addToSet", field, values: each(argument.$each, path) };
    }
    return { op: "addToSet", field, values: [storable(argument, path)] };
  },
  $pull: (field, argument, path) => {
    if (isPlainObject(argument)) return { op: "pull", field, ...pullFilter(argument, path) };
    return { op: "pullAll", field, values: [storable(argument, path)] };
  },
  $pullAll: (field, argument, path) => {
    if (!Array.isArray(argument)) throw invalid("$pullAll needs an array", path);
    return { op: "pullAll", field, values: each(argument, path) };
  },
  $rename: (field, argument, path) => {
    if (typeof argument !== "string") throw invalid("$rename needs a target path string", path);
    const to = toFieldPath(argument, { errorPath: path, context: "update" });
    if (to.path === field.path) throw invalid("$rename source and target must differ", path);
    return { op: "rename", field, to };
  },
  $currentDate: (field, argument, path) => {
    // MongoDB sets a date for either boolean; `{ $type: "timestamp" }` also stores a Date here,
    // since the value model has no BSON timestamp.
    if (typeof argument === "boolean") return { op: "currentDate", field, as: "date" };
    if (isPlainObject(argument) && Object.keys(argument).length === 1) {
      if (argument.$type === "date" || argument.$type === "timestamp") {
        return { op: "currentDate", field, as: argument.$type };
      }
    }
    throw invalid('$currentDate needs true, { $type: "date" } or { $type: "timestamp" }', path);
  },
};

function amount(argument: unknown, operator: string, path: string): number {
  if (typeof argument !== "number" || !Number.isFinite(argument)) {
    throw invalid(`${operator} needs a finite number`, path);
  }
  return argument;
}

function each(argument: unknown, path: string): Value[] {
  if (!Array.isArray(argument)) throw invalid("$each needs an array", `${path}.$each`);
  return argument.map((value, index) => storable(value, `${path}.$each.${index}`));
}

function parsePush(field: FieldPath, argument: unknown, path: string): UpdateOperation {
  if (!isPlainObject(argument) || !Object.keys(argument).some((key) => key.startsWith("$"))) {
    return { op: "push", field, values: [storable(argument, path)] };
  }
  if (!("$each" in argument)) throw invalid("$position and $slice need $each in $push", path);
  let position: number | undefined;
  let slice: number | undefined;
  for (const key of Object.keys(argument)) {
    if (key === "$position") position = integer(argument[key], `${path}.${key}`);
    else if (key === "$slice") slice = integer(argument[key], `${path}.${key}`);
    else if (key === "$sort") throw invalid("$push with $sort is not supported", path);
    else if (key !== "$each") throw invalid(`Unknown $push modifier "${key.slice(0, 40)}"`, path);
  }
  const operation = { op: "push" as const, field, values: each(argument.$each, path) };
  return {
    ...operation,
    ...(position === undefined ? {} : { position }),
    ...(slice === undefined ? {} : { slice }),
  };
}

/** The paths an operation writes, for conflict detection. */
function touchedPaths(operation: UpdateOperation): FieldPath[] {
  return operation.op === "rename" ? [operation.field, operation.to] : [operation.field];
}

interface TrieNode {
  end?: string;
  children: Map<string, TrieNode>;
}

/** Rejects two operations on one path, or on a path and its prefix (MongoDB's conflict error). */
function checkConflicts(operations: readonly UpdateOperation[]): void {
  const root: TrieNode = { children: new Map() };
  for (const operation of operations) {
    for (const field of touchedPaths(operation)) {
      let node = root;
      for (const segment of field.segments) {
        if (node.end !== undefined) throw conflict(field.path, node.end);
        let child = node.children.get(segment);
        if (!child) {
          child = { children: new Map() };
          node.children.set(segment, child);
        }
        node = child;
      }
      if (node.end !== undefined || node.children.size > 0) {
        throw conflict(field.path, node.end ?? field.path);
      }
      node.end = field.path;
    }
  }
}

function conflict(path: string, other: string): FilterValidationError {
  return invalid(`Updating the path "${path}" would create a conflict at "${other}"`, path);
}

function checkId(operation: UpdateOperation, path: string): void {
  for (const field of touchedPaths(operation)) {
    if (field.segments[0] !== "_id") continue;
    if (operation.op === "set" && field.segments.length === 1) continue;
    throw invalid("The _id field cannot be modified", path);
  }
}

/** MongoDB applies updates in field-name order (numeric names numerically), since 5.0. */
function comparePaths(a: UpdateOperation, b: UpdateOperation): number {
  const left = a.field.segments;
  const right = b.field.segments;
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const x = left[index]!;
    const y = right[index]!;
    if (x === y) continue;
    if (isArrayIndex(x) && isArrayIndex(y)) return Number(x) - Number(y);
    return compareStrings(x, y);
  }
  return left.length - right.length;
}

/**
 * Parses an update: either operators (`$set $unset $inc $mul $min $max $push $addToSet $pull
 * $pullAll $rename $currentDate`) or a plain merge patch (no `$` keys: one `$set` per top-level
 * field; dotted keys are rejected there, use `$set` for nested paths).
 *
 * Rejected, with the offending path: mixing operators and plain fields; unknown or unsupported
 * operators (`$pop`, `$bit`, `$setOnInsert`, positional `$` paths, `$push` with `$sort`);
 * `$inc`/`$mul` with anything but a finite number; two operations on the same path or on a path
 * and its prefix; modifying `_id` (a `$set` of `_id` is accepted and must keep its value);
 * stored values with `$`-prefixed field names, non-finite numbers or non-storable types; empty
 * path segments. Field names `__proto__`, `constructor` and `prototype` are ordinary fields:
 * they are written as own properties and never reach a prototype.
 *
 * Operations come out in MongoDB's application order (by field name), so new fields are added
 * in that order. Array growth (for example `$set: { "a.100000": 1 }` padding with nulls) is not
 * limited here: callers that accept untrusted updates should bound request size and indexes.
 *
 * @example
 * parseUpdate({ $set: { "profile.name": "Ada" }, $inc: { visits: 1 } });
 * parseUpdate({ status: "done" }); // merge patch: { $set: { status: "done" } }
 * @throws FilterValidationError with the path of the problem, for example `$inc.visits`.
 */
export function parseUpdate(input: unknown): UpdateSpec {
  if (!isPlainObject(input)) {
    throw invalid("An update must be an object of operators or fields", "");
  }
  const keys = Object.keys(input);
  const operatorKeys = keys.filter((key) => key.startsWith("$"));
  const operations: UpdateOperation[] = [];
  if (operatorKeys.length === 0) {
    for (const key of keys) {
      if (key.length === 0 || key.includes(".")) {
        throw invalid("A merge patch takes top-level field names; use $set for nested paths", key);
      }
      const field = Object.freeze({ path: key, segments: Object.freeze([key]) });
      operations.push({ op: "set", field, value: storable(input[key], key) });
    }
  } else {
    const plain = keys.find((key) => !key.startsWith("$"));
    if (plain !== undefined) {
      throw invalid("An update cannot mix $ operators with plain fields", plain);
    }
    for (const operator of operatorKeys) {
      const parse = parsers[operator];
      if (!parse || !Object.hasOwn(parsers, operator)) {
        const kind = unsupportedOperators.has(operator) ? "Unsupported" : "Unknown";
        throw invalid(`${kind} update operator ${operator.slice(0, 40)}`, operator);
      }
      const argument = input[operator];
      if (!isPlainObject(argument)) {
        throw invalid(`${operator} needs an object of paths`, operator);
      }
      for (const path of Object.keys(argument)) {
        const errorPath = `${operator}.${path}`;
        const field = toFieldPath(path, { errorPath, context: "update" });
        const operation = parse(field, argument[path], errorPath);
        checkId(operation, errorPath);
        operations.push(Object.freeze(operation));
      }
    }
  }
  checkConflicts(operations);
  operations.sort(comparePaths);
  return Object.freeze({ kind: "operators", operations: Object.freeze(operations) });
}
