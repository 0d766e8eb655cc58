/**
 * Reading a whole collection in pages ordered by key, with a cursor on the last key (never
 * `skip`, which would miss or repeat records when others write meanwhile). Export, migration
 * and re-encryption all read this way.
 */

import type { FilterNode, SortSpec } from "@agentvault/query";
import { IntegrityError } from "./errors.js";
import type { StorageProvider, StoredRecord } from "./provider.js";
import { matchAll } from "./vault-inputs.js";

const keyPath = { path: "_id", segments: ["_id"] } as const;
const byKey: SortSpec = [{ field: keyPath, direction: 1 }];

function afterKey(key: string): FilterNode {
  return { type: "field", field: keyPath, condition: { op: "gt", value: key } };
}

/**
 * Yields the live records of `collection` page by page, in key order.
 * @param pageSize Records per provider call.
 * @throws IntegrityError when the provider returns the same page twice (a broken key order).
 */
export async function* recordPages(
  provider: StorageProvider,
  collection: string,
  pageSize: number,
): AsyncGenerator<StoredRecord[]> {
  let cursor: string | undefined;
  for (;;) {
    const filter = cursor === undefined ? matchAll : afterKey(cursor);
    const page = await provider.find(collection, { filter, sort: byKey, limit: pageSize });
    if (page.length === 0) return;
    const last = page[page.length - 1]!.key;
    if (last === cursor) {
      throw new IntegrityError(`The provider repeated a page while reading ${collection}`, {
        source: "export",
      });
    }
    yield page;
    if (page.length < pageSize) return;
    cursor = last;
  }
}
