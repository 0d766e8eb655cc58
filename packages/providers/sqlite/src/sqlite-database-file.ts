/**
 * File names for database names. Any string may name a database (tenant ids, user input), so
 * the name is encoded rather than pasted: lowercase letters, digits, `-` and `_` stay; every
 * other character (uppercase included, so case-insensitive file systems cannot merge two
 * names) becomes `~` and its UTF-8 bytes in hex. The encoding is injective, never produces a
 * path separator, `.` or `..`, and avoids Windows device names; very long names keep a prefix
 * and a SHA-256 digest so the file name stays under common limits.
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { ValidationError } from "@agentvault/core";

const kept = /[a-z0-9_-]/;
const windowsDeviceNames = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;
const maxEncodedLength = 180;

function encodeCharacter(character: string): string {
  return [...Buffer.from(character, "utf8")]
    .map((byte) => `~${byte.toString(16).padStart(2, "0")}`)
    .join("");
}

/**
 * The file name (without folder) of the database `name`, for example `acme~2ecorp.db` for
 * `acme.corp`.
 * @throws ValidationError when the name is empty or not a string.
 */
export function databaseFileName(name: string): string {
  if (typeof name !== "string" || name.length === 0) {
    throw new ValidationError("A database name must be a non-empty string", "database", {
      source: "sqlite",
    });
  }
  let encoded = "";
  for (const character of name) {
    encoded += kept.test(character) ? character : encodeCharacter(character);
  }
  if (windowsDeviceNames.test(encoded)) encoded = encodeCharacter(encoded[0]!) + encoded.slice(1);
  if (encoded.length > maxEncodedLength) {
    const digest = createHash("sha256").update(name, "utf8").digest("hex").slice(0, 32);
    encoded = `${encoded.slice(0, maxEncodedLength - 40)}~~${digest}`;
  }
  return `${encoded}.db`;
}

/** The path of database `name` inside `directory`. */
export function databaseFilePath(directory: string, name: string): string {
  return join(directory, databaseFileName(name));
}
