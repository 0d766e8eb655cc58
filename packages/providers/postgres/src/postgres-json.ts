/**
 * AgentVault values as PostgreSQL `jsonb`, and back.
 *
 * Values are encoded with the core codec (`{"$date": ISO}`, `{"$binary": base64}` tags), so
 * dates compare as ISO strings and binary as base64 inside SQL. Two properties of `jsonb`
 * need care:
 * - it reorders object keys (shorter keys first), while AgentVault, like MongoDB, keeps field
 *   order and compares objects in order. When the order would change, the exact JSON text is
 *   kept beside the `jsonb` (the `*_text` columns) and reads return it;
 * - it cannot hold the NUL character: inside `jsonb`, strings escape it in an order-preserving
 *   way (see `escapeNul`) and the exact text is kept beside. Unpaired UTF-16 surrogates cannot
 *   be stored in UTF-8 at all and are refused with a clear error.
 */

import { encodeValue, type JsonValue, ValidationError } from "@agentvault/core";
import type { Value } from "@agentvault/query";

/** JSON text as `JSON.stringify` writes it: a lone surrogate escaped as `\uXXXX`. */
const unstorableEscape = /(?:^|[^\\])(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/i;

const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether PostgreSQL `text` can hold `text`: no NUL character and no unpaired surrogate. */
export function isStorableText(text: string): boolean {
  return !text.includes("\u0000") && !loneSurrogate.test(text);
}

/** Whether JSON text holds a string `jsonb` cannot store. */
export function hasUnstorableText(json: string): boolean {
  return json.includes("\\u") && unstorableEscape.test(json);
}

function isAscii(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    if (text.charCodeAt(index) > 0x7f) return false;
  }
  return true;
}

/** Whether `jsonb` stores key `b` after key `a`: shorter keys first (in bytes), then by bytes. */
function jsonbKeysInOrder(a: string, b: string): boolean {
  if (isAscii(a) && isAscii(b)) return a.length !== b.length ? a.length < b.length : a < b;
  const bytesA = Buffer.from(a, "utf8");
  const bytesB = Buffer.from(b, "utf8");
  if (bytesA.length !== bytesB.length) return bytesA.length < bytesB.length;
  return Buffer.compare(bytesA, bytesB) < 0;
}

/** Whether `jsonb` would reorder the keys of some object inside `json`. */
export function jsonbReordersKeys(json: JsonValue): boolean {
  if (json === null || typeof json !== "object") return false;
  if (Array.isArray(json)) return json.some(jsonbReordersKeys);
  let previous: string | undefined;
  for (const key in json) {
    if (!Object.hasOwn(json, key)) continue;
    if (previous !== undefined && !jsonbKeysInOrder(previous, key)) return true;
    previous = key;
    if (jsonbReordersKeys(json[key] as JsonValue)) return true;
  }
  return false;
}

/**
 * Escapes U+0000 (which `jsonb` cannot hold) inside strings, keeping string order and
 * equality: U+0000 becomes U+0001 U+0001 and U+0001 becomes U+0001 U+0002. Filter values go
 * through the same mapping, so SQL compares stored and queried strings exactly as they were.
 */
export function escapeNul(text: string): string {
  return text.replaceAll("\u0001", "\u0001\u0002").replaceAll("\u0000", "\u0001\u0001");
}

/** The `jsonb` text of encoded JSON whose exact text is `text` (NUL escaped in strings). */
function jsonbTextOf(json: JsonValue, text: string): string {
  if (!text.includes("\\u000")) return text;
  return JSON.stringify(json, (_field, item: unknown) =>
    typeof item === "string" ? escapeNul(item) : item,
  );
}

/** A value ready for a `jsonb` column. */
export interface JsonbText {
  /** The text of the `jsonb` parameter. */
  readonly jsonb: string;
  /** The exact JSON text, when `jsonb` would not give it back (reordered keys, NUL); else null. */
  readonly exact: string | null;
}

/**
 * Encodes a value for a `jsonb` column.
 * @param path where the value sits (`value`, `metadata`), for the error
 * @throws ValidationError when the value holds an unpaired surrogate.
 */
export function toJsonbText(value: Value, path: string): JsonbText {
  const json = encodeValue(value);
  const text = JSON.stringify(json);
  if (hasUnstorableText(text)) {
    throw new ValidationError("PostgreSQL cannot store strings with unpaired surrogates", path, {
      source: "postgres",
    });
  }
  const jsonb = jsonbTextOf(json, text);
  return { jsonb, exact: jsonb !== text || jsonbReordersKeys(json) ? text : null };
}

/** Whether a value holds NaN or an infinity, which JSON cannot express (and nothing stores). */
function hasNonFiniteNumber(value: Value): boolean {
  if (typeof value === "number") return !Number.isFinite(value);
  if (value === null || typeof value !== "object") return false;
  if (value instanceof Date || value instanceof Uint8Array) return false;
  if (Array.isArray(value)) return value.some(hasNonFiniteNumber);
  return Object.values(value).some(hasNonFiniteNumber);
}

/**
 * The `jsonb` text of a filter value (NUL escaped as in stored values), or undefined when it
 * holds a lone surrogate, NaN or an infinity: nothing stored can equal such a value.
 */
export function filterValueJson(value: Value): string | undefined {
  if (hasNonFiniteNumber(value)) return undefined;
  const json = encodeValue(value);
  const text = JSON.stringify(json);
  return hasUnstorableText(text) ? undefined : jsonbTextOf(json, text);
}

/**
 * Whether `jsonb` equality may disagree with AgentVault's for `value`: it ignores field order,
 * so any object with two or more fields (anywhere inside) makes an equality test a superset.
 */
export function hasOrderSensitiveObject(value: Value): boolean {
  if (value === null || typeof value !== "object") return false;
  if (value instanceof Date || value instanceof Uint8Array) return false;
  if (Array.isArray(value)) return value.some(hasOrderSensitiveObject);
  let fields = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (++fields > 1) return true;
    if (hasOrderSensitiveObject((value as { readonly [field: string]: Value })[key] as Value)) {
      return true;
    }
  }
  return false;
}
