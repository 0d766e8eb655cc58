/**
 * Path helpers shared by sort, projection and update: reading and writing document fields by
 * dot path without ever touching a prototype.
 *
 * Reads check own-ness (so `constructor` on a plain object reads as missing, not as
 * `Object`), and writes define `__proto__` as an own data property instead of calling the
 * prototype setter. A document may therefore hold fields named `__proto__`, `constructor` or
 * `prototype` as ordinary data.
 */

import type { FieldPath } from "./ast.js";
import { FilterValidationError } from "./errors.js";

/** The error source of sort, projection and update errors. */
export const querySource = "query";

/** A plain object of fields: not an array, date, binary value or `null`. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  if (value instanceof Date || ArrayBuffer.isView(value) || value instanceof RegExp) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** The own field `key` of `container`, or `undefined` when it has none. */
export function getOwn(container: object, key: string): unknown {
  return Object.hasOwn(container, key) ? (container as Record<string, unknown>)[key] : undefined;
}

/** Writes an own data property, even for the key `__proto__`. */
export function setOwn(container: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(container, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  } else {
    container[key] = value;
  }
}

/**
 * Whether a path segment addresses an array element: a non-negative integer written without
 * leading zeros (`"0"`, `"12"`, not `"01"` or `"-1"`), as MongoDB requires.
 */
export function isArrayIndex(segment: string): boolean {
  return /^(0|[1-9][0-9]{0,9})$/.test(segment) && Number(segment) < 2 ** 32 - 1;
}

/** Options of {@link toFieldPath}. */
export interface ToFieldPathOptions {
  /** Where the path sits in the caller's input, for error messages (`$set.a.b`). */
  readonly errorPath: string;
  /** What the path belongs to, for error messages: "sort", "projection", "update". */
  readonly context: string;
}

/**
 * Splits and validates a dot path: it must be a non-empty string whose segments are non-empty
 * and do not start with `$` (positional and operator paths are not supported).
 *
 * @throws FilterValidationError with `errorPath` when the path is malformed.
 */
export function toFieldPath(path: unknown, options: ToFieldPathOptions): FieldPath {
  if (typeof path !== "string" || path.length === 0) {
    throw new FilterValidationError(
      `A ${options.context} field path must be a non-empty string`,
      options.errorPath,
      { source: querySource },
    );
  }
  const segments = path.split(".");
  for (const segment of segments) {
    if (segment.length === 0) {
      throw new FilterValidationError(
        `The ${options.context} path "${path}" has an empty segment`,
        options.errorPath,
        { source: querySource },
      );
    }
    if (segment.startsWith("$")) {
      throw new FilterValidationError(
        `The ${options.context} path "${path}" has a segment starting with "$" (positional and operator paths are unsupported)`,
        options.errorPath,
        { source: querySource },
      );
    }
  }
  return Object.freeze({ path, segments: Object.freeze(segments) });
}

/** Whether `prefix` equals `path` or is one of its ancestors, segment by segment. */
export function isPathPrefix(prefix: readonly string[], path: readonly string[]): boolean {
  if (prefix.length > path.length) return false;
  for (let index = 0; index < prefix.length; index++) {
    if (prefix[index] !== path[index]) return false;
  }
  return true;
}

/**
 * A deep copy of a value of the AgentVault model (JSON plus `Date` and `Uint8Array`). Objects
 * are copied with own data properties only, so a `__proto__` field stays a plain field.
 */
export function cloneValue<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(cloneValue) as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (value instanceof Uint8Array) return value.slice() as T;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    setOwn(copy, key, cloneValue((value as Record<string, unknown>)[key]));
  }
  return copy as T;
}
