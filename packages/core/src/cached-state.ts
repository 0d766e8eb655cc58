/**
 * The cache behind `cached()`, shared by a wrapper and its `withDatabase` siblings: one LRU of
 * records, plus per-collection counters that make invalidation cheap and race-free.
 *
 * - Every entry key holds the generation of its database and of its collection, so evicting a
 *   whole collection (after `updateMany`, `deleteMany`, `dropCollection`) or database is one
 *   increment; the orphaned entries age out of the LRU.
 * - Every invalidation of a collection bumps its version. A read remembers the version before
 *   asking the backend and caches the answer only if it did not move meanwhile, so a read that
 *   raced a write can never put the old record back into the cache.
 */

import { LRUCache } from "lru-cache";
import type { StoredRecord } from "./provider.js";

interface CollectionCounters {
  generation: number;
  version: number;
}

interface DatabaseCounters {
  readonly id: number;
  generation: number;
  readonly collections: Map<string, CollectionCounters>;
}

/** Options of the LRU. */
export interface CacheStateOptions {
  readonly maxEntries: number;
  /** Age limit of an entry in milliseconds; undefined for none. */
  readonly ttlMs: number | undefined;
}

/** A position in a collection's history, taken before a read. */
export type CacheVersion = string;

/** The shared cache (see the module comment). */
export class CacheState {
  readonly #records: LRUCache<string, StoredRecord>;
  readonly #databases = new Map<string, DatabaseCounters>();

  constructor(options: CacheStateOptions) {
    this.#records = new LRUCache<string, StoredRecord>({
      max: options.maxEntries,
      ...(options.ttlMs === undefined ? {} : { ttl: options.ttlMs }),
    });
  }

  #database(database: string): DatabaseCounters {
    let counters = this.#databases.get(database);
    if (counters === undefined) {
      counters = { id: this.#databases.size, generation: 0, collections: new Map() };
      this.#databases.set(database, counters);
    }
    return counters;
  }

  #collection(database: DatabaseCounters, collection: string): CollectionCounters {
    let counters = database.collections.get(collection);
    if (counters === undefined) {
      counters = { generation: 0, version: 0 };
      database.collections.set(collection, counters);
    }
    return counters;
  }

  #entryKey(database: string, collection: string, key: string): string {
    const db = this.#database(database);
    const counters = this.#collection(db, collection);
    return `${db.id}:${db.generation}:${counters.generation}:${collection}\u0000${key}`;
  }

  /** The cached record, if any (possibly expired: the caller checks). */
  get(database: string, collection: string, key: string): StoredRecord | undefined {
    return this.#records.get(this.#entryKey(database, collection, key));
  }

  /** The collection's version, to pass to `set` after reading from the backend. */
  version(database: string, collection: string): CacheVersion {
    const db = this.#database(database);
    return `${db.generation}:${this.#collection(db, collection).version}`;
  }

  /** Caches `record` unless the collection was invalidated since `version` was taken. */
  set(database: string, collection: string, record: StoredRecord, version: CacheVersion): void {
    if (this.version(database, collection) !== version) return;
    this.#records.set(this.#entryKey(database, collection, record.key), record);
  }

  /** Forgets one entry without invalidating anything else (an expired record, for example). */
  forget(database: string, collection: string, key: string): void {
    this.#records.delete(this.#entryKey(database, collection, key));
  }

  /** Evicts `keys` of a collection, or the whole collection when `keys` is undefined. */
  invalidate(database: string, collection: string, keys?: readonly string[]): void {
    const counters = this.#collection(this.#database(database), collection);
    counters.version++;
    if (keys === undefined) {
      counters.generation++;
      return;
    }
    for (const key of keys) this.#records.delete(this.#entryKey(database, collection, key));
  }

  /** Evicts everything cached for `database`. */
  invalidateDatabase(database: string): void {
    const db = this.#database(database);
    db.generation++;
    for (const counters of db.collections.values()) counters.version++;
  }

  /** Entries currently held (including orphaned ones not yet aged out). */
  get size(): number {
    return this.#records.size;
  }
}
