/**
 * MongoDB's dot-path traversal written as SQL (the SQL twin of `path-values.ts` in
 * `@agentvault/query`): a condition holds when any value the path yields passes its test.
 *
 * - A path ending on an array yields each element and the array itself, unless the operator
 *   tests the whole array (`$size`, `$elemMatch`).
 * - A path continuing past an array visits the elements that are documents, and the element
 *   at a position when the next segment is an index.
 * - A path through a missing field or a scalar yields "missing".
 *
 * Arrays are walked with `json_each` only where the collection's array shapes say an array may
 * be; elsewhere the path is one `json_extract`, which an expression index can serve. The array
 * branch is OR-ed next to the plain branch (and the plain branch guarded with "is not an array"
 * only when the test accepts a missing value), which keeps the plain comparison visible to the
 * planner.
 */

import { andSql, orSql, raw, type SqlFragment, sql, sqlFalse, sqlTrue } from "./sql-fragment.js";
import { type ArrayShapes, childPathKey } from "./sqlite-array-shapes.js";
import { jsonPathLiteral, segmentIndex } from "./sqlite-json-path.js";
import {
  childSlot,
  elementSlot,
  indexSlot,
  isDocumentSlot,
  missingSlot,
  type ShapePath,
  type Slot,
  type SlotOrMissing,
} from "./sqlite-slots.js";
import type { SlotTest } from "./sqlite-value-tests.js";

/** State shared by one compilation: alias numbering and the collection's array shapes. */
export interface TraversalState {
  readonly shapes: ArrayShapes;
  /** The next `json_each` alias number. */
  aliasCount: number;
}

function nextAlias(state: TraversalState): string {
  state.aliasCount++;
  return `e${state.aliasCount}`;
}

function mayBeArray(state: TraversalState, slot: Slot, shape: ShapePath): boolean {
  if (slot.isKey) return false;
  return shape === null || state.shapes.mayBeArray(shape);
}

function extend(shape: ShapePath, name: string): ShapePath {
  return shape === null ? null : childPathKey(shape, name);
}

/** `json_each` over the slot's value, for use in `FROM`. */
export function eachOf(slot: Slot, alias: string): string {
  const source = slot.childSource ?? slot.source;
  if (slot.isElement) return `json_each(${source}) AS ${alias}`;
  return `json_each(${source}, ${jsonPathLiteral(slot.path)}) AS ${alias}`;
}

/** What the test answers where the path is missing everywhere. */
function missingResult(test: SlotTest): SqlFragment {
  return test.onMissing ? sqlTrue : sqlFalse;
}

/**
 * Whether any value yielded by `rest` read from the value at `slot` passes `test`.
 * @param expand Whether a path ending on an array also yields its elements.
 */
export function yieldFrom(
  state: TraversalState,
  slot: SlotOrMissing,
  shape: ShapePath,
  rest: readonly string[],
  test: SlotTest,
  expand: boolean,
): SqlFragment {
  if (slot === missingSlot) return missingResult(test);
  if (rest.length === 0) return leaf(state, slot, shape, test, expand);
  const [head, ...tail] = rest as [string, ...string[]];
  const plain = yieldFrom(state, childSlot(slot, head), extend(shape, head), tail, test, expand);
  if (!mayBeArray(state, slot, shape)) return plain;
  const guarded = test.onMissing ? andSql([raw(`${slot.type} IS NOT 'array'`), plain]) : plain;
  const inArray = arrayStep(state, slot, shape, rest, test, expand);
  return orSql([guarded, andSql([raw(`${slot.type} = 'array'`), inArray])]);
}

/** The value at the end of the path: itself, and its elements when it may be an array. */
function leaf(
  state: TraversalState,
  slot: Slot,
  shape: ShapePath,
  test: SlotTest,
  expand: boolean,
): SqlFragment {
  const itself = test.test(slot, shape);
  if (!expand || !mayBeArray(state, slot, shape)) return itself;
  const alias = nextAlias(state);
  const element = test.test(elementSlot(alias), shape);
  if (element.text === "0") return itself;
  const anyElement = sql`EXISTS (SELECT 1 FROM ${eachOf(slot, alias)} WHERE ${element})`;
  return orSql([itself, andSql([raw(`${slot.type} = 'array'`), anyElement])]);
}

/**
 * `rest` read from inside the array at `slot` (MongoDB's `matchInArray`): the elements that are
 * documents, and the element at a position when the next segment is an index.
 */
function arrayStep(
  state: TraversalState,
  array: Slot,
  shape: ShapePath,
  rest: readonly string[],
  test: SlotTest,
  expand: boolean,
): SqlFragment {
  const [head, ...tail] = rest as [string, ...string[]];
  // MongoDB tests whether the rest of the path is empty: a trailing empty segment after an
  // array (`a.`) ends the path at the array itself.
  if (head === "" && tail.length === 0) return leaf(state, array, shape, test, expand);
  const alias = nextAlias(state);
  const element = elementSlot(alias);
  const inDocument = yieldFrom(
    state,
    childSlot(element, head),
    extend(shape, head),
    tail,
    test,
    expand,
  );
  // CASE, not AND: SQLite may evaluate AND operands in any order, and JSON functions must never
  // see an element that is plain text.
  const documents =
    inDocument.text === "0"
      ? sqlFalse
      : sql`EXISTS (SELECT 1 FROM ${eachOf(array, alias)} WHERE CASE WHEN ${isDocumentSlot(element)} THEN ${inDocument} ELSE 0 END)`;
  const position = segmentIndex(head);
  if (position < 0) return documents;
  const atPosition = indexSlot(array, position);
  let positional: SqlFragment;
  if (tail.length === 0) {
    // Reached by position, the element is tested itself, never expanded, and only if present.
    positional = andSql([raw(`${atPosition.type} IS NOT NULL`), test.test(atPosition, null)]);
  } else {
    const [next, ...after] = tail as [string, ...string[]];
    const inObject = yieldFrom(state, childSlot(atPosition, next), null, after, test, expand);
    const inNested = arrayStep(state, atPosition, null, tail, test, expand);
    positional = sql`CASE WHEN ${isDocumentSlot(atPosition)} THEN ${inObject} WHEN ${atPosition.type} = 'array' THEN ${inNested} ELSE 0 END`;
  }
  return orSql([documents, positional]);
}

/**
 * `rest` read from an array element that `$elemMatch` treats as a document: objects by field,
 * arrays by position (MongoDB reads an array element as `{ "0": ..., "1": ... }`).
 */
export function yieldFromElement(
  state: TraversalState,
  element: Slot,
  shape: ShapePath,
  rest: readonly string[],
  test: SlotTest,
  expand: boolean,
): SqlFragment {
  const [head, ...tail] = rest as [string, ...string[]];
  const inObject = yieldFrom(
    state,
    childSlot(element, head),
    extend(shape, head),
    tail,
    test,
    expand,
  );
  const position = segmentIndex(head);
  const inArray =
    position < 0
      ? missingResult(test)
      : yieldFrom(state, indexSlot(element, position), null, tail, test, expand);
  return sql`CASE WHEN ${element.type} = 'object' THEN ${inObject} ELSE ${inArray} END`;
}
