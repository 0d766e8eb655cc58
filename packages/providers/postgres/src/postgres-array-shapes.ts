/**
 * Where arrays occur in a collection's stored values and metadata. MongoDB's implicit array
 * traversal makes `items.price` mean "the price of any item" when `items` is an array, so the
 * compiled SQL for a path carries extra arms for arrays on the way and at the end. A collection
 * records, in its registry row, every record-view path at which an array was ever written
 * (array hops collapsed: the documents inside `items` contribute paths under `items`); a path
 * none of whose prefixes was ever an array compiles to one plain, indexable comparison. The set
 * only grows (like MongoDB's multikey flag), so a larger set than the stored one is always safe.
 */

import type { Value } from "@agentvault/query";

/** What the filter compiler knows about arrays in a collection. */
export interface ArrayShapes {
  /**
   * Whether the value at a record-view path (its `arrayPathKey`, such as that of
   * `["value", "items"]`) may be an array in some record. Answering true is always safe.
   */
  mayBeArray(key: string): boolean;
}

/** Shapes that know nothing: every path may hold an array (the compiler's default). */
export const unknownShapes: ArrayShapes = Object.freeze({ mayBeArray: () => true });

// PostgreSQL text cannot hold NUL, and field names rarely hold U+0001: a collision only makes
// a path look like an array path, which is safe.
const separator = "\u0001";

function storableSegment(segment: string): string {
  return segment.includes("\u0000") ? segment.replaceAll("\u0000", "\uFFFD") : segment;
}

/** The key a record-view path is remembered under. */
export function arrayPathKey(path: readonly string[]): string {
  return path.map(storableSegment).join(separator);
}

/** A set of array path keys as `ArrayShapes`. */
export function shapesOf(keys: Iterable<string>): ArrayShapes {
  const set = new Set(keys);
  return { mayBeArray: (key) => set.has(key) };
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

function walk(value: unknown, segments: string[], found: Set<string>): void {
  if (Array.isArray(value)) {
    found.add(arrayPathKey(segments));
    // Elements that are documents contribute their fields under the array's own path; nested
    // arrays are only reached by position, which the compiler always leaves to memory.
    for (const element of value) if (isDocument(element)) walkFields(element, segments, found);
    return;
  }
  if (isDocument(value)) walkFields(value, segments, found);
}

function walkFields(
  document: { readonly [field: string]: Value },
  segments: string[],
  found: Set<string>,
): void {
  for (const field in document) {
    if (!Object.hasOwn(document, field)) continue;
    const child = document[field];
    if (typeof child !== "object" || child === null) continue;
    segments.push(field);
    walk(child, segments, found);
    segments.pop();
  }
}

/**
 * Adds to `found` the key of every record-view path at which `value` holds an array. `root` is
 * the record-view field the value lives under (`value` or `metadata`).
 */
export function collectArrayPaths(root: string, value: unknown, found: Set<string>): void {
  if (typeof value === "object" && value !== null) walk(value, [root], found);
}
