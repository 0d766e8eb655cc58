/**
 * Small helpers for the server's own bookkeeping collections, which it reads through the
 * provider directly (they are reserved `_av` names the Vault refuses): filters and sorts written
 * over the stored value, rooted in the record view the provider expects.
 */

import { toRecordFilter, toRecordSort } from "@agentvault/core";
import { type FilterNode, parseFilter, parseSort, type SortSpec } from "@agentvault/query";

/** The filter matching every record. */
export const everyRecord: FilterNode = Object.freeze({ type: "and", children: Object.freeze([]) });

/** A filter over stored values (`{ tenant: "acme" }`), rooted in the record view. */
export function valueFilter(filter: { readonly [field: string]: unknown }): FilterNode {
  return toRecordFilter(parseFilter(filter));
}

/** Records in key order, ascending or descending. */
export function byKey(direction: 1 | -1): SortSpec {
  return toRecordSort(parseSort({ _id: direction }));
}
