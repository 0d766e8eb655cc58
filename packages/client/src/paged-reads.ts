/**
 * Reads larger than the server's result limit. The server answers at most `maxResultDocuments`
 * documents per call (1000 by default) and refuses a read that would return more, where an
 * embedded vault returns everything. So that code behaves the same on both, the client turns
 * such a read into pages: sorted by the caller's sort plus `_id` (so pages never overlap or skip
 * a document), read with `limit`/`skip` until the caller's limit or the end. The page size
 * starts at 1000 and halves whenever the server still finds a page too large.
 *
 * Pages are separate calls, not one snapshot: writes made while paging may or may not show.
 */

import { LimitExceededError, type QueryOptions, type StoredDocument } from "@agentvault/core";

/** Reads one page. */
export type PageReader = (options: QueryOptions) => Promise<StoredDocument[]>;

const firstPageSize = 1000;

/** Whether the server refused a read for returning too many documents. */
export function isResultSizeError(error: unknown): boolean {
  return LimitExceededError.isInstance(error) && error.limit === "resultSize";
}

/** The caller's sort with `_id` as the final tie-breaker. */
function stableSort(sort: QueryOptions["sort"]): NonNullable<QueryOptions["sort"]> {
  if (sort === undefined) return { _id: 1 };
  if (Object.hasOwn(sort, "_id")) return sort;
  return { ...sort, _id: 1 };
}

/** Reads every document `options` asks for, a page at a time. */
export async function readInPages(
  readPage: PageReader,
  options: QueryOptions = {},
): Promise<StoredDocument[]> {
  const wanted = options.limit ?? Number.POSITIVE_INFINITY;
  const sort = stableSort(options.sort);
  const results: StoredDocument[] = [];
  let skip = options.skip ?? 0;
  let pageSize = firstPageSize;
  while (results.length < wanted) {
    const limit = Math.min(pageSize, wanted - results.length);
    let page: StoredDocument[];
    try {
      page = await readPage({ ...options, sort, skip, limit });
    } catch (error) {
      if (!isResultSizeError(error) || pageSize === 1) throw error;
      pageSize = Math.max(1, Math.floor(pageSize / 2));
      continue;
    }
    results.push(...page);
    skip += page.length;
    if (page.length < limit) break;
  }
  return results;
}
