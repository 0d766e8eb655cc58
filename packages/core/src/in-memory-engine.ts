/**
 * Scan-based query evaluation for providers that cannot run a filter natively (memory,
 * filesystem, S3, Redis) and for residual evaluation in SQL providers. Pure functions over
 * records: nothing here reads or writes storage, and no input is modified.
 *
 * Filters and sorts are rooted in the record view (`{ _id, value, metadata }`), exactly as
 * providers receive them, so the same semantics hold on every backend.
 */

import {
  applyUpdate,
  compilePredicate,
  type DocumentPredicate,
  type FilterNode,
  sortDocuments,
} from "@agentvault/query";
import type { FindQuery, RecordUpdate, RecordView, StoredRecord } from "./provider.js";
import { isExpired, recordView } from "./record-view.js";
import { validateValue } from "./validation.js";

const recordOf = Symbol("record");

/** A record view that remembers its record, so sorting views can hand back records. */
type LinkedView = RecordView & { readonly [recordOf]: StoredRecord };

function linkedView(record: StoredRecord): LinkedView {
  const view = recordView(record) as RecordView & { [recordOf]: StoredRecord };
  view[recordOf] = record;
  return view;
}

/** Whether the filter is the empty `and`, which matches everything without evaluation. */
export function isMatchAll(filter: FilterNode): boolean {
  return filter.type === "and" && filter.children.length === 0;
}

/**
 * Compiles a record-view filter into a record predicate.
 * @example
 * const live = compileRecordFilter(query.filter);
 * records.filter((record) => live(record));
 */
export function compileRecordFilter(filter: FilterNode): (record: StoredRecord) => boolean {
  if (isMatchAll(filter)) return () => true;
  const predicate: DocumentPredicate = compilePredicate(filter);
  return (record) => predicate(recordView(record));
}

/**
 * Runs `query` over `records`: drops expired records, keeps those matching the filter, sorts,
 * then applies skip and limit. The projection is not applied (the Vault does that). Records are
 * returned as given, not copied.
 *
 * @param now Epoch milliseconds deciding expiry. @default Date.now()
 */
export function findInMemory(
  records: Iterable<StoredRecord>,
  query: FindQuery,
  now: number = Date.now(),
): StoredRecord[] {
  const skip = query.skip ?? 0;
  const limit = query.limit ?? Number.POSITIVE_INFINITY;
  const sorted = query.sort !== undefined && query.sort.length > 0;
  const predicate = isMatchAll(query.filter) ? undefined : compilePredicate(query.filter);
  if (!sorted) {
    // Without a sort, scanning can stop as soon as the page is full.
    const result: StoredRecord[] = [];
    let skipped = 0;
    if (limit === 0) return result;
    for (const record of records) {
      if (isExpired(record, now)) continue;
      if (predicate !== undefined && !predicate(recordView(record))) continue;
      if (skipped < skip) {
        skipped++;
        continue;
      }
      result.push(record);
      if (result.length >= limit) break;
    }
    return result;
  }
  const views: LinkedView[] = [];
  for (const record of records) {
    if (isExpired(record, now)) continue;
    const view = linkedView(record);
    if (predicate === undefined || predicate(view)) views.push(view);
  }
  const ordered = sortDocuments(views, query.sort!);
  const end = limit === Number.POSITIVE_INFINITY ? undefined : skip + limit;
  return ordered.slice(skip, end).map((view) => view[recordOf]);
}

/** Counts the live records of `records` matching `filter`. */
export function countInMemory(
  records: Iterable<StoredRecord>,
  filter: FilterNode,
  now: number = Date.now(),
): number {
  const predicate = isMatchAll(filter) ? undefined : compilePredicate(filter);
  let count = 0;
  for (const record of records) {
    if (isExpired(record, now)) continue;
    if (predicate === undefined || predicate(recordView(record))) count++;
  }
  return count;
}

/**
 * Applies `changes` to `record` and returns the new record (the input is not modified):
 * the parsed value update (with `applyUpdate`), then metadata, expiry and vector replacements.
 * `updatedAt` becomes `now`. The new value is validated, so an update cannot store what
 * `store` would refuse (an `$inc` overflowing to Infinity, for example).
 *
 * @throws ValidationError when the updated value is invalid.
 */
export function applyRecordUpdate(
  record: StoredRecord,
  changes: RecordUpdate,
  now: number,
): StoredRecord {
  const value =
    changes.value === undefined
      ? record.value
      : validateValue(applyUpdate(record.value as object, changes.value, { now: new Date(now) }), {
          source: "update",
        });
  return {
    key: record.key,
    value,
    metadata: changes.metadata === undefined ? record.metadata : changes.metadata,
    expiresAt:
      changes.expiresAt === undefined ? record.expiresAt : (changes.expiresAt ?? undefined),
    vector: changes.vector === undefined ? record.vector : (changes.vector ?? undefined),
    createdAt: record.createdAt,
    updatedAt: now,
  };
}
