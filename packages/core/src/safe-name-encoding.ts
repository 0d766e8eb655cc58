/**
 * Maps keys, collection names and database names to name segments that are safe as file names
 * on every common filesystem and as S3 object-key segments, and back. Providers that store one
 * record per file or object (filesystem, S3) share it, so a folder and a bucket hold records
 * under the same names. The output is a storage format: existing data is found by it, so it
 * must never change.
 *
 * - Only `[a-z0-9_-]` is kept as is; every other UTF-8 byte becomes `%xx` with lowercase hex.
 *   Uppercase letters are escaped too, so keys that differ only in case (`a` and `A`) stay
 *   distinct on case-insensitive filesystems (macOS, Windows). `.` is escaped, so no name can be
 *   `.` or `..`, and `/`, `\` and NUL can never reach a path.
 * - Windows device names (`con`, `nul`, `com1`, ...) get their first letter escaped.
 * - An encoded name longer than `maxSafeNameLength` becomes `~` plus the SHA-256 of the name in
 *   hex; the provider keeps the real name inside the record (or in a marker for folders).
 *
 * `~` never appears in an encoded name, so hashed names cannot collide with encoded ones.
 */

import { createHash } from "node:crypto";

/**
 * Encoded names longer than this are replaced by a hash: file names are limited to 255 bytes,
 * and S3 object keys to 1,024 bytes for a prefix plus three segments.
 */
export const maxSafeNameLength = 200;

const windowsDeviceName = /^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])$/;
const encodedNamePattern = /^(?:[a-z0-9_-]|%[0-9a-f]{2})+$/;
const hashedNamePattern = /^~[0-9a-f]{64}$/;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function isKeptByte(byte: number): boolean {
  return (
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    byte === 0x5f || // _
    byte === 0x2d // -
  );
}

function escapeByte(byte: number): string {
  return `%${byte.toString(16).padStart(2, "0")}`;
}

/** The hashed form of `name`: `~` and the 64 hex characters of its SHA-256. */
export function hashedSafeName(name: string): string {
  return `~${createHash("sha256").update(name, "utf8").digest("hex")}`;
}

/**
 * Encodes `name` into a safe name segment (without extension).
 *
 * @example
 * encodeSafeName("../etc/passwd") // "%2e%2e%2fetc%2fpasswd"
 * encodeSafeName("User") // "%55ser"
 */
export function encodeSafeName(name: string): string {
  let encoded = "";
  for (const byte of Buffer.from(name, "utf8")) {
    encoded += isKeptByte(byte) ? String.fromCharCode(byte) : escapeByte(byte);
    if (encoded.length > maxSafeNameLength) return hashedSafeName(name);
  }
  if (windowsDeviceName.test(encoded)) {
    encoded = escapeByte(encoded.charCodeAt(0)) + encoded.slice(1);
  }
  return encoded.length > maxSafeNameLength ? hashedSafeName(name) : encoded;
}

/** Whether a segment (without extension) is a hashed name, whose real name is stored elsewhere. */
export function isHashedSafeName(segment: string): boolean {
  return hashedNamePattern.test(segment);
}

/**
 * Decodes a segment made by `encodeSafeName`. Returns undefined for hashed names (the real name
 * is stored with the record) and for segments `encodeSafeName` cannot have made.
 */
export function decodeSafeName(segment: string): string | undefined {
  if (!encodedNamePattern.test(segment)) return undefined;
  const bytes: number[] = [];
  for (let index = 0; index < segment.length; index++) {
    if (segment[index] === "%") {
      bytes.push(Number.parseInt(segment.slice(index + 1, index + 3), 16));
      index += 2;
    } else {
      bytes.push(segment.charCodeAt(index));
    }
  }
  try {
    const name = strictUtf8.decode(new Uint8Array(bytes));
    // Only the canonical spelling counts, so one name never has two files.
    return encodeSafeName(name) === segment ? name : undefined;
  } catch {
    return undefined;
  }
}
