/**
 * `parseFilter`: validates a MongoDB-style filter and turns it into the AST of `ast.ts`.
 *
 * Nothing is trusted: only own enumerable keys are read, every value is copied into the value
 * model, script operators are rejected at any depth, and the limits of `FilterLimits` bound the
 * work before it happens, so a hostile filter yields a `FilterValidationError`, never a crash.
 */

import type { FieldPath, FilterNode, LogicalNode } from "./ast.js";
import { FilterValidationError } from "./errors.js";
import { type FilterLimits, maxPathSegments, resolveFilterLimits } from "./filter-limits.js";
import {
  checkDepth,
  child,
  countNode,
  describe,
  fail,
  isOperatorObject,
  isPlainObject,
  type Site,
  scriptOperators,
} from "./parse-context.js";
import { fieldNode, parseOperatorObject } from "./parse-field-operators.js";
import { isRegexLiteral, parseRegexLiteral, parseValue } from "./parse-value.js";

/** The zero-segment path of conditions on an array element itself (value-form `$elemMatch`). */
export const elementPath: FieldPath = Object.freeze({ path: "", segments: Object.freeze([]) });

const logicalOperators: Readonly<Record<string, LogicalNode["type"]>> = {
  $and: "and",
  $or: "or",
  $nor: "nor",
};

function parseFieldPath(path: string, site: Site): FieldPath {
  const segments = path.split(".");
  if (segments.length > maxPathSegments) {
    fail(`A field path cannot have more than ${maxPathSegments} parts`, site.path);
  }
  return Object.freeze({ path, segments: Object.freeze(segments) });
}

/** Adds `node` to an AND list, inlining nested ANDs (an empty AND adds nothing). */
function pushConjunct(list: FilterNode[], node: FilterNode): void {
  if (node.type === "and") list.push(...node.children);
  else list.push(node);
}

function conjunction(children: FilterNode[], site: Site): FilterNode {
  if (children.length === 1) return children[0]!;
  countNode(site);
  return Object.freeze({ type: "and", children: Object.freeze(children) });
}

function parseField(key: string, raw: unknown, site: Site): FilterNode {
  const field = parseFieldPath(key, site);
  if (isRegexLiteral(raw)) {
    const regex = parseRegexLiteral(raw, site);
    return fieldNode(field, Object.freeze({ op: "regex", regex }), site);
  }
  if (isOperatorObject(raw)) {
    const nodes = parseOperatorObject(raw, field, site).map((condition) =>
      fieldNode(field, condition, site),
    );
    return conjunction(nodes, site);
  }
  if (isPlainObject(raw) && Object.keys(raw).some((name) => name.startsWith("$"))) {
    // `{ a: { b: 1, $gt: 2 } }` is almost certainly a mistake; MongoDB would compare it literally.
    fail("Cannot mix fields and operators in one object", site.path);
  }
  return fieldNode(field, Object.freeze({ op: "eq", value: parseValue(raw, site) }), site);
}

function parseLogical(operator: string, raw: unknown, site: Site): FilterNode {
  if (!Array.isArray(raw))
    return fail(`${operator} needs an array, not ${describe(raw)}`, site.path);
  if (raw.length === 0) fail(`${operator} needs at least one filter`, site.path);
  checkDepth(site);
  const children: FilterNode[] = [];
  for (let index = 0; index < raw.length; index++) {
    const childNode = parseFilterObject(raw[index], child(site, index));
    if (operator === "$and") pushConjunct(children, childNode);
    else children.push(childNode);
  }
  const type = logicalOperators[operator]!;
  if (type === "and") return conjunction(children, site);
  countNode(site);
  return Object.freeze({ type, children: Object.freeze(children) });
}

/**
 * Parses one filter document (the whole filter, a `$and`/`$or`/`$nor` entry or a document-form
 * `$elemMatch`) whose own site is `site`.
 * @internal
 */
export function parseFilterObject(raw: unknown, site: Site): FilterNode {
  if (!isPlainObject(raw))
    return fail(`A filter must be an object, not ${describe(raw)}`, site.path);
  checkDepth(site);
  const children: FilterNode[] = [];
  for (const key of Object.keys(raw)) {
    const keySite = child(site, key);
    const value = raw[key];
    if (!key.startsWith("$")) {
      pushConjunct(children, parseField(key, value, keySite));
    } else if (logicalOperators[key] !== undefined) {
      pushConjunct(children, parseLogical(key, value, keySite));
    } else if (scriptOperators.has(key)) {
      fail(`${key} is not allowed: filters cannot run code`, keySite.path);
    } else if (key !== "$comment") {
      fail(`Unknown top-level operator ${key}`, keySite.path);
    }
  }
  return conjunction(children, site);
}

/**
 * Validates a MongoDB-style filter and returns its AST.
 *
 * @param filter the filter, for example `{ price: { $lt: 10 }, tags: "sale" }`
 * @param limits size limits; see {@link FilterLimits} for the defaults
 * @throws FilterValidationError when the filter is malformed, uses an unsupported or script
 *   operator, or exceeds a limit; `error.path` names the offending spot (`$or.1.price.$in`)
 * @example
 * const ast = parseFilter({ $or: [{ status: "active" }, { score: { $gte: 90 } }] });
 */
export function parseFilter(filter: unknown, limits?: FilterLimits): FilterNode {
  const site: Site = {
    path: "",
    depth: 1,
    context: { limits: resolveFilterLimits(limits), nodes: 0 },
  };
  try {
    return parseFilterObject(filter, site);
  } catch (error) {
    if (FilterValidationError.isInstance(error)) throw error;
    // Getters, proxies or a limit set too high for the stack: still a validation error.
    const message =
      error instanceof RangeError ? "Filter is nested too deeply" : "Filter could not be read";
    throw new FilterValidationError(message, "", { source: "query", cause: error });
  }
}
