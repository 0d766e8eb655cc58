/**
 * A *slot* is one place a filter path can yield a value from, seen from SQL: the value at a
 * JSON path of a column, an array element produced by `json_each`, or the key column. Tests
 * read a slot through two expressions: its JSON type (`json_type` names, NULL when the path is
 * missing) and its value (`json_extract` semantics: numbers and text as themselves, `true` and
 * `false` as 1 and 0, JSON null as NULL, objects and arrays as minified JSON text).
 *
 * Dates and binary values are stored as the codec's tags, `{"$date":"<ISO>"}` and
 * `{"$binary":"<base64>"}`, so their value text starts with a fixed prefix. Stored field names
 * never start with `$`, which makes the prefix ranges below exact type tests.
 */

import { type JsonPathStep, jsonPathLiteral } from "./sqlite-json-path.js";

/**
 * A shape path (record-view segments, array hops collapsed) as its `arrayPathKey`, or null
 * where the shape is unknown.
 */
export type ShapePath = string | null;

/** One place a path yields a value. */
export interface Slot {
  /** SQL for the JSON type name, NULL when missing. */
  readonly type: string;
  /** SQL for the value (see the module comment). */
  readonly value: string;
  /** SQL for the JSON document the slot lives in, and the path inside it. */
  readonly source: string;
  readonly path: readonly JsonPathStep[];
  /** Where children are read from, when it differs from `source` (the metadata root). */
  readonly childSource?: string | undefined;
  /** The key column: always a string, never missing, never an array. */
  readonly isKey?: boolean | undefined;
  /** An array element: never missing. */
  readonly isElement?: boolean | undefined;
}

/** A path that yields nothing but "missing" in every record. */
export const missingSlot = Symbol("missing");
export type SlotOrMissing = Slot | typeof missingSlot;

/** The value at `path` inside the JSON `source`. */
export function pathSlot(source: string, path: readonly JsonPathStep[]): Slot {
  const literal = jsonPathLiteral(path);
  return {
    type: `json_type(${source}, ${literal})`,
    value: `json_extract(${source}, ${literal})`,
    source,
    path,
  };
}

/** The current element of a `json_each` aliased `alias`. */
export function elementSlot(alias: string): Slot {
  return {
    type: `${alias}.type`,
    value: `${alias}.value`,
    source: `${alias}.value`,
    path: [],
    isElement: true,
  };
}

/** The key column, read as a string. */
export function keySlot(column: string): Slot {
  return { type: "'text'", value: column, source: column, path: [], isKey: true };
}

/**
 * The metadata root: a record without metadata has the empty object there, so the slot itself
 * reads `{}` for SQL NULL while its children read the column directly (keeping index paths).
 */
export function metadataRootSlot(column: string): Slot {
  return {
    type: `coalesce(json_type(${column}), 'object')`,
    value: `coalesce(json_extract(${column}, '$'), '{}')`,
    source: `coalesce(${column}, '{}')`,
    path: [],
    childSource: column,
  };
}

/**
 * The field `name` of the slot's value (missing unless it is an object with that field). Names
 * starting with `$` are never stored, so they yield "missing" without SQL.
 */
export function childSlot(slot: Slot, name: string): SlotOrMissing {
  if (slot.isKey || name.startsWith("$")) return missingSlot;
  return pathSlot(slot.childSource ?? slot.source, [...slot.path, { kind: "label", name }]);
}

/** The element at `index` of the slot's value (missing unless it is a long enough array). */
export function indexSlot(slot: Slot, index: number): Slot {
  return pathSlot(slot.childSource ?? slot.source, [...slot.path, { kind: "index", index }]);
}

/** SQL string literals bounding the value text of tags (see the module comment). */
export const tagBounds = {
  /** Every tag: `{"$` up to (not including) `{"%`. */
  anyLow: `'{"$'`,
  anyHigh: `'{"%'`,
  dateLow: `'{"$date":"'`,
  dateHigh: `'{"$date":#'`,
  /** Dates with a `+` expanded year (after 9999), whose text sorts before ordinary dates. */
  plusDateLow: `'{"$date":"+'`,
  plusDateHigh: `'{"$date":",'`,
  binaryLow: `'{"$binary":"'`,
  binaryHigh: `'{"$binary":#'`,
} as const;

/**
 * SQL: the slot's type is one of `types` (a constant for the key column). The type is read
 * through unary `+`, which changes nothing but hides the term from the planner: a type test
 * matches most rows, and SQLite, left without statistics, would otherwise prefer a `json_type`
 * index to the value index next to it. (`json_type(...) = 'array'`, written by the traversal,
 * stays visible: that is the test an index on the type serves well.)
 */
export function typeIs(slot: Slot, ...types: string[]): string {
  if (slot.isKey) return types.includes("text") ? "1" : "0";
  if (types.length === 1) return `+${slot.type} = '${types[0]}'`;
  return `+${slot.type} IN (${types.map((type) => `'${type}'`).join(", ")})`;
}

/** SQL: the slot is missing. */
export function isMissing(slot: Slot): string {
  return slot.isKey || slot.isElement ? "0" : `${slot.type} IS NULL`;
}

/** SQL: the slot holds a date tag. */
export function isDateTag(slot: Slot): string {
  if (slot.isKey) return "0";
  return `(${slot.type} = 'object' AND ${slot.value} >= ${tagBounds.dateLow} AND ${slot.value} < ${tagBounds.dateHigh})`;
}

/** SQL: the slot holds a binary tag. */
export function isBinaryTag(slot: Slot): string {
  if (slot.isKey) return "0";
  return `(${slot.type} = 'object' AND ${slot.value} >= ${tagBounds.binaryLow} AND ${slot.value} < ${tagBounds.binaryHigh})`;
}

/** SQL: the slot holds a document (an object that is not a tag). */
export function isDocumentSlot(slot: Slot): string {
  if (slot.isKey) return "0";
  return `(${slot.type} = 'object' AND NOT (${slot.value} >= ${tagBounds.anyLow} AND ${slot.value} < ${tagBounds.anyHigh}))`;
}
