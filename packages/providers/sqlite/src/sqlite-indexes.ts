/**
 * Declared indexes (`ensureIndexes`, manifests) as SQLite expression indexes. A record-view path
 * becomes the same expression the filter compiler writes for it (`json_extract("value",
 * '$.status')`), which is what lets SQLite match a compiled condition to the index. `_id` is
 * the key column (already the primary key). Ascending, descending, compound and unique indexes
 * are native; text indexes are not (SQLite's FTS needs its own tables and query syntax), so
 * `ensureIndexes` reports them by returning false. Each indexed path also gets `json_type`
 * indexes on itself and its prefixes, used once the path holds arrays (see `typeExpressions`).
 *
 * Unique indexes follow SQLite's rules, which differ from MongoDB's in two ways: records
 * missing the field never collide (MongoDB treats them all as null), and an array is one value
 * (its JSON text), not one entry per element.
 */

import { createHash } from "node:crypto";
import type { IndexSpec } from "@agentvault/core";
import { ValidationError } from "@agentvault/core";
import type { CollectionInfo } from "./sqlite-collection-registry.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import { isRepresentableLabel, jsonPathLiteral, labels } from "./sqlite-json-path.js";
import { indexName } from "./sqlite-schema.js";

const source = "sqlite";

/** The SQL expression indexing one record-view path, or undefined when it cannot be indexed. */
export function indexExpression(path: string): string | undefined {
  const [head, ...rest] = path.split(".");
  if (head === "_id") return rest.length === 0 ? '"key"' : undefined;
  if (head !== "value" && head !== "metadata") return undefined;
  if (rest.some((segment) => segment.startsWith("$") || !isRepresentableLabel(segment))) {
    return undefined;
  }
  return `json_extract("${head}", ${jsonPathLiteral(labels(rest))})`;
}

/**
 * The `json_type` expressions of a path and its prefixes. Where a path holds arrays, the
 * compiled condition is "the plain comparison OR (the value here is an array AND an element
 * matches)"; SQLite serves such an OR with two indexes (MULTI-INDEX OR) only if the array test
 * has an index too, which these companion indexes provide.
 */
function typeExpressions(path: string): string[] {
  const [head, ...rest] = path.split(".");
  if ((head !== "value" && head !== "metadata") || rest.length === 0) return [];
  if (rest.some((segment) => segment.startsWith("$") || !isRepresentableLabel(segment))) return [];
  return rest.map(
    (_, index) => `json_type("${head}", ${jsonPathLiteral(labels(rest.slice(0, index + 1)))})`,
  );
}

function checkSpec(spec: IndexSpec): void {
  if (
    spec === null ||
    typeof spec !== "object" ||
    !Array.isArray(spec.fields) ||
    spec.fields.length === 0 ||
    !spec.fields.every((field) => typeof field === "string" && field.length > 0)
  ) {
    throw new ValidationError("An index needs a non-empty list of field paths", "fields", {
      source,
    });
  }
}

/**
 * Creates one index; returns false when the spec has no native form here (text indexes, paths
 * outside the record view).
 * @throws ConflictError (mapped from SQLite) when existing records violate a unique index.
 */
export function createIndex(
  connection: SqliteConnection,
  info: CollectionInfo,
  spec: IndexSpec,
): boolean {
  checkSpec(spec);
  const type = spec.type ?? "ascending";
  if (type === "text") return false;
  const expressions = spec.fields.map(indexExpression);
  if (expressions.some((expression) => expression === undefined)) return false;
  const order = type === "descending" ? " DESC" : "";
  const columns = expressions.map((expression) => `${expression}${order}`).join(", ");
  const name = spec.name ?? `${spec.fields.join("_")}_${type}`;
  const definition = `${type === "unique" ? "UNIQUE " : ""}(${columns})`;
  // A name derived from the declared one and the definition: a changed spec gets a new index.
  const digest = createHash("sha256")
    .update(`${name}\u0000${definition}`)
    .digest("hex")
    .slice(0, 16);
  const sqlName = indexName(info.id, `i${digest}`);
  const previous = info.indexes.get(name);
  if (previous === sqlName) return true;
  if (previous !== undefined) connection.db.exec(`DROP INDEX IF EXISTS ${previous}`);
  connection.db.exec(
    `CREATE ${type === "unique" ? "UNIQUE " : ""}INDEX IF NOT EXISTS ${sqlName} ON ${info.table} (${columns})`,
  );
  for (const expression of spec.fields.flatMap(typeExpressions)) {
    const typeDigest = createHash("sha256").update(expression).digest("hex").slice(0, 16);
    connection.db.exec(
      `CREATE INDEX IF NOT EXISTS ${indexName(info.id, `t${typeDigest}`)} ON ${info.table} (${expression})`,
    );
  }
  connection.registry.addIndex(info, name, sqlName, JSON.stringify({ fields: spec.fields, type }));
  return true;
}
