/**
 * Safe MongoDB names for AgentVault databases and collections.
 *
 * MongoDB database names are at most 63 bytes, cannot hold `/\. "$*<>:|?` or NUL, and two names
 * differing only in case cannot coexist. An AgentVault database (a tenant) may be any string, so
 * `toMongoDatabaseName` keeps simple names readable (`acme` -> `agentvault_acme_vault`) and
 * gives every other name a sanitised, lowercase stem plus a hash of the exact original
 * (`Acme Corp` -> `agentvault_acme_corp--3f9a0c1e2b7d_vault`). Simple names never contain `--`
 * and hashed ones always do, so two different names never share a database.
 */

import { createHash } from "node:crypto";
import { ValidationError } from "@agentvault/core";
import { source } from "./mongodb-errors.js";

/** The longest database name MongoDB accepts, in bytes. */
export const maxDatabaseNameBytes = 63;

/** Hex characters of the hash appended to names that cannot be kept as they are (48 bits). */
const hashLength = 12;

/** A name kept as it is: lowercase letters, digits, `_` and `-`, no `--`, starting alphanumeric. */
const simpleName = /^[a-z0-9][a-z0-9_-]*$/;

/** Characters a prefix or suffix may hold: the simple-name alphabet in either case. */
const affixPattern = /^[A-Za-z0-9_-]*$/;

/** The prefix and suffix wrapped around every database name. */
export interface DatabaseNameAffixes {
  /** @default "agentvault_" */
  readonly prefix: string;
  /** @default "_vault" */
  readonly suffix: string;
}

/** The default affixes: tenant `acme` lives in the database `agentvault_acme_vault`. */
export const defaultAffixes: DatabaseNameAffixes = Object.freeze({
  prefix: "agentvault_",
  suffix: "_vault",
});

function byteLength(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

function shortHash(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, hashLength);
}

/**
 * Checks a prefix and suffix: letters, digits, `_` and `-` only, together at most 30 bytes (so
 * every name keeps room for a readable stem and its hash).
 * @throws ValidationError otherwise.
 */
export function validateAffixes(affixes: DatabaseNameAffixes): DatabaseNameAffixes {
  for (const [option, value] of [
    ["databasePrefix", affixes.prefix],
    ["databaseSuffix", affixes.suffix],
  ] as const) {
    if (typeof value !== "string" || !affixPattern.test(value)) {
      throw new ValidationError(`${option} may only hold letters, digits, '_' and '-'`, option, {
        source,
      });
    }
  }
  if (affixes.prefix.length + affixes.suffix.length > 30) {
    throw new ValidationError(
      "databasePrefix and databaseSuffix together are at most 30 characters",
      "databasePrefix",
      { source },
    );
  }
  return affixes;
}

/**
 * The AgentVault database a name stands for: a name already wrapped in the prefix and suffix
 * (as the hosted server's `agentvault_<tenant>_vault` names are) is unwrapped, so it is not
 * wrapped twice.
 */
function unwrap(database: string, { prefix, suffix }: DatabaseNameAffixes): string {
  if (prefix === "" && suffix === "") return database;
  const wrapped =
    database.length > prefix.length + suffix.length &&
    database.startsWith(prefix) &&
    database.endsWith(suffix);
  return wrapped ? database.slice(prefix.length, database.length - suffix.length) : database;
}

/**
 * Maps an AgentVault database name to the MongoDB database that holds it.
 *
 * - A simple name (lowercase letters, digits, `_`, `-`, starting with a letter or digit,
 *   without `--`) that fits is used as it is, between the prefix and the suffix.
 * - Any other name (uppercase, dots, spaces, unicode, too long, ...) becomes a lowercase stem
 *   of `[a-z0-9_]` plus `--` and 12 hex characters of the SHA-256 of the exact name.
 * - A name already wrapped in the prefix and suffix is unwrapped first, so
 *   `toMongoDatabaseName("agentvault_acme_vault")` and `toMongoDatabaseName("acme")` agree.
 *
 * The result is at most 63 bytes and never holds a character MongoDB forbids.
 *
 * @example
 * toMongoDatabaseName("acme"); // "agentvault_acme_vault"
 * toMongoDatabaseName("Acme"); // "agentvault_acme--<hash>_vault" (distinct from "acme")
 * @throws ValidationError when the name is empty, longer than 1,024 characters or not a string.
 */
export function toMongoDatabaseName(
  database: string,
  affixes: DatabaseNameAffixes = defaultAffixes,
): string {
  if (typeof database !== "string" || database === "" || database.length > 1024) {
    throw new ValidationError("A database name must be 1-1024 characters", "database", { source });
  }
  const { prefix, suffix } = affixes;
  const name = unwrap(database, affixes);
  const room = maxDatabaseNameBytes - byteLength(prefix) - byteLength(suffix);
  if (simpleName.test(name) && !name.includes("--") && name.length <= room) {
    return `${prefix}${name}${suffix}`;
  }
  const stem = name
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .slice(0, Math.max(0, room - hashLength - 2));
  return `${prefix}${stem}--${shortHash(name)}${suffix}`;
}

/**
 * MongoDB reserves collection names starting with `system.`, which AgentVault's name rules
 * allow. Those are stored behind a `~`, a character AgentVault collection names never hold, so
 * the mapping is reversible and collision-free.
 */
export function toMongoCollectionName(collection: string): string {
  return collection.startsWith("system.") ? `~${collection}` : collection;
}

/**
 * The AgentVault collection stored under a MongoDB collection name, or undefined for names
 * AgentVault never writes (MongoDB's own `system.*` collections, foreign names).
 */
export function fromMongoCollectionName(name: string): string | undefined {
  if (name.startsWith("system.")) return undefined;
  const collection = name.startsWith("~") ? name.slice(1) : name;
  if (!/^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,119}$/.test(collection)) return undefined;
  if (name.startsWith("~") && !collection.startsWith("system.")) return undefined;
  return collection;
}
