/**
 * API keys: how they look, how they are made and how they are checked.
 *
 * A key reads `avk_<id>_<secret>`: `id` (12 random bytes) names the stored record, so lookup is
 * one `get` and never a scan; `secret` is 32 random bytes. Only `sha256(key)` is stored.
 *
 * Why SHA-256 and not bcrypt/scrypt/argon2: slow hashes protect *low-entropy* secrets (human
 * passwords) against offline guessing. A 256-bit random secret cannot be guessed whatever the
 * hash costs, so a fast hash gives the same protection and keeps every request cheap. The
 * comparison is constant-time (`timingSafeEqual`) so response timing reveals nothing either.
 */

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** The fixed prefix of every AgentVault API key, so secret scanners can recognise leaked keys. */
export const apiKeyPrefix = "avk_";

const idBytes = 12;
const secretBytes = 32;
// base64url of 12 bytes is 16 characters, of 32 bytes 43 characters.
const keyPattern = /^avk_([A-Za-z0-9_-]{16})_([A-Za-z0-9_-]{43})$/;

/** A freshly made key: the secret to show once, and what may be stored. */
export interface GeneratedApiKey {
  /** The public identifier, safe to log and to store in plain text. */
  readonly id: string;
  /** The whole key, `avk_<id>_<secret>`. Shown once, never stored. */
  readonly apiKey: string;
  /** `sha256(apiKey)` as hex: what is stored. */
  readonly hash: string;
}

/** Makes a new random API key. */
export function generateApiKey(): GeneratedApiKey {
  const id = randomBytes(idBytes).toString("base64url");
  const secret = randomBytes(secretBytes).toString("base64url");
  const apiKey = `${apiKeyPrefix}${id}_${secret}`;
  return { id, apiKey, hash: hashApiKey(apiKey) };
}

/** The stored form of a key: hex SHA-256 of the whole key. */
export function hashApiKey(apiKey: string): string {
  return createHash("sha256").update(apiKey, "utf8").digest("hex");
}

/**
 * Splits a key into its id, or returns undefined when it is not shaped like one. Never echoes
 * the input: callers report "invalid key" without quoting it.
 */
export function parseApiKey(apiKey: string): { readonly id: string } | undefined {
  const match = keyPattern.exec(apiKey);
  return match?.[1] === undefined ? undefined : { id: match[1] };
}

/** Compares a presented key with a stored hash in constant time. */
export function apiKeyMatches(apiKey: string, storedHash: string): boolean {
  const presented = Buffer.from(hashApiKey(apiKey), "hex");
  const stored = Buffer.from(storedHash, "hex");
  // Both are SHA-256 digests; a stored hash of another length is corrupt and never matches.
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}

/** Whether a string contains something shaped like an API key (used to keep keys out of URLs). */
export function containsApiKey(text: string): boolean {
  return /avk_[A-Za-z0-9_-]{16}_[A-Za-z0-9_-]{43}/.test(text);
}

/**
 * Reads the key from an `Authorization: Bearer <key>` header value. Returns undefined when the
 * header is absent or uses another scheme.
 */
export function readBearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  return match?.[1];
}
