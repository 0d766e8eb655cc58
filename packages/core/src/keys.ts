/**
 * Generated record keys: a short prefix derived from the collection name, so keys are readable
 * in logs (`prod_…` for `products`), plus 16 URL-safe characters: 4 from the clock, then 12
 * random ones (72 bits).
 *
 * The clock part (milliseconds, modulo 2^24, about 4.7 hours, in an alphabet whose order is
 * ASCII order) makes keys generated close in time sort close together, so a database's key
 * index takes new records at one edge instead of on a random page each: a batch of stores
 * dirties a few index pages, not one per record. It reveals the creation time modulo 4.7 hours.
 */

import { randomBytes } from "node:crypto";

/**
 * The key prefix for a collection: the first four letters or digits of its last dot-separated
 * part (so the broker's `service.products` gives `prod_`, like embedded `products`),
 * lowercased, and `_`; `doc_` when that part has none.
 */
export function keyPrefix(collection: string): string {
  const letters = collection
    .slice(collection.lastIndexOf(".") + 1)
    .replace(/[^A-Za-z0-9]/g, "")
    .slice(0, 4)
    .toLowerCase();
  return `${letters === "" ? "doc" : letters}_`;
}

/** The 64 URL-safe characters in ASCII order, so encoded numbers sort as strings. */
const sortableDigits = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
let clockMs = Number.NaN;
let clockPart = "";

/** The 4-character clock part of keys generated at `now` (ms). */
function clockPartAt(now: number): string {
  if (now !== clockMs) {
    clockMs = now;
    // ToInt32 keeps the low 32 bits; the low 24 are 4 characters of 6 bits.
    const bits = now & 0xffffff;
    clockPart =
      sortableDigits.charAt(bits >>> 18) +
      sortableDigits.charAt((bits >>> 12) & 63) +
      sortableDigits.charAt((bits >>> 6) & 63) +
      sortableDigits.charAt(bits & 63);
  }
  return clockPart;
}

// 9 bytes encode to exactly 12 base64url characters, with no padding.
const keyBytes = 9;
// One randomBytes call serves 256 keys: generated keys are on the hot path of `store`.
const poolSize = keyBytes * 256;
let pool = Buffer.alloc(0);
let offset = poolSize;

function nextRandomBytes(): Buffer {
  if (offset + keyBytes > pool.length) {
    pool = randomBytes(poolSize);
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + keyBytes);
  offset += keyBytes;
  return bytes;
}

/**
 * Generates a new key for `collection`.
 *
 * @example
 * generateKey("products") // "prod_Mx3kQz_1aPmW2c9b"
 */
export function generateKey(collection: string): string {
  return keyPrefix(collection) + clockPartAt(Date.now()) + nextRandomBytes().toString("base64url");
}
