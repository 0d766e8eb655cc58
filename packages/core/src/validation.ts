/**
 * Checks on everything a caller hands to the core: documents and values, collection names,
 * keys and vectors. Each failure is a `ValidationError` whose `path` says where the problem is.
 *
 * The value model is JSON plus `Date` and `Uint8Array` (a Node `Buffer` is a `Uint8Array` and
 * is accepted). Documents follow MongoDB's storage rule that field names never start with `$`,
 * which keeps the codec's `$date` / `$binary` tags unambiguous.
 */

import type { Document, Value } from "@agentvault/query";
import { ValidationError } from "./errors.js";
import { hasLoneSurrogate } from "./identifier-validation.js";
import { setOwnField } from "./own-field.js";

/** Limits applied by `validateValue` and `validateDocument`. */
export interface ValueValidationOptions {
  /**
   * Largest accepted encoded size in bytes: UTF-8 bytes of the JSON form (strings and field
   * names), base64 length for binary, plus punctuation. Escape characters are not counted.
   * @default 16_777_216 (16 MiB)
   */
  readonly maxValueBytes?: number | undefined;
  /** Deepest accepted nesting of objects and arrays. @default 100 */
  readonly maxDepth?: number | undefined;
  /** Prefix of reported paths, for example `metadata`. @default "" */
  readonly path?: string | undefined;
  /** Component named in error messages. @default "validation" */
  readonly source?: string | undefined;
}

/** The default `maxValueBytes`: 16 MiB, MongoDB's document limit. */
export const defaultMaxValueBytes = 16 * 1024 * 1024;
/** The default `maxDepth`. */
export const defaultMaxDepth = 100;

interface WalkState {
  readonly maxBytes: number;
  readonly maxDepth: number;
  readonly source: string;
  readonly ancestors: Set<object>;
  /** The segments of the current path; joined only when an error is reported. */
  readonly segments: (string | number)[];
  readonly prefix: string;
  /**
   * Whether strings are measured exactly. The first pass counts 3 bytes per UTF-16 unit, an
   * upper bound of their UTF-8 size that costs nothing; only a value that might exceed the limit
   * is measured again exactly.
   */
  readonly exact: boolean;
  bytes: number;
}

/** Thrown by a first, estimating pass when the estimate goes over the limit. */
const measureExactly = Symbol("measure exactly");

function currentPath(state: WalkState): string {
  const path = state.segments.join(".");
  if (state.prefix === "") return path;
  return path === "" ? state.prefix : `${state.prefix}.${path}`;
}

function fail(state: WalkState, message: string): never {
  throw new ValidationError(message, currentPath(state), { source: state.source });
}

function addBytes(state: WalkState, bytes: number): void {
  state.bytes += bytes;
  if (state.bytes > state.maxBytes) {
    if (!state.exact) throw measureExactly;
    fail(state, `Value is larger than the limit of ${state.maxBytes} bytes`);
  }
}

function stringBytes(state: WalkState, text: string): number {
  return state.exact ? Buffer.byteLength(text) : text.length * 3;
}

/** `text` with each lone surrogate written as `\uXXXX`, so it can be shown anywhere. */
function escapeLoneSurrogates(text: string): string {
  return text.replace(
    /\p{Cs}/gu,
    (surrogate) => `\\u${surrogate.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function checkScalar(state: WalkState, value: unknown): void {
  switch (typeof value) {
    case "string":
      if (hasLoneSurrogate(value)) fail(state, "Strings cannot contain lone UTF-16 surrogates");
      addBytes(state, stringBytes(state, value) + 2);
      return;
    case "number":
      if (!Number.isFinite(value)) fail(state, `Numbers must be finite, got ${value}`);
      addBytes(state, 8);
      return;
    case "boolean":
      addBytes(state, 5);
      return;
    default:
      fail(state, `Values of type ${typeof value} cannot be stored`);
  }
}

function walkArray(state: WalkState, array: readonly unknown[], depth: number): Value[] {
  addBytes(state, 2 + array.length);
  const { segments } = state;
  for (let index = 0; index < array.length; index++) {
    const item = array[index];
    segments.push(index);
    if (item === undefined) fail(state, "Arrays cannot contain undefined");
    walk(state, item, depth);
    segments.pop();
  }
  return array as Value[];
}

function walkObject(
  state: WalkState,
  object: { readonly [field: string]: unknown },
  depth: number,
): { [field: string]: Value } {
  addBytes(state, 2);
  const { segments } = state;
  let copy: { [field: string]: Value } | undefined;
  for (const field in object) {
    if (!Object.hasOwn(object, field)) continue;
    const item = object[field];
    if (item === undefined) {
      // JSON drops undefined fields; so do we, copying only when one is met.
      copy ??= copyOwnFieldsBefore(object, field);
      continue;
    }
    segments.push(field);
    if (field.charCodeAt(0) === 36) fail(state, `Field names cannot start with "$"`);
    if (field.includes("\u0000")) fail(state, "Field names cannot contain NUL");
    if (hasLoneSurrogate(field)) {
      // The path is reported to callers and logs: name the field with the surrogate escaped.
      segments[segments.length - 1] = escapeLoneSurrogates(field);
      fail(state, "Field names cannot contain lone UTF-16 surrogates");
    }
    addBytes(state, stringBytes(state, field) + 4);
    const checked = walk(state, item, depth);
    if (copy !== undefined) setOwnField(copy, field, checked);
    segments.pop();
  }
  return copy ?? (object as { [field: string]: Value });
}

function copyOwnFieldsBefore(
  object: { readonly [field: string]: unknown },
  stop: string,
): { [field: string]: Value } {
  const copy: { [field: string]: Value } = {};
  for (const field in object) {
    if (field === stop) break;
    const item = object[field];
    if (Object.hasOwn(object, field) && item !== undefined) setOwnField(copy, field, item as Value);
  }
  return copy;
}

function walk(state: WalkState, value: unknown, depth: number): Value {
  if (value === null) {
    addBytes(state, 4);
    return null;
  }
  if (typeof value !== "object") {
    checkScalar(state, value);
    return value as Value;
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) fail(state, "Invalid Date cannot be stored");
    addBytes(state, 40);
    return value;
  }
  if (value instanceof Uint8Array) {
    addBytes(state, Math.ceil(value.byteLength / 3) * 4 + 16);
    return value;
  }
  const isArray = Array.isArray(value);
  if (!isArray) {
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
      fail(state, `Instances of ${typeof name === "string" ? name : "a class"} cannot be stored`);
    }
  }
  if (depth >= state.maxDepth) fail(state, `Nesting deeper than ${state.maxDepth} levels`);
  if (state.ancestors.has(value)) fail(state, "Circular reference");
  state.ancestors.add(value);
  const result = isArray
    ? walkArray(state, value as unknown[], depth + 1)
    : walkObject(state, value as { [field: string]: unknown }, depth + 1);
  state.ancestors.delete(value);
  return result;
}

function run(value: unknown, options: ValueValidationOptions, exact: boolean): Value {
  const state: WalkState = {
    maxBytes: options.maxValueBytes ?? defaultMaxValueBytes,
    maxDepth: options.maxDepth ?? defaultMaxDepth,
    source: options.source ?? "validation",
    ancestors: new Set(),
    segments: [],
    prefix: options.path ?? "",
    exact,
    bytes: 0,
  };
  if (value === undefined) fail(state, "Value is undefined");
  return walk(state, value, 0);
}

/**
 * Checks that `value` belongs to the value model and returns it, with `undefined` object fields
 * dropped (the input is copied only when it has some; otherwise the same reference comes back).
 *
 * Rejected: `$`-prefixed or NUL-containing field names, lone UTF-16 surrogates in strings and
 * field names (they have no UTF-8 form, so no backend stores them exactly), non-finite numbers,
 * `undefined` inside arrays, functions, symbols, bigints, invalid dates, class instances other
 * than `Date` and `Uint8Array`, circular references, nesting deeper than `maxDepth` and values
 * larger than `maxValueBytes`.
 *
 * @throws ValidationError with the path of the first problem.
 */
export function validateValue(value: unknown, options: ValueValidationOptions = {}): Value {
  try {
    return run(value, options, false);
  } catch (error) {
    if (error !== measureExactly) throw error;
    return run(value, options, true);
  }
}

/**
 * Like `validateValue`, and the value must be a plain object.
 * @throws ValidationError when it is not, or when `validateValue` would throw.
 */
export function validateDocument(doc: unknown, options: ValueValidationOptions = {}): Document {
  if (
    doc === null ||
    typeof doc !== "object" ||
    Array.isArray(doc) ||
    doc instanceof Date ||
    doc instanceof Uint8Array
  ) {
    throw new ValidationError("A document must be a plain object", options.path ?? "", {
      source: options.source ?? "validation",
    });
  }
  return validateValue(doc, options) as Document;
}

export * from "./identifier-validation.js";
