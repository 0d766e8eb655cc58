/**
 * The sealed form of a record for `encrypted()`: AES-256-GCM (node:crypto) over the record's
 * value, metadata and vector, with a random 96-bit IV per write.
 *
 * What the backend stores in the record's `value` is the envelope
 * `{ alg: "A256GCM", kid, iv, tag, ct, dim? }`: the id of the key that sealed it, the IV, the
 * authentication tag and the ciphertext of `{ v, m?, vec? }` in the codec's tagged JSON (base64
 * strings), and the vector's dimension when there is one (so one dimension per collection can
 * be enforced). The record's key, expiry and timestamps stay outside, in plaintext.
 *
 * The additional authenticated data binds the ciphertext to its place: format version, key id,
 * database, collection and record key. Moving a ciphertext to another record, collection or
 * database (or editing any byte) makes decryption fail with `IntegrityError`.
 */

import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Value } from "@agentvault/query";
import { decodeValue, encodeValue, type JsonValue } from "./codec.js";
import { IntegrityError, ValidationError } from "./errors.js";
import type { StoredRecord } from "./provider.js";

/** One encryption key. */
export interface EncryptionKey {
  /** Names the key inside every ciphertext it seals; 1-128 printable characters. */
  readonly id: string;
  /** 32 random bytes (AES-256). Generate with `crypto.randomBytes(32)`; keep it outside the store. */
  readonly key: Uint8Array;
}

/** The checked keys: the first seals, every one opens. */
export interface KeyRing {
  readonly current: { readonly id: string; readonly key: Buffer };
  readonly byId: ReadonlyMap<string, Buffer>;
}

/** Where a record lives; bound into each ciphertext. */
export interface SealScope {
  readonly database: string;
  readonly collection: string;
}

/** The stored envelope. */
export interface SealedValue {
  readonly alg: "A256GCM";
  readonly kid: string;
  readonly iv: string;
  readonly tag: string;
  readonly ct: string;
  /** The vector's dimension, when the record has a vector. */
  readonly dim?: number;
}

const source = "encrypted";
const algorithm = "A256GCM";
const formatVersion = 1;
const ivBytes = 12;
const tagBytes = 16;
const keyIdPattern = /^[\x21-\x7e]{1,128}$/;

/**
 * Checks a list of keys and builds the key ring.
 * @throws ValidationError when the list is empty, a key is not 32 bytes or an id repeats.
 */
export function createKeyRing(keys: readonly EncryptionKey[] | undefined): KeyRing {
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new ValidationError("encrypted() needs at least one key: { id, key }", "keys", {
      source,
    });
  }
  const byId = new Map<string, Buffer>();
  keys.forEach((entry: EncryptionKey, index) => {
    const path = `keys.${index}`;
    if (typeof entry?.id !== "string" || !keyIdPattern.test(entry.id)) {
      throw new ValidationError("A key id is 1-128 printable characters", `${path}.id`, { source });
    }
    if (!(entry.key instanceof Uint8Array) || entry.key.byteLength !== 32) {
      throw new ValidationError("A key must be 32 bytes (a Uint8Array)", `${path}.key`, { source });
    }
    if (byId.has(entry.id)) {
      throw new ValidationError(`Key id "${entry.id}" appears twice`, `${path}.id`, { source });
    }
    // A copy of our own, so a caller clearing or reusing its buffer cannot change our keys.
    byId.set(entry.id, Buffer.from(entry.key));
  });
  const first = keys[0]!;
  return { current: { id: first.id, key: byId.get(first.id)! }, byId };
}

function additionalData(kid: string, scope: SealScope, key: string): Buffer {
  return Buffer.from(JSON.stringify([formatVersion, kid, scope.database, scope.collection, key]));
}

/** Whether a stored value has the shape of an envelope (not whether it decrypts). */
export function isSealedValue(value: Value | undefined): value is Value & SealedValue {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const object = value as { readonly [field: string]: Value };
  return (
    object.alg === algorithm &&
    typeof object.kid === "string" &&
    typeof object.iv === "string" &&
    typeof object.tag === "string" &&
    typeof object.ct === "string"
  );
}

/** The record as stored: key, expiry and timestamps in plaintext, the rest sealed in `value`. */
export function sealRecord(ring: KeyRing, scope: SealScope, record: StoredRecord): StoredRecord {
  const payload: { [field: string]: JsonValue } = { v: encodeValue(record.value) };
  if (record.metadata !== undefined) payload.m = encodeValue(record.metadata);
  if (record.vector !== undefined) payload.vec = [...record.vector];
  const iv = randomBytes(ivBytes);
  const { id, key } = ring.current;
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: tagBytes });
  cipher.setAAD(additionalData(id, scope, record.key));
  const ciphertext = Buffer.concat([
    cipher.update(JSON.stringify(payload), "utf8"),
    cipher.final(),
  ]);
  const sealed: SealedValue = {
    alg: algorithm,
    kid: id,
    iv: iv.toString("base64"),
    tag: cipher.getAuthTag().toString("base64"),
    ct: ciphertext.toString("base64"),
    ...(record.vector === undefined ? {} : { dim: record.vector.length }),
  };
  return {
    key: record.key,
    value: sealed as unknown as Value,
    expiresAt: record.expiresAt,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

function fail(scope: SealScope, message: string, cause?: unknown): never {
  throw new IntegrityError(`A record of ${scope.collection} ${message}`, { source, cause });
}

/**
 * Decrypts a stored record.
 * @throws IntegrityError when the record is not sealed, names an unknown key id, or fails
 *   authentication (tampered, moved from another record, or sealed by another key).
 */
export function openRecord(ring: KeyRing, scope: SealScope, stored: StoredRecord): StoredRecord {
  const sealed = stored.value;
  if (!isSealedValue(sealed)) fail(scope, "is not encrypted (written without encrypted()?)");
  const key = ring.byId.get(sealed.kid);
  if (key === undefined) fail(scope, `was sealed with the unknown key id "${sealed.kid}"`);
  let payload: { readonly v?: unknown; readonly m?: unknown; readonly vec?: unknown };
  try {
    const iv = Buffer.from(sealed.iv, "base64");
    const tag = Buffer.from(sealed.tag, "base64");
    if (iv.byteLength !== ivBytes || tag.byteLength !== tagBytes) throw new Error("bad lengths");
    const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: tagBytes });
    decipher.setAAD(additionalData(sealed.kid, scope, stored.key));
    decipher.setAuthTag(tag);
    const text = Buffer.concat([
      decipher.update(Buffer.from(sealed.ct, "base64")),
      decipher.final(),
    ]).toString("utf8");
    payload = JSON.parse(text) as typeof payload;
  } catch (error) {
    fail(scope, "failed authentication (tampered, moved or sealed by another key)", error);
  }
  const vector = Array.isArray(payload.vec) ? (payload.vec as number[]) : undefined;
  if (sealed.dim !== undefined && sealed.dim !== vector?.length) {
    fail(scope, "has a vector dimension that does not match its sealed vector");
  }
  return {
    key: stored.key,
    value: decodeValue(payload.v),
    metadata:
      payload.m === undefined ? undefined : (decodeValue(payload.m) as StoredRecord["metadata"]),
    vector,
    expiresAt: stored.expiresAt,
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
  };
}
