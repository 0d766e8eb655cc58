/**
 * Sorting in SQL with MongoDB's order, when that is possible. A sort key compiles to two ORDER
 * BY terms: the value's type bracket (null and missing < numbers < strings < objects < arrays <
 * binary < booleans < dates), then the value within it (numbers numerically, strings by code
 * point, which is SQLite's BINARY order of UTF-8, `false < true`, dates by time).
 *
 * MongoDB sorts an array by its smallest (ascending) or largest (descending) element, and
 * objects and binary values field by field: SQL cannot, so a sort is pushed down only when the
 * collection's array shapes rule arrays out on the sort path, and the provider checks
 * (`objectCheck`) that no matching record holds an object or binary value there. Ties keep
 * insertion order (rowid), as the in-memory sort does.
 */

import type { SortSpec } from "@agentvault/query";
import { type ArrayShapes, arrayPathKey } from "./sqlite-array-shapes.js";
import { isRepresentableLabel, labels } from "./sqlite-json-path.js";
import { metadataRootSlot, pathSlot, type Slot, tagBounds } from "./sqlite-slots.js";

/** An ORDER BY clause and the conditions that must match no record for it to be exact. */
export interface SqlSort {
  /** The ORDER BY terms (without the keyword), ending with the rowid tie-break. */
  readonly orderBy: string;
  /** SQL conditions, one per sort path, true for a record holding an object or binary value. */
  readonly objectChecks: readonly string[];
}

function bracket(slot: Slot): string {
  const x = slot.value;
  return `CASE ${slot.type} WHEN 'integer' THEN 10 WHEN 'real' THEN 10 WHEN 'text' THEN 15 WHEN 'true' THEN 40 WHEN 'false' THEN 40 WHEN 'array' THEN 25 WHEN 'object' THEN (CASE WHEN ${x} >= ${tagBounds.dateLow} AND ${x} < ${tagBounds.dateHigh} THEN 45 WHEN ${x} >= ${tagBounds.binaryLow} AND ${x} < ${tagBounds.binaryHigh} THEN 30 ELSE 20 END) ELSE 5 END`;
}

function withinBracket(slot: Slot): string {
  const x = slot.value;
  // Dates order by time; their text only does for years 0000-9999.
  return `CASE WHEN ${slot.type} = 'object' THEN av_date_ms(${x}) ELSE ${x} END`;
}

function objectCheck(slot: Slot): string {
  const x = slot.value;
  return `(${slot.type} = 'object' AND NOT (${x} >= ${tagBounds.dateLow} AND ${x} < ${tagBounds.dateHigh}))`;
}

/**
 * The SQL sort for `sort`, or undefined when SQL cannot sort exactly (a path that may cross an
 * array, or a label a JSON path cannot spell).
 */
export function compileSortToSql(
  sort: SortSpec,
  columns: { readonly key: string; readonly value: string; readonly metadata: string },
  shapes: ArrayShapes,
): SqlSort | undefined {
  const terms: string[] = [];
  const objectChecks: string[] = [];
  for (const { field, direction } of sort) {
    const order = direction === 1 ? "ASC" : "DESC";
    const [head, ...rest] = field.segments;
    if (head === "_id") {
      // Any deeper `_id` path is missing everywhere: a constant, which orders nothing.
      if (rest.length === 0) terms.push(`${columns.key} ${order}`);
      continue;
    }
    // Other roots, and fields named `$...` (never stored), are missing everywhere: no order.
    if (head !== "value" && head !== "metadata") continue;
    if (rest.some((segment) => segment.startsWith("$"))) continue;
    for (let length = 1; length <= field.segments.length; length++) {
      if (shapes.mayBeArray(arrayPathKey(field.segments.slice(0, length)))) return undefined;
    }
    if (!rest.every(isRepresentableLabel)) return undefined;
    const slot =
      head === "value"
        ? pathSlot(columns.value, labels(rest))
        : rest.length === 0
          ? metadataRootSlot(columns.metadata)
          : pathSlot(columns.metadata, labels(rest));
    terms.push(`${bracket(slot)} ${order}`, `${withinBracket(slot)} ${order}`);
    objectChecks.push(objectCheck(slot));
  }
  terms.push("r.rowid ASC");
  return { orderBy: terms.join(", "), objectChecks };
}
