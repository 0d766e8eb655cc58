/**
 * Shared state and helpers of the filter parser: limits, the node budget, error construction and
 * the checks every step repeats.
 * @internal
 */

import { FilterValidationError } from "./errors.js";
import type { FilterLimits } from "./filter-limits.js";

/** Mutable state for one `parseFilter` call. */
export interface ParseContext {
  readonly limits: Required<FilterLimits>;
  /** AST nodes created so far, checked against `limits.maxNodes`. */
  nodes: number;
}

/** Operators that run code; rejected wherever they appear, even inside literal values. */
export const scriptOperators: ReadonlySet<string> = new Set([
  "$where",
  "$function",
  "$accumulator",
  "$expr",
]);

/**
 * Where the parser stands: the error path of the current value, its nesting level (the filter
 * object is level 1) and the call's shared state.
 */
export interface Site {
  readonly path: string;
  readonly depth: number;
  readonly context: ParseContext;
}

/** The site of `key` inside the value at `site`: one level deeper. */
export function child(site: Site, key: string | number): Site {
  return { path: joinPath(site.path, key), depth: site.depth + 1, context: site.context };
}

/** The same value under a longer error path, at the same depth (an operator key like `$gt`). */
export function named(site: Site, key: string): Site {
  return { path: joinPath(site.path, key), depth: site.depth, context: site.context };
}

/** Throws the parser's error; every message names the offending path. */
export function fail(message: string, path: string, cause?: unknown): never {
  throw new FilterValidationError(message, path, { source: "query", cause });
}

/** Joins filter path pieces the way errors report them: `$or.1.price.$in`. */
export function joinPath(parent: string, key: string | number): string {
  return parent === "" ? String(key) : `${parent}.${key}`;
}

/** Enforces `maxDepth`; call before reading into an object or array. */
export function checkDepth(site: Site): void {
  const { maxDepth } = site.context.limits;
  if (site.depth > maxDepth) fail(`Filter is nested more than ${maxDepth} levels deep`, site.path);
}

/** Counts one AST node against `maxNodes`. */
export function countNode(site: Site): void {
  const { context } = site;
  context.nodes++;
  if (context.nodes > context.limits.maxNodes) {
    fail(`Filter has more than ${context.limits.maxNodes} conditions`, site.path);
  }
}

/** A plain data object: created by a literal, `JSON.parse` or `Object.create(null)`. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Whether `value` is written as an operator expression: a plain object whose first key is `$...`. */
export function isOperatorObject(value: unknown): value is Record<string, unknown> {
  if (!isPlainObject(value)) return false;
  for (const key in value) {
    if (Object.hasOwn(value, key)) return key.startsWith("$");
  }
  return false;
}

/** Describes a value's type for error messages without echoing the value itself. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof RegExp) return "a regular expression";
  if (value instanceof Date) return "a date";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
