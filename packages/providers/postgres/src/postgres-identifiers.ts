/**
 * Safe PostgreSQL names for AgentVault databases, collections and indexes.
 *
 * User-chosen names never reach SQL as they are: each becomes a readable, sanitised stem plus a
 * short hash of the exact original, so two names that sanitise alike still get different
 * identifiers, every identifier fits PostgreSQL's 63-byte limit, and the mapping is
 * deterministic (every process computes the same table for a collection without a lookup).
 * Identifiers are still quoted with pg's `escapeIdentifier` wherever they appear in SQL.
 */

import { createHash } from "node:crypto";
import pg from "pg";

/** The longest identifier PostgreSQL keeps (NAMEDATALEN - 1). */
const maxIdentifierBytes = 63;

/** A short, stable hash of `text` (hex, 10 characters = 40 bits). */
export function shortHash(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, 10);
}

/** Lowercase letters, digits and `_` only, at most `maxLength` characters. */
export function sanitizeName(text: string, maxLength: number): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, maxLength);
}

/**
 * Quotes an identifier for SQL (`"name"`, doubling inner quotes).
 * @throws Error when the identifier contains NUL, which PostgreSQL cannot hold.
 */
export function quoteIdentifier(identifier: string): string {
  if (identifier.includes("\u0000")) throw new Error("Identifiers cannot contain NUL");
  return pg.escapeIdentifier(identifier);
}

/** A schema-qualified, quoted table name. */
export function qualifiedName(schema: string, table: string): string {
  return `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
}

/**
 * The schema of a database: `<prefix>_<sanitised name>_<hash>`, for example
 * `av_acme_vault_1f2e3d4c5b`.
 */
export function schemaNameFor(prefix: string, database: string): string {
  const stem = sanitizeName(database, 30);
  const name = `${prefix}_${stem ? `${stem}_` : ""}${shortHash(database)}`;
  return name.slice(0, maxIdentifierBytes);
}

/** The table of a collection: `c_<sanitised name>_<hash>`, for example `c_orders_9a8b7c6d5e`. */
export function tableNameFor(collection: string): string {
  const stem = sanitizeName(collection, 40);
  return `c_${stem ? `${stem}_` : ""}${shortHash(collection)}`;
}

/**
 * The name of a declared index on a table. Index names share the schema's namespace with
 * tables, so they start with the table name; the declared name stays readable in `EXPLAIN`.
 */
export function indexNameFor(table: string, declared: string): string {
  const stem = sanitizeName(declared, 20);
  return `${table}_${stem ? `${stem}_` : ""}${shortHash(`${table}/${declared}`).slice(0, 6)}`.slice(
    0,
    maxIdentifierBytes,
  );
}

/**
 * Checks a schema prefix: 1-16 characters of lowercase letters, digits and `_`, starting with a
 * letter, so every derived schema name is predictable and safe to list with `LIKE`.
 */
export function isValidSchemaPrefix(prefix: string): boolean {
  return /^[a-z][a-z0-9_]{0,15}$/.test(prefix);
}
