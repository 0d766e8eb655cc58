/**
 * MongoDB sort semantics over in-memory documents.
 *
 * For each sort key, a document contributes every value its path reaches, the way MongoDB's
 * index key generator walks it: through arrays of sub-documents (an element lacking the field,
 * or a scalar element, contributes `null`), a numeric segment picks that array element when it
 * exists, and an array at the end of the path contributes its elements. An ascending key then
 * uses the smallest of those values and a descending key the largest, compared with
 * {@link compareValues}. A missing field sorts as `null`, and an empty array sorts below `null`.
 *
 * Known difference: with two sort keys through the same array MongoDB picks the smallest
 * compound key (element-wise correlated); here each key picks its own extreme independently.
 */

import type { SortSpec } from "./ast.js";
import { compareValues } from "./compare.js";
import { getOwn, isArrayIndex, isPlainObject } from "./paths.js";

/** Stands for an empty array at the end of a path: below `null`, as MongoDB's `undefined` key. */
const emptyArray: unique symbol = Symbol("empty array");

type SortValue = unknown;

function collect(value: unknown, segments: readonly string[], index: number, out: unknown[]) {
  if (index === segments.length) {
    if (Array.isArray(value)) {
      if (value.length === 0) out.push(emptyArray);
      else for (const element of value) out.push(element);
    } else {
      out.push(value === undefined ? null : value);
    }
    return;
  }
  const segment = segments[index]!;
  if (Array.isArray(value)) {
    if (isArrayIndex(segment) && Number(segment) < value.length) {
      const element = value[Number(segment)];
      // A positionally indexed nested array at the end of the path is one value, not expanded.
      if (index + 1 === segments.length) out.push(element === undefined ? null : element);
      else collect(element, segments, index + 1, out);
      return;
    }
    if (value.length === 0) {
      out.push(emptyArray);
      return;
    }
    for (const element of value) {
      if (isPlainObject(element)) collect(getOwn(element, segment), segments, index + 1, out);
      else out.push(null);
    }
    return;
  }
  if (isPlainObject(value)) {
    collect(getOwn(value, segment), segments, index + 1, out);
    return;
  }
  out.push(null);
}

function compareSortValues(a: SortValue, b: SortValue): number {
  if (a === emptyArray || b === emptyArray) {
    if (a === b) return 0;
    return a === emptyArray ? -1 : 1;
  }
  return compareValues(a, b);
}

/**
 * The value a document sorts by for one path and direction: the smallest reachable value when
 * ascending, the largest when descending.
 */
function sortValue(document: unknown, segments: readonly string[], direction: 1 | -1) {
  const values: unknown[] = [];
  collect(document, segments, 0, values);
  let best = values[0];
  for (let index = 1; index < values.length; index++) {
    const order = compareSortValues(values[index], best);
    if (order * direction < 0) best = values[index];
  }
  return best;
}

/**
 * Builds a comparator for `Array.prototype.sort` that follows MongoDB's sort semantics.
 *
 * @example
 * const byPrice = compareBySort(parseSort({ price: -1, name: 1 }));
 * documents.sort(byPrice);
 */
export function compareBySort(sort: SortSpec): (a: unknown, b: unknown) => number {
  return (a, b) => {
    for (const key of sort) {
      const order = compareSortValues(
        sortValue(a, key.field.segments, key.direction),
        sortValue(b, key.field.segments, key.direction),
      );
      if (order !== 0) return order * key.direction;
    }
    return 0;
  };
}

/**
 * Returns a new array of `documents` in sort order; documents that compare equal keep their
 * input order (the sort is stable). Each document's sort values are computed once.
 *
 * @example
 * sortDocuments(products, parseSort({ price: 1 }));
 */
export function sortDocuments<T>(documents: readonly T[], sort: SortSpec): T[] {
  if (sort.length === 0) return [...documents];
  const decorated = documents.map((document, position) => ({
    document,
    position,
    values: sort.map((key) => sortValue(document, key.field.segments, key.direction)),
  }));
  decorated.sort((a, b) => {
    for (let index = 0; index < sort.length; index++) {
      const order = compareSortValues(a.values[index], b.values[index]);
      if (order !== 0) return order * sort[index]!.direction;
    }
    return a.position - b.position;
  });
  return decorated.map((entry) => entry.document);
}
