/**
 * The record view, `{ _id: key, value, metadata }`, is the one shape every filter, sort and
 * projection reaching a provider is rooted in. The Vault addresses document fields, so it
 * rewrites user paths into this view (`price` -> `value.price`, `_id` stays); the data manager
 * does its own mapping with `prefixFilterPaths`.
 */

import type {
  FieldNode,
  FieldPath,
  FilterNode,
  ProjectionSpec,
  SortSpec,
  Value,
} from "@agentvault/query";
import type { RecordView, StoredRecord } from "./provider.js";
import type { StoredDocument } from "./vault-types.js";

const emptyMetadata: { readonly [field: string]: Value } = Object.freeze({});

/** Builds the view a filter is evaluated against. Nothing is copied. */
export function recordView(record: StoredRecord): RecordView {
  return { _id: record.key, value: record.value, metadata: record.metadata ?? emptyMetadata };
}

/** Whether the record has expired at `now` (epoch milliseconds). */
export function isExpired(record: StoredRecord, now: number): boolean {
  return record.expiresAt !== undefined && record.expiresAt <= now;
}

/** Maps the segments of a path to new segments. */
export type PathMapper = (segments: readonly string[]) => readonly string[];

function mapFieldPath(field: FieldPath, mapPath: PathMapper): FieldPath {
  const segments = mapPath(field.segments);
  return { path: segments.join("."), segments };
}

/**
 * Rewrites the path of every field node of `node` with `mapPath`. Paths inside `$elemMatch`
 * (and `$all` with `$elemMatch`) are relative to an array element, so they are left alone.
 */
export function prefixFilterPaths(node: FilterNode, mapPath: PathMapper): FilterNode {
  if (node.type === "field") {
    const rewritten: FieldNode = {
      type: "field",
      field: mapFieldPath(node.field, mapPath),
      condition: node.condition,
    };
    return rewritten;
  }
  return {
    type: node.type,
    children: node.children.map((child) => prefixFilterPaths(child, mapPath)),
  };
}

/** Document paths to record-view paths: `_id` and `_id.*` stay, the rest go under `value`. */
export function documentPathToRecordPath(segments: readonly string[]): readonly string[] {
  return segments[0] === "_id" ? segments : ["value", ...segments];
}

/** Rewrites a filter over documents into one over the record view. */
export function toRecordFilter(node: FilterNode): FilterNode {
  return prefixFilterPaths(node, documentPathToRecordPath);
}

/** Rewrites a sort over documents into one over the record view. */
export function toRecordSort(
  sort: SortSpec,
  mapPath: PathMapper = documentPathToRecordPath,
): SortSpec {
  return sort.map((key) => ({ field: mapFieldPath(key.field, mapPath), direction: key.direction }));
}

/**
 * Rewrites a projection over documents into one over the record view. `includeId` keeps its
 * meaning: the record's key is `_id` in both shapes.
 */
export function toRecordProjection(
  projection: ProjectionSpec,
  mapPath: PathMapper = documentPathToRecordPath,
): ProjectionSpec {
  return {
    mode: projection.mode,
    includeId: projection.includeId,
    fields: projection.fields.map((field) => mapFieldPath(field, mapPath)),
  };
}

/**
 * The document a Vault returns for a record: the value's fields plus `_id`, the key. A value
 * that is not an object (written by the data manager) is returned as `{ _id, value }`.
 */
export function fromRecord(record: StoredRecord): StoredDocument {
  const value = record.value;
  if (
    value === null ||
    typeof value !== "object" ||
    Array.isArray(value) ||
    value instanceof Date ||
    value instanceof Uint8Array
  ) {
    return { _id: record.key, value } as StoredDocument;
  }
  // Spread defines own properties, so a `__proto__` field stays a field. `_id` goes first, as
  // in MongoDB, and the key wins over any `_id` a data-manager value might carry.
  const doc = { _id: record.key, ...(value as { [field: string]: Value }) } as StoredDocument;
  doc._id = record.key;
  return doc;
}
