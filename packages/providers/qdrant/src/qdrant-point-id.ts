/**
 * Qdrant point ids from AgentVault keys. Qdrant accepts only unsigned integers and UUIDs as
 * ids, while a key is any printable string, so each key maps to a name-based UUID (RFC 9562
 * version 5: SHA-1 of a fixed namespace and the key's UTF-8 bytes). The mapping is
 * deterministic, so a key is found again without a lookup table, and the key itself is kept in
 * the payload (`_id`), where reads check it: a SHA-1 collision could never return another key's
 * record.
 */

import { createHash } from "node:crypto";

/** The namespace of AgentVault key ids (a random UUID fixed once for this package). */
export const keyNamespace = "8f0c3a52-6b1e-4d7a-9c35-2e4b7d1f6a90";

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ""), "hex");
}

function formatUuid(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A version 5 UUID for `name` in `namespace`.
 *
 * @example
 * uuidV5("www.example.com", "6ba7b810-9dad-11d1-80b4-00c04fd430c8")
 * // "2ed6657d-e927-568b-95e1-2665a8aea6a2"
 */
export function uuidV5(name: string, namespace: string): string {
  const digest = createHash("sha1")
    .update(uuidBytes(namespace))
    .update(Buffer.from(name, "utf8"))
    .digest();
  const bytes = digest.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return formatUuid(bytes);
}

/** The Qdrant point id of an AgentVault key. */
export function pointIdForKey(key: string): string {
  return uuidV5(key, keyNamespace);
}
