/**
 * Where arrays occur in a collection's stored values. MongoDB's implicit array traversal makes a
 * path like `items.price` mean "the price of any item" when `items` is an array; SQL written for
 * every such possibility is slow and cannot use an expression index. So each collection records
 * the record-view paths at which an array was ever written (array hops collapsed: the objects
 * inside `items` contribute paths under `items`). A path none of whose prefixes was ever an
 * array compiles to a plain `json_extract`, exact and index-friendly; the others compile to
 * SQL that walks arrays with `json_each`. The set only grows (like MongoDB's multikey flag),
 * so a stale-but-larger set is always safe.
 */

import { encodeValue } from "@agentvault/core";
import type { Value } from "@agentvault/query";

// Captured once: V8 compiles `for…in` with `hasOwnProperty.call` to a fast own-field check,
// which it does not for `Object.hasOwn` (same answer, about twice the walk's cost).
const hasOwnField = Object.prototype.hasOwnProperty;

/** What the filter compiler knows about arrays in a collection. */
export interface ArrayShapes {
  /**
   * Whether the value at a path may be an array in some record. The path is given by its key
   * (`arrayPathKey` of record-view segments such as `["value", "items"]`, array hops
   * collapsed). Answering true is always safe.
   */
  mayBeArray(key: string): boolean;
}

/** Shapes that know nothing: every path may hold an array. */
export const unknownShapes: ArrayShapes = Object.freeze({ mayBeArray: () => true });

/** Shapes of a collection that holds no arrays at all. */
export const noArrayShapes: ArrayShapes = Object.freeze({ mayBeArray: () => false });

// Field names cannot contain NUL (validation), and a collision would only make a path look
// like an array path, which is safe.
const separator = "\u0000";

/** The key a path is remembered under. */
export function arrayPathKey(path: readonly string[]): string {
  return path.join(separator);
}

/** The key of `key`'s path extended by one field. */
export function childPathKey(key: string, field: string): string {
  return key + separator + field;
}

/** A growing set of array paths, with an upper bound past which every path counts as an array. */
export class ArrayPathSet implements ArrayShapes {
  readonly #keys = new Set<string>();
  readonly #limit: number;
  #overflowed = false;

  /** @param limit Paths remembered before giving up and treating every path as an array. */
  constructor(keys: Iterable<string> = [], limit = 2000) {
    this.#limit = limit;
    for (const key of keys) this.add(key);
  }

  /** Whether the set gave up (too many distinct array paths). */
  get overflowed(): boolean {
    return this.#overflowed;
  }

  /** The remembered keys. */
  keys(): string[] {
    return [...this.#keys];
  }

  has(key: string): boolean {
    return this.#overflowed || this.#keys.has(key);
  }

  /** Adds a key; returns whether the set changed. */
  add(key: string): boolean {
    if (this.#overflowed || this.#keys.has(key)) return false;
    if (this.#keys.size >= this.#limit) {
      this.#overflowed = true;
      return true;
    }
    this.#keys.add(key);
    return true;
  }

  /** Marks every path as a possible array. */
  overflow(): void {
    this.#overflowed = true;
  }

  mayBeArray(key: string): boolean {
    return this.#overflowed || this.#keys.has(key);
  }
}

function isDocument(value: unknown): value is { readonly [field: string]: Value } {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !(value instanceof Uint8Array)
  );
}

/**
 * Walks `value` with the path so far in `segments` (a stack, joined into a key only where an
 * array is found: most documents hold few arrays and many fields).
 */
function walk(value: unknown, segments: string[], visit: (key: string) => void): void {
  if (Array.isArray(value)) {
    visit(segments.join(separator));
    for (const element of value) {
      // Elements that are documents contribute their fields under the array's own path; nested
      // arrays are only reached by position, which the compiler always treats as unknown.
      if (isDocument(element)) walkFields(element, segments, visit);
    }
    return;
  }
  if (isDocument(value)) walkFields(value, segments, visit);
}

function walkFields(
  document: { readonly [field: string]: Value },
  segments: string[],
  visit: (key: string) => void,
): void {
  for (const field in document) {
    if (!hasOwnField.call(document, field)) continue;
    const child = document[field];
    if (typeof child !== "object" || child === null) continue;
    segments.push(field);
    walk(child, segments, visit);
    segments.pop();
  }
}

/**
 * Calls `visit` with the key of every record-view path at which `value` holds an array. `root`
 * is the record-view field the value lives under (`value` or `metadata`).
 */
export function visitArrayPaths(root: string, value: unknown, visit: (key: string) => void): void {
  if (typeof value === "object" && value !== null) walk(value, [root], visit);
}

/** Whether the core codec tags `value` itself (`$date` / `$binary`). */
function isTaggedValue(value: object): boolean {
  return value instanceof Date || value instanceof Uint8Array;
}

/** A path in an `ArrayPathScanner`'s trie, with its key built once. */
interface PathNode {
  readonly key: string;
  children: Map<string, PathNode> | undefined;
}

/**
 * `visitArrayPaths` and a check for the values the core codec tags, in one walk, for many values
 * in a row (a batch). Path keys live in a trie, so a path met before costs a map lookup instead
 * of a new joined string; past `limit` paths, new ones are built as they are met.
 */
export class ArrayPathScanner {
  readonly visit: (key: string) => void;
  readonly #roots = new Map<string, PathNode>();
  readonly #limit: number;
  #nodes = 0;

  /** @param limit Paths kept in the trie. */
  constructor(visit: (key: string) => void, limit = 10_000) {
    this.visit = visit;
    this.#limit = limit;
  }

  /**
   * Calls `visit` with the key of every array path in `value` (as `visitArrayPaths` with the
   * same `root`), and returns true when `value` holds a date or binary value anywhere, reached
   * as `encodeValue` reaches values (own fields of objects, every array element, at any depth):
   * exactly when `encodeValue(value)` differs from `value`.
   */
  scan(root: string, value: unknown): boolean {
    if (typeof value !== "object" || value === null) return false;
    let node = this.#roots.get(root);
    if (node === undefined) {
      node = { key: root, children: undefined };
      this.#roots.set(root, node);
    }
    return scan(this, value, node);
  }

  /** The node of `node`'s path extended by `field`. */
  child(node: PathNode, field: string): PathNode {
    const known = node.children?.get(field);
    if (known !== undefined) return known;
    const child: PathNode = { key: childPathKey(node.key, field), children: undefined };
    if (this.#nodes < this.#limit) {
      this.#nodes++;
      node.children ??= new Map();
      node.children.set(field, child);
    }
    return child;
  }
}

function scan(scanner: ArrayPathScanner, value: object, node: PathNode): boolean {
  if (Array.isArray(value)) {
    scanner.visit(node.key);
    let tagged = false;
    for (let index = 0; index < value.length; index++) {
      const element: unknown = value[index];
      if (typeof element !== "object" || element === null) continue;
      if (isTaggedValue(element)) tagged = true;
      // Nested arrays hold no array paths (see `walk`), only possibly tags.
      else if (Array.isArray(element)) tagged ||= encodeValue(element as Value[]) !== element;
      else if (scanFields(scanner, element as { readonly [field: string]: Value }, node)) {
        tagged = true;
      }
    }
    return tagged;
  }
  if (isTaggedValue(value)) return true;
  return scanFields(scanner, value as { readonly [field: string]: Value }, node);
}

function scanFields(
  scanner: ArrayPathScanner,
  document: { readonly [field: string]: Value },
  node: PathNode,
): boolean {
  let tagged = false;
  for (const field in document) {
    if (!hasOwnField.call(document, field)) continue;
    const child = document[field];
    if (typeof child !== "object" || child === null) continue;
    if (isTaggedValue(child)) {
      tagged = true;
      continue;
    }
    if (scan(scanner, child, scanner.child(node, field))) tagged = true;
  }
  return tagged;
}
