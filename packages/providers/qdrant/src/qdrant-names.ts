/**
 * Qdrant collection names. Each AgentVault database (a tenant) and collection pair is its own
 * Qdrant collection, named `<prefix>--<database>--<collection>`, each part escaped so that the
 * name is reversible and never ambiguous: letters, digits and `_` stay, every other character
 * becomes `-` and four hex digits of its UTF-16 code unit. `-` itself is escaped, so the
 * separator `--` cannot appear inside a part.
 */

import { ValidationError } from "@agentvault/core";

const source = "qdrant";
const separator = "--";
/** Qdrant refuses longer collection names. */
const maxNameLength = 255;

/** Escapes one part of a collection name. */
export function escapeNamePart(part: string): string {
  let escaped = "";
  for (let index = 0; index < part.length; index++) {
    const character = part[index]!;
    escaped += /[A-Za-z0-9_]/.test(character)
      ? character
      : `-${part.charCodeAt(index).toString(16).padStart(4, "0")}`;
  }
  return escaped;
}

/** Reverses `escapeNamePart`. */
export function unescapeNamePart(escaped: string): string {
  return escaped.replace(/-([0-9a-f]{4})/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

/** The Qdrant collection of `collection` in `database`. */
export function qdrantCollectionName(prefix: string, database: string, collection: string): string {
  const name = [prefix, escapeNamePart(database), escapeNamePart(collection)].join(separator);
  if (name.length > maxNameLength) {
    throw new ValidationError(
      `The Qdrant collection name for this database and collection would exceed ${maxNameLength} characters`,
      "collection",
      { source },
    );
  }
  return name;
}

/** The start shared by every Qdrant collection of `database`. */
export function databaseNamePrefix(prefix: string, database: string): string {
  return `${prefix}${separator}${escapeNamePart(database)}${separator}`;
}

/** The AgentVault collection a Qdrant collection holds, when it belongs to `database`. */
export function collectionFromQdrantName(
  prefix: string,
  database: string,
  name: string,
): string | undefined {
  const start = databaseNamePrefix(prefix, database);
  if (!name.startsWith(start)) return undefined;
  const rest = name.slice(start.length);
  if (rest.includes(separator) || rest === "") return undefined;
  return unescapeNamePart(rest);
}

/** Checks a collection prefix: letters, digits and `_`, 1-40 characters. */
export function checkPrefix(prefix: unknown): string {
  if (typeof prefix !== "string" || !/^[A-Za-z0-9_]{1,40}$/.test(prefix)) {
    throw new ValidationError(
      "collectionPrefix must be 1-40 letters, digits or underscores",
      "collectionPrefix",
      { source },
    );
  }
  return prefix;
}
