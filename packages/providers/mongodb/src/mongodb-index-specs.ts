/**
 * Declared indexes (`ensureIndexes`, manifests) as MongoDB index descriptions, and the TTL index
 * every collection gets.
 *
 * | `IndexSpec.type` | MongoDB key | options |
 * |---|---|---|
 * | `ascending` (default), `compound` | `{ path: 1, ... }` | |
 * | `descending` | `{ path: -1, ... }` | |
 * | `unique` | `{ path: 1, ... }` | `unique`, partial on `$exists: true` |
 * | `text` | `{ path: "text", ... }` | |
 *
 * A unique index only covers records that have every indexed field: like SQL's NULLs, records
 * missing the field do not collide with each other (MongoDB alone would index them all as
 * `null` and allow only one).
 */

import { createHash } from "node:crypto";
import { type IndexSpec, ValidationError } from "@agentvault/core";
import type { IndexDescription, IndexDirection } from "mongodb";
import { source } from "./mongodb-errors.js";

/** The name of the TTL index on `expiresAt` that lets MongoDB delete expired records. */
export const expiryIndexName = "agentvault_expiry";

/** The TTL index: MongoDB's monitor deletes records once `expiresAt` has passed. */
export const expiryIndex: IndexDescription = Object.freeze({
  key: { expiresAt: 1 },
  name: expiryIndexName,
  expireAfterSeconds: 0,
});

const indexTypes: ReadonlySet<string> = new Set([
  "ascending",
  "descending",
  "compound",
  "unique",
  "text",
]);

function invalid(message: string, path: string): never {
  throw new ValidationError(message, path, { source });
}

function checkField(field: unknown, path: string): string {
  if (typeof field !== "string" || field === "")
    invalid("Index fields must be non-empty paths", path);
  const segments = field.split(".");
  if (segments.some((segment) => segment === "" || segment.startsWith("$"))) {
    invalid("Index paths cannot have empty parts or parts starting with '$'", path);
  }
  const root = segments[0];
  if (root !== "value" && root !== "metadata" && root !== "_id") {
    invalid("Index paths start with value, metadata or _id (record-view paths)", path);
  }
  if (field.includes("\u0000")) invalid("Index paths cannot contain NUL", path);
  return field;
}

/**
 * The name of an index: the declared one, else `av_<type>_<fields>` (for example
 * `av_unique_value.email`), with a hash instead of the tail when that would exceed 120
 * characters.
 */
export function indexName(spec: IndexSpec): string {
  if (spec.name !== undefined) {
    if (typeof spec.name !== "string" || spec.name === "" || spec.name.length > 120) {
      invalid("An index name is 1-120 characters", "name");
    }
    if (spec.name === expiryIndexName || spec.name === "_id_") {
      invalid(`The index name ${spec.name} is reserved`, "name");
    }
    return spec.name;
  }
  const name = `av_${spec.type ?? "ascending"}_${spec.fields.join("_")}`;
  if (name.length <= 120) return name;
  const hash = createHash("sha256").update(name, "utf8").digest("hex").slice(0, 12);
  return `${name.slice(0, 107)}_${hash}`;
}

function keyDirection(type: string): IndexDirection {
  if (type === "descending") return -1;
  if (type === "text") return "text";
  return 1;
}

/**
 * Translates declared indexes into MongoDB index descriptions for `createIndexes`.
 *
 * @example
 * toMongoIndexSpecs([{ fields: ["value.email"], type: "unique" }]);
 * // [{ key: { "value.email": 1 }, name: "av_unique_value.email", unique: true,
 * //    partialFilterExpression: { "value.email": { $exists: true } } }]
 * @throws ValidationError for an unknown type, no fields, a path outside the record view or a
 *   reserved name.
 */
export function toMongoIndexSpecs(specs: readonly IndexSpec[]): IndexDescription[] {
  if (!Array.isArray(specs)) invalid("Indexes must be an array", "indexes");
  return specs.map((spec, index) => {
    const type = spec?.type ?? "ascending";
    if (!indexTypes.has(type))
      invalid(`Unknown index type "${String(type).slice(0, 40)}"`, `${index}.type`);
    if (!Array.isArray(spec.fields) || spec.fields.length === 0) {
      invalid("An index needs at least one field", `${index}.fields`);
    }
    const fields = (spec.fields as readonly unknown[]).map((field: unknown, position: number) =>
      checkField(field, `${index}.fields.${position}`),
    );
    if (new Set(fields).size !== fields.length)
      invalid("An index lists a field twice", `${index}.fields`);
    const key: { [path: string]: IndexDirection } = {};
    for (const field of fields) key[field] = keyDirection(type);
    const description: IndexDescription = { key, name: indexName({ ...spec, fields }) };
    if (type === "unique") {
      description.unique = true;
      const partial: { [path: string]: { $exists: true } } = {};
      for (const field of fields) partial[field] = { $exists: true };
      description.partialFilterExpression = partial;
    }
    return description;
  });
}
