/**
 * One vector dimension per collection, as every provider enforces: the first vector stored fixes
 * it. `encrypted()` seals vectors, so the backend cannot check them; instead each sealed record
 * with a vector carries its dimension in plaintext (`dim`, which says nothing about the content),
 * and a write with a vector first looks up one record that has a `dim`.
 */

import type { FilterNode } from "@agentvault/query";
import { ValidationError } from "./errors.js";
import type { StorageProvider } from "./provider.js";

const hasDimension: FilterNode = {
  type: "field",
  field: { path: "value.dim", segments: ["value", "dim"] },
  condition: { op: "exists", value: true },
};

/**
 * Checks that every vector in `incoming` has the dimension of the collection's stored vectors
 * (or of the first incoming vector, when none is stored).
 * @throws ValidationError on a mismatch.
 */
export async function checkVectorDimensions(
  inner: StorageProvider,
  collection: string,
  incoming: readonly (readonly number[] | null | undefined)[],
): Promise<void> {
  const vectors = incoming.filter((vector) => Array.isArray(vector)) as (readonly number[])[];
  if (vectors.length === 0) return;
  const [stored] = await inner.find(collection, { filter: hasDimension, limit: 1 });
  const storedDimension = (stored?.value as { readonly dim?: unknown } | undefined)?.dim;
  const dimension = typeof storedDimension === "number" ? storedDimension : vectors[0]!.length;
  for (const vector of vectors) {
    if (vector.length !== dimension) {
      throw new ValidationError(
        `Vector dimension mismatch: collection ${collection} holds ${dimension}-dimensional vectors, got ${vector.length}`,
        "vector",
        { source: "encrypted" },
      );
    }
  }
}
