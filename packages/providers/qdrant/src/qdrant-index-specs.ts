/**
 * Declared indexes as Qdrant payload indexes. A payload index has one schema type per field,
 * while an AgentVault index names only paths, so the type comes from the provider's
 * `payloadIndexTypes` option (by record-view path), else `text` for text indexes and `keyword`
 * otherwise. Qdrant has no unique constraint and no compound indexes: each field of a compound
 * spec gets its own index, and a unique spec is reported as not native (`ensureIndexes` returns
 * false) because uniqueness is not enforced.
 */

import { type IndexSpec, ValidationError } from "@agentvault/core";

/** Qdrant payload schema types. */
export type PayloadIndexType =
  | "keyword"
  | "integer"
  | "float"
  | "bool"
  | "datetime"
  | "text"
  | "uuid";

/** One payload index to create. */
export interface PayloadIndexPlan {
  readonly field: string;
  readonly type: PayloadIndexType;
}

const source = "qdrant";
const plainPath = /^(_id|(value|metadata)(\.[A-Za-z_][A-Za-z0-9_-]*)+)$/;

/** The payload indexes for `specs`, and whether all of them are native. */
export function planPayloadIndexes(
  specs: readonly IndexSpec[],
  types: { readonly [path: string]: PayloadIndexType } = {},
): { readonly indexes: readonly PayloadIndexPlan[]; readonly native: boolean } {
  if (!Array.isArray(specs)) {
    throw new ValidationError("ensureIndexes needs a list of index specs", "indexes", { source });
  }
  const planned = new Map<string, PayloadIndexType>();
  let native = true;
  for (const spec of specs) {
    if (
      spec === null ||
      typeof spec !== "object" ||
      !Array.isArray(spec.fields) ||
      spec.fields.length === 0
    ) {
      throw new ValidationError("An index spec needs a non-empty list of fields", "indexes", {
        source,
      });
    }
    if (spec.type === "unique") native = false;
    for (const field of spec.fields) {
      if (typeof field !== "string" || !plainPath.test(field)) {
        // Paths through array indexes or unusual names cannot be indexed by Qdrant's key syntax.
        native = false;
        continue;
      }
      const type = Object.hasOwn(types, field)
        ? types[field]!
        : spec.type === "text"
          ? "text"
          : "keyword";
      planned.set(field, type);
    }
  }
  return { indexes: [...planned].map(([field, type]) => ({ field, type })), native };
}
