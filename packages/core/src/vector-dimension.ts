/**
 * The write-side half of "the first vector fixes a collection's dimension": providers that do
 * not record the dimension elsewhere check incoming records against the stored ones.
 */

import { ValidationError } from "./errors.js";
import type { StoredRecord } from "./provider.js";

/**
 * Throws `ValidationError` when an incoming record's vector differs in dimension from the
 * first stored record with a vector (or, in an empty collection, from the first incoming one).
 * `stored` is only read until the first vector, so a lazy iterable stays cheap.
 */
export function checkRecordDimensions(
  stored: Iterable<StoredRecord>,
  incoming: readonly StoredRecord[],
  options: { readonly source: string; readonly collection: string },
): void {
  if (!incoming.some((record) => record.vector !== undefined)) return;
  let dimension: number | undefined;
  for (const record of stored) {
    if (record.vector !== undefined) {
      dimension = record.vector.length;
      break;
    }
  }
  for (const record of incoming) {
    if (record.vector === undefined) continue;
    dimension ??= record.vector.length;
    if (record.vector.length !== dimension) {
      throw new ValidationError(
        `Vector dimension mismatch: collection ${options.collection} holds ${dimension}-dimensional vectors, got ${record.vector.length}`,
        "vector",
        { source: options.source },
      );
    }
  }
}
