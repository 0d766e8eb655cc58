/**
 * The index entries of a record: which index sets its key belongs to. Values are found with the
 * query package's own path traversal (`getPathValues`), so every value a filter condition could
 * match on, including each element of an array and the array itself, gets an entry, and
 * narrowing by index sets can only ever return a superset of the matching records.
 *
 * - Equality: one set per (path, value), named by the value's canonical JSON (`stringifyValue`:
 *   field order kept, dates as ISO text, `-0` as `0`, exactly MongoDB's equality), or by its
 *   SHA-1 when that JSON is long. `null` and missing values get no entry: `{ a: null }` also
 *   matches records without `a`, so it is never narrowed by an index.
 * - Ranges: the smallest and the largest number at the path (sorted sets `nlo`, `nhi`), and the
 *   same for dates (`dlo`, `dhi`, scored in epoch milliseconds). `$gt`/`$gte` look at the
 *   largest value, `$lt`/`$lte` at the smallest: "some value is above x" holds exactly when the
 *   largest one is.
 */

import { createHash } from "node:crypto";
import { recordView, type StoredRecord, stringifyValue } from "@agentvault/core";
import { getPathValues, type Value } from "@agentvault/query";
import { indexSetSuffix } from "./redis-key-layout.js";

/** One indexed record-view path. */
export interface IndexDefinition {
  /** A short id used in set names, unique within the collection. */
  readonly id: string;
  /** The record-view path, for example `value.price`. */
  readonly path: string;
  /** Whether every existing record has been indexed, so queries may narrow by it. */
  readonly ready: boolean;
}

/** Encoded values longer than this are replaced by their SHA-1 in set names. */
const maxEncodedLength = 96;

/**
 * The name part of an equality set for `value`. JSON text never starts with `h`, so the hashed
 * form cannot collide with an unhashed one.
 */
export function encodeIndexValue(value: Value): string {
  const encoded = stringifyValue(value);
  if (encoded.length <= maxEncodedLength) return encoded;
  return `h:${createHash("sha1").update(encoded).digest("hex")}`;
}

/** Splits a record-view path into segments, as `parseFilter` does for filter paths. */
export function pathSegments(path: string): readonly string[] {
  return path.split(".");
}

/** Lowest and highest value seen, for one type. */
class Extremes {
  low = Number.POSITIVE_INFINITY;
  high = Number.NEGATIVE_INFINITY;
  add(value: number): void {
    if (value < this.low) this.low = value;
    if (value > this.high) this.high = value;
  }
  get empty(): boolean {
    return this.low > this.high;
  }
}

function appendEntries(lines: string[], view: unknown, index: IndexDefinition): void {
  const values = getPathValues(view, pathSegments(index.path));
  const equality = new Set<string>();
  const numbers = new Extremes();
  const dates = new Extremes();
  for (const value of values) {
    if (value === undefined || value === null) continue;
    if (typeof value === "number") {
      if (Number.isNaN(value)) continue;
      numbers.add(value);
    } else if (value instanceof Date) {
      dates.add(value.getTime());
    }
    equality.add(encodeIndexValue(value as Value));
  }
  for (const encoded of equality) lines.push(`s\t${indexSetSuffix.equality(index.id, encoded)}`);
  if (!numbers.empty) {
    lines.push(`z\t${numbers.low}\t${indexSetSuffix.range(index.id, "nlo")}`);
    lines.push(`z\t${numbers.high}\t${indexSetSuffix.range(index.id, "nhi")}`);
  }
  if (!dates.empty) {
    lines.push(`z\t${dates.low}\t${indexSetSuffix.range(index.id, "dlo")}`);
    lines.push(`z\t${dates.high}\t${indexSetSuffix.range(index.id, "dhi")}`);
  }
}

/**
 * The index entries of `record` for `indexes`, as the write script takes them: lines
 * `s\t<set suffix>` and `z\t<score>\t<sorted set suffix>` joined by newlines ("" for none).
 * Set suffixes hold no tab or newline: JSON escapes both.
 */
export function indexEntries(record: StoredRecord, indexes: readonly IndexDefinition[]): string {
  if (indexes.length === 0) return "";
  const view = recordView(record);
  const lines: string[] = [];
  for (const index of indexes) appendEntries(lines, view, index);
  return lines.join("\n");
}
