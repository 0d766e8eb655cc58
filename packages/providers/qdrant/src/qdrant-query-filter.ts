/**
 * The filter sent with every read: the compiled AST filter, widened so records whose value is
 * not a document always come back (the compiler assumes documents), and narrowed to records
 * that have not expired. Says which candidates must be re-checked in memory.
 */

import type { StoredRecord } from "@agentvault/core";
import { recordView } from "@agentvault/core";
import { compilePredicate, type FilterNode } from "@agentvault/query";
import { compileFilterToQdrant, type QdrantFilter } from "./qdrant-filter-compiler.js";

/** A read's native filter and the in-memory check its candidates need. */
export interface ReadFilter {
  readonly filter: QdrantFilter;
  /** True when every candidate Qdrant returns matches; otherwise use `matches`. */
  readonly exact: boolean;
  /** Whether a candidate really matches (for inexact filters and non-document values). */
  readonly matches: (record: StoredRecord) => boolean;
}

function isDocument(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !(value instanceof Uint8Array)
  );
}

/** Builds the native filter of a read at time `now`. */
export function readFilter(node: FilterNode | undefined, now: number): ReadFilter {
  const live = { key: "_av.expiresAt", range: { lte: now } } as const;
  const compiled =
    node === undefined ? { filter: undefined, exact: true } : compileFilterToQdrant(node);
  const predicate = node === undefined ? undefined : compilePredicate(node);
  const check = (record: StoredRecord) => predicate === undefined || predicate(recordView(record));
  if (compiled.filter === undefined) {
    return {
      filter: { must_not: [live] },
      exact: compiled.exact,
      matches: compiled.exact ? () => true : check,
    };
  }
  const notDocument = { key: "_av.document", match: { value: false } } as const;
  return {
    filter: { must: [{ should: [compiled.filter, notDocument] }], must_not: [live] },
    exact: false,
    matches: compiled.exact ? (record) => isDocument(record.value) || check(record) : check,
  };
}
