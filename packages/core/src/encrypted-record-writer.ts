/**
 * The writes of `encrypted()`. A sealed record's IV is random per write, so it doubles as a
 * version: a change is written with `updateMany` on `{ _id: key, value.iv: <the IV we read> }`,
 * which every provider applies atomically per record and which changes nothing when another
 * writer got there first (the caller then reads again and retries). Backends that look keys up
 * directly (SQLite, PostgreSQL, Redis, MongoDB) answer such a filter at once; scan-based ones
 * (filesystem, S3) read the collection for it, so `crossProcessUpdates: false` trades the
 * cross-process guarantee for plain writes serialised within this process.
 */

import type { FilterNode, UpdateOperation } from "@agentvault/query";
import type { Clock } from "./clock.js";
import {
  type KeyRing,
  openRecord,
  type SealedValue,
  type SealScope,
  sealRecord,
} from "./encrypted-envelope.js";
import type { KeyLocks } from "./encrypted-key-locks.js";
import { ConflictError } from "./errors.js";
import { applyRecordUpdate } from "./in-memory-engine.js";
import type { PutOptions, RecordUpdate, StorageProvider, StoredRecord } from "./provider.js";

const source = "encrypted";
/** Compare-and-swap attempts before giving up on a record other processes keep changing. */
const maxAttempts = 50;
/** Records per `deleteMany` call when deleting by key and IV. */
const deleteChunk = 200;
const envelopeFields = ["alg", "kid", "iv", "tag", "ct", "dim"] as const;

function keyIs(key: string): FilterNode {
  return {
    type: "field",
    field: { path: "_id", segments: ["_id"] },
    condition: { op: "eq", value: key },
  };
}

function keyAndIv(key: string, iv: string): FilterNode {
  const ivIs: FilterNode = {
    type: "field",
    field: { path: "value.iv", segments: ["value", "iv"] },
    condition: { op: "eq", value: iv },
  };
  return { type: "and", children: [keyIs(key), ivIs] };
}

function ivOf(record: StoredRecord): string {
  return (record.value as unknown as SealedValue).iv;
}

/** Options of one update. */
export interface EncryptedUpdateOptions {
  /** Apply the change only if the decrypted record still passes this check. */
  readonly onlyIf?: ((record: StoredRecord) => boolean) | undefined;
}

/** Writes sealed records, keeping single-record updates atomic (see the module comment). */
export class EncryptedRecordWriter {
  readonly #inner: StorageProvider;
  readonly #ring: KeyRing;
  readonly #clock: Clock;
  readonly #locks: KeyLocks;
  /** Whether updates are compare-and-swap (atomic across processes). */
  readonly #compareAndSwap: boolean;

  constructor(
    inner: StorageProvider,
    ring: KeyRing,
    options: { readonly clock: Clock; readonly locks: KeyLocks; readonly crossProcess: boolean },
  ) {
    this.#inner = inner;
    this.#ring = ring;
    this.#clock = options.clock;
    this.#locks = options.locks;
    this.#compareAndSwap = options.crossProcess;
  }

  #lockName(collection: string, key: string): string {
    return JSON.stringify([this.#inner.database, collection, key]);
  }

  /** Blind writes need the lock only where updates are not compare-and-swap. */
  #blind<T>(collection: string, keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    if (this.#compareAndSwap) return fn();
    return this.#locks.run(
      keys.map((key) => this.#lockName(collection, key)),
      fn,
    );
  }

  put(collection: string, sealed: StoredRecord, options?: PutOptions): Promise<void> {
    return this.#blind(collection, [sealed.key], () =>
      this.#inner.put(collection, sealed, options),
    );
  }

  putMany(collection: string, sealed: readonly StoredRecord[]): Promise<void> {
    const keys = sealed.map((record) => record.key);
    return this.#blind(collection, keys, () => this.#inner.putMany(collection, sealed));
  }

  delete(collection: string, key: string): Promise<boolean> {
    return this.#blind(collection, [key], () => this.#inner.delete(collection, key));
  }

  /** Deletes the given stored records unless they changed since they were read. */
  async deleteUnchanged(collection: string, stored: readonly StoredRecord[]): Promise<number> {
    if (!this.#compareAndSwap) {
      let deleted = 0;
      for (const record of stored) if (await this.delete(collection, record.key)) deleted++;
      return deleted;
    }
    let deleted = 0;
    for (let start = 0; start < stored.length; start += deleteChunk) {
      const chunk = stored.slice(start, start + deleteChunk);
      const filter: FilterNode = {
        type: "or",
        children: chunk.map((record) => keyAndIv(record.key, ivOf(record))),
      };
      deleted += await this.#inner.deleteMany(collection, filter);
    }
    return deleted;
  }

  /**
   * The record as stored. Retries read with `find`, which no caching layer below answers, so a
   * stale cached copy cannot make every compare-and-swap fail.
   */
  async #read(collection: string, key: string, attempt: number): Promise<StoredRecord | null> {
    if (attempt === 0) return this.#inner.get(collection, key);
    const [stored] = await this.#inner.find(collection, { filter: keyIs(key), limit: 1 });
    return stored ?? null;
  }

  /**
   * Reads, decrypts, applies `changes`, re-encrypts and writes one record.
   * @returns The new record, or null when it does not exist (or fails `onlyIf`).
   * @throws ConflictError when other processes changed it on every attempt.
   */
  update(
    scope: SealScope,
    key: string,
    changes: RecordUpdate,
    options: EncryptedUpdateOptions = {},
  ): Promise<StoredRecord | null> {
    const { collection } = scope;
    return this.#locks.run([this.#lockName(collection, key)], async () => {
      for (let attempt = 0; attempt < maxAttempts; attempt++) {
        const stored = await this.#read(collection, key, attempt);
        if (stored === null) return null;
        const current = openRecord(this.#ring, scope, stored);
        if (options.onlyIf !== undefined && !options.onlyIf(current)) return null;
        const next = applyRecordUpdate(current, changes, this.#clock());
        const sealed = sealRecord(this.#ring, scope, next);
        if (!this.#compareAndSwap) {
          await this.#inner.put(collection, sealed);
          return next;
        }
        const envelope = sealed.value as unknown as SealedValue;
        const operations: UpdateOperation[] = envelopeFields.map((field) => {
          const path = { path: field, segments: [field] };
          const value = envelope[field];
          return value === undefined
            ? { op: "unset", field: path }
            : { op: "set", field: path, value };
        });
        const written = await this.#inner.updateMany(collection, keyAndIv(key, ivOf(stored)), {
          value: { kind: "operators", operations },
          expiresAt: next.expiresAt ?? null,
        });
        if (written > 0) return next;
      }
      throw new ConflictError(
        `A record of ${collection} kept changing during ${maxAttempts} update attempts`,
        { source },
      );
    });
  }
}
