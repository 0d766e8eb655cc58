/**
 * Generated record keys: a short prefix derived from the collection name, so keys are readable
 * in logs (`prod_…` for `products`), plus 16 random URL-safe characters (96 bits).
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

const keyBytes = 12;
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
 * generateKey("products") // "prod_Xb3k9-Qz_1aPmW2c"
 */
export function generateKey(collection: string): string {
  // 12 bytes encode to exactly 16 base64url characters, with no padding.
  return keyPrefix(collection) + nextRandomBytes().toString("base64url");
}
