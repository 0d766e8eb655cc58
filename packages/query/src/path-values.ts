/**
 * MongoDB's dot-path traversal, the heart of filter matching.
 *
 * A path yields zero or more values from a document, the way MongoDB's `BSONElementIterator`
 * does, and a condition holds when any yielded value satisfies it:
 * - Through objects, each segment is an own field (inherited properties never count).
 * - A path that ends on an array yields each element and then the array itself (implicit array
 *   membership), unless the caller asks for the whole array only (`$size`, `$elemMatch`).
 * - A path that continues past an array visits every element that is an object with the rest of
 *   the path (`items.price`), and, when the next segment is an index written without leading
 *   zeros, the element at that index (`items.0.price`). Elements that are arrays themselves are
 *   only entered by index: nested arrays are never flattened twice.
 * - A single trailing empty segment after an array (`a.`) ends the path at that array, since
 *   MongoDB tests whether the rest of the path is empty.
 * - A missing field, or a path continuing through a scalar, yields `undefined` ("missing"),
 *   which is how `{ a: null }` matches documents without `a`. Scalar elements of a traversed
 *   array yield nothing.
 */

/** A test on one yielded value; `undefined` means the path was missing there. */
export type ValueTest = (value: unknown) => boolean;

/** A path compiled together with the test its values must pass. */
export interface PathQuery {
  readonly segments: readonly string[];
  /** Each segment's array index (see {@link segmentIndex}), or -1. */
  readonly indexes: readonly number[];
  readonly test: ValueTest;
  /** Whether a path ending on an array also yields its elements (false for `$size`, `$elemMatch`). */
  readonly expandArrays: boolean;
}

/**
 * The array index a segment addresses: digits without leading zeros, as MongoDB compares the
 * segment with the element's field name. -1 when the segment is not an index.
 */
export function segmentIndex(segment: string): number {
  if (segment.length === 0 || segment.length > 9) return -1;
  if (segment.length > 1 && segment.charCodeAt(0) === 48) return -1;
  for (let index = 0; index < segment.length; index++) {
    const code = segment.charCodeAt(index);
    if (code < 48 || code > 57) return -1;
  }
  return Number(segment);
}

/** Compiles a path and the test its values must pass, once, for many documents. */
export function compilePathQuery(
  segments: readonly string[],
  test: ValueTest,
  expandArrays = true,
): PathQuery {
  return { segments, indexes: segments.map(segmentIndex), test, expandArrays };
}

/** An object whose fields a path can enter: not an array, date or binary value. */
export function isDocument(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  // Plain objects are by far the most common case: decide them by prototype alone.
  const prototype = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) return true;
  return !Array.isArray(value) && !(value instanceof Date) && !(value instanceof Uint8Array);
}

const hasOwn = Object.prototype.hasOwnProperty;
const objectPrototype = Object.prototype;

/**
 * Whether `container[key]` read a document's own field, for a name `Object.prototype` lacks:
 * a plain object (prototype `Object.prototype` or `null`) cannot have inherited it. Evaluators
 * read first and ask this only when the value changes the result, which spares the check for
 * most documents.
 * @internal
 */
export function isFieldRead(container: object, key: string): boolean {
  const prototype = Object.getPrototypeOf(container);
  if (prototype === objectPrototype || prototype === null) return true;
  return isDocument(container) && hasOwn.call(container, key);
}

/** {@link isFieldRead} for names `Object.prototype` has (`constructor`, `toString`...). @internal */
export function isOwnFieldRead(container: object, key: string): boolean {
  return isDocument(container) && hasOwn.call(container, key);
}

/** The confirmation {@link isFieldRead} or {@link isOwnFieldRead} that `key` needs. @internal */
export function fieldReadCheck(key: string): (container: object, key: string) => boolean {
  return key in objectPrototype ? isOwnFieldRead : isFieldRead;
}

/** Reads an own field; inherited properties (`constructor`, `__proto__`, ...) read as missing. */
export function readOwnField(container: object, key: string): unknown {
  const value = (container as Record<string, unknown>)[key];
  return value !== undefined && hasOwn.call(container, key) ? value : undefined;
}

function matchLeaf(value: unknown, query: PathQuery): boolean {
  const { test } = query;
  if (query.expandArrays && Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) if (test(value[index])) return true;
  }
  return test(value);
}

export function matchInArray(array: readonly unknown[], query: PathQuery, start: number): boolean {
  // MongoDB checks whether the rest of the path is the empty string, so a single trailing empty
  // segment after an array ends the path there (`{"a.": {$exists: true}}` matches `{a: []}`).
  if (start === query.segments.length - 1 && query.segments[start] === "") {
    return matchLeaf(array, query);
  }
  for (let index = 0; index < array.length; index++) {
    const element = array[index];
    if (isDocument(element) && matchFrom(element, query, start)) return true;
  }
  const position = query.indexes[start]!;
  if (position < 0 || position >= array.length) return false;
  const element = array[position];
  // Reached by position: the element is the value itself, never expanded.
  if (start === query.segments.length - 1) return query.test(element);
  if (isDocument(element)) return matchFrom(element, query, start + 1);
  if (Array.isArray(element)) return matchInArray(element, query, start + 1);
  return false;
}

/**
 * Whether any value the query's path yields from `container` (read from segment `start`)
 * passes its test. The container is a document, or an array read as a document (`{"0": ...}`), which is
 * how `$elemMatch` treats array elements.
 * @internal
 */
export function matchFrom(container: object, query: PathQuery, start: number): boolean {
  const { segments } = query;
  const last = segments.length - 1;
  let current: object = container;
  for (let index = start; ; index++) {
    let value: unknown;
    if (Array.isArray(current)) {
      const position = query.indexes[index]!;
      value = position >= 0 && position < current.length ? current[position] : undefined;
    } else {
      value = readOwnField(current, segments[index]!);
    }
    if (value === undefined) return query.test(undefined);
    if (index === last) return matchLeaf(value, query);
    if (Array.isArray(value)) return matchInArray(value, query, index + 1);
    if (!isDocument(value)) return query.test(undefined);
    current = value;
  }
}

/**
 * Whether any value at the query's path in `document` passes its test. A `document` that is not
 * an object or array has no fields; an empty path tests the document itself.
 */
export function matchPath(document: unknown, query: PathQuery): boolean {
  if (query.segments.length === 0) return query.test(document);
  if (Array.isArray(document) || isDocument(document)) return matchFrom(document, query, 0);
  return query.test(undefined);
}

/**
 * The values MongoDB's path traversal yields for `segments` in `document`, in order, with
 * `undefined` for each place the path is missing (see the module comment for the rules). A
 * filter condition on the path holds when it holds for any of these values. Useful for
 * providers that evaluate part of a filter in memory.
 *
 * @example
 * getPathValues({ items: [{ price: 5 }, { qty: 1 }] }, ["items", "price"]); // [5, undefined]
 * getPathValues({ tags: ["a", "b"] }, ["tags"]); // ["a", "b", ["a", "b"]]
 */
export function getPathValues(
  document: unknown,
  segments: readonly string[],
  options: { readonly expandArrays?: boolean } = {},
): unknown[] {
  const values: unknown[] = [];
  const collect = (value: unknown) => {
    values.push(value);
    return false;
  };
  matchPath(document, compilePathQuery(segments, collect, options.expandArrays ?? true));
  return values;
}

/**
 * Compiles a path and its value test into a document predicate. Paths of one or two segments
 * without array indexes (the vast majority) get a straight-line fast path; arrays met on the way,
 * and everything else, go through the general traversal.
 */
export function compilePathPredicate(
  segments: readonly string[],
  test: ValueTest,
  expandArrays = true,
): (document: unknown) => boolean {
  const query = compilePathQuery(segments, test, expandArrays);
  if (segments.length === 0) return test;
  if (segments.length > 2 || query.indexes.some((index) => index >= 0)) {
    return (document) => matchPath(document, query);
  }
  // Without index segments, an array or a non-document has no field the path can read. Values
  // are read first and the read confirmed (see `isFieldRead`) only when it changes the result.
  const missing = test(undefined);
  const first = segments[0]!;
  const firstRead = fieldReadCheck(first);
  if (segments.length === 1) {
    return (document) => {
      if (typeof document !== "object" || document === null) return missing;
      const value = (document as Record<string, unknown>)[first];
      if (value === undefined) return missing;
      let result = false;
      if (expandArrays && Array.isArray(value)) {
        for (let index = 0; index < value.length; index++) {
          if (test(value[index])) {
            result = true;
            break;
          }
        }
      }
      if (!result) result = test(value);
      return result === missing || firstRead(document, first) ? result : missing;
    };
  }
  const second = segments[1]!;
  const secondRead = fieldReadCheck(second);
  return (document) => {
    if (typeof document !== "object" || document === null) return missing;
    const outer = (document as Record<string, unknown>)[first];
    if (outer === undefined || typeof outer !== "object" || outer === null) return missing;
    if (Array.isArray(outer)) {
      const result = matchInArray(outer, query, 1);
      return result === missing || firstRead(document, first) ? result : missing;
    }
    const value = (outer as Record<string, unknown>)[second];
    if (value === undefined) return missing;
    const result = matchLeaf(value, query);
    return result === missing || (firstRead(document, first) && secondRead(outer, second))
      ? result
      : missing;
  };
}

/** What {@link compileLeafResolver} returns when an array sits before the end of the path. */
export const arrayOnPath: unique symbol = Symbol("arrayOnPath");

/**
 * Compiles a reader for the common case of a path through objects only: it returns the value at
 * the end of the path (possibly an array), `undefined` when missing, or {@link arrayOnPath} when
 * an array sits before the end (or the document is an array); the caller then uses the general
 * traversal. Without arrays before the end, the path yields exactly this value, plus its
 * elements when it is an array.
 */
export function compileLeafResolver(segments: readonly string[]): (document: unknown) => unknown {
  const last = segments.length - 1;
  return (document) => {
    if (Array.isArray(document)) return arrayOnPath;
    let current: unknown = document;
    for (let index = 0; ; index++) {
      if (!isDocument(current)) return undefined;
      const key = segments[index]!;
      const value = current[key];
      if (value === undefined || !hasOwn.call(current, key)) return undefined;
      if (index === last) return value;
      if (Array.isArray(value)) return arrayOnPath;
      current = value;
    }
  };
}

/** Whether a leaf value (see {@link compileLeafResolver}) or any of its elements passes `test`. */
export function leafMatches(value: unknown, test: ValueTest): boolean {
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) if (test(value[index])) return true;
  }
  return test(value);
}
