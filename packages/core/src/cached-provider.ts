/**
 * `cached(provider, options)`: a read-through LRU cache of records by key in front of any
 * provider. `get` and `getMany` are served from memory when they can; everything else goes to
 * the backend. Writes through the wrapper evict what they touch (the named keys, or the whole
 * collection for filtered writes), and so do writes by other processes when the backend has a
 * change feed (Redis) or an `invalidation` channel is given. Without either, a write made
 * elsewhere is seen once the entry is evicted or `ttlMs` has passed.
 *
 * Expired records are never returned from the cache: each hit is checked against `clock`.
 * Returned records are copies, so callers can never change what the cache holds.
 */

import type { CacheInvalidation, CacheInvalidationEvent } from "./cached-invalidation.js";
import { CacheState } from "./cached-state.js";
import { CachedWrites } from "./cached-writes.js";
import { type Clock, systemClock } from "./clock.js";
import { ValidationError } from "./errors.js";
import { copyRecordOut } from "./memory-record-copy.js";
import type { StorageProvider, StoredRecord } from "./provider.js";
import { isExpired } from "./record-view.js";

/** Options for `cached`. */
export interface CachedOptions {
  /** Records kept at most; the least recently used go first. @default 1000 */
  readonly maxEntries?: number | undefined;
  /**
   * How long an entry may be served, in milliseconds: the bound on staleness for writes made by
   * other processes when neither a change feed nor `invalidation` tells us about them.
   * @default undefined (until evicted or invalidated)
   */
  readonly ttlMs?: number | undefined;
  /** A channel shared with the caches of other processes (see `CacheInvalidation`). */
  readonly invalidation?: CacheInvalidation | undefined;
  /** The clock deciding whether a cached record has expired. @default systemClock */
  readonly clock?: Clock | undefined;
}

/** What a wrapper and its siblings share. */
export interface CachedShared {
  readonly state: CacheState;
  readonly clock: Clock;
  readonly invalidation: CacheInvalidation | undefined;
  /** Change-feed subscriptions by database and collection; true once listening. */
  readonly watches: Map<string, Promise<boolean>>;
  /** Unsubscribe functions to call on close. */
  readonly stops: (() => Promise<void> | void)[];
  closed: boolean;
}

const source = "cached";

/** Reads through the cache; writes are `CachedWrites`'. */
class CachedProvider extends CachedWrites {
  /** Whether the backend's change feed must be listened to before caching. */
  #usesFeed(): boolean {
    return this.inner.watch !== undefined && this.inner.capabilities.watch;
  }

  /** Resolves to whether records of `collection` may be cached (the feed, if any, is on). */
  #watching(collection: string): Promise<boolean> | boolean {
    if (this.bypass) return false;
    if (!this.#usesFeed()) return true;
    const database = this.inner.database;
    const name = JSON.stringify([database, collection]);
    let watching = this.shared.watches.get(name);
    if (watching === undefined) {
      const { state } = this.shared;
      watching = this.inner.watch!(collection, (event) => {
        state.invalidate(database, collection, event.key === undefined ? undefined : [event.key]);
      }).then(
        (stop) => {
          this.shared.stops.push(stop);
          return true;
        },
        () => {
          // Retried on a later read; meanwhile nothing of this collection is cached.
          this.shared.watches.delete(name);
          return false;
        },
      );
      this.shared.watches.set(name, watching);
    }
    return watching;
  }

  #hit(collection: string, key: string): StoredRecord | undefined {
    if (this.bypass) return undefined;
    const { state, clock } = this.shared;
    const record = state.get(this.inner.database, collection, key);
    if (record === undefined) return undefined;
    if (!isExpired(record, clock())) return copyRecordOut(record);
    state.forget(this.inner.database, collection, key);
    return undefined;
  }

  override withDatabase(database: string): StorageProvider {
    return new CachedProvider(this.inner.withDatabase(database), this.shared, false);
  }

  protected override child(tx: StorageProvider): CachedWrites {
    return new CachedProvider(tx, this.shared, true);
  }

  override async get(collection: string, key: string): Promise<StoredRecord | null> {
    const hit = this.#hit(collection, key);
    if (hit !== undefined) return hit;
    const cacheable = await this.#watching(collection);
    const version = this.shared.state.version(this.inner.database, collection);
    const record = await this.inner.get(collection, key);
    if (record !== null && cacheable) {
      this.shared.state.set(this.inner.database, collection, copyRecordOut(record), version);
    }
    return record;
  }

  override async getMany(
    collection: string,
    keys: readonly string[],
  ): Promise<(StoredRecord | null)[]> {
    const result: (StoredRecord | null)[] = keys.map((key) => this.#hit(collection, key) ?? null);
    const missing = keys.filter((_, index) => result[index] === null);
    if (missing.length === 0) return result;
    const cacheable = await this.#watching(collection);
    const version = this.shared.state.version(this.inner.database, collection);
    const fetched = await this.inner.getMany(collection, missing);
    const byKey = new Map<string, StoredRecord>();
    for (const record of fetched) {
      if (record === null) continue;
      byKey.set(record.key, record);
      if (cacheable) {
        this.shared.state.set(this.inner.database, collection, copyRecordOut(record), version);
      }
    }
    return keys.map((key, index) => result[index] ?? byKey.get(key) ?? null);
  }

  override async close(): Promise<void> {
    if (!this.shared.closed) {
      this.shared.closed = true;
      const stops = this.shared.stops.splice(0);
      await Promise.allSettled(stops.map(async (stop) => stop()));
    }
    await this.inner.close();
  }
}

function checkPositive(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new ValidationError(`${name} must be a positive integer`, name, { source });
  }
  return value;
}

/**
 * Wraps `provider` with a read-through LRU cache of records by key.
 *
 * @example
 * const provider = cached(redisProvider({ url }), { maxEntries: 10_000 });
 * const vault = createVault({ provider });
 */
export function cached(provider: StorageProvider, options: CachedOptions = {}): StorageProvider {
  const state = new CacheState({
    maxEntries: checkPositive(options.maxEntries, "maxEntries") ?? 1000,
    ttlMs: checkPositive(options.ttlMs, "ttlMs"),
  });
  const shared: CachedShared = {
    state,
    clock: options.clock ?? systemClock,
    invalidation: options.invalidation,
    watches: new Map(),
    stops: [],
    closed: false,
  };
  if (options.invalidation !== undefined) {
    const stop = options.invalidation.subscribe((event: CacheInvalidationEvent) => {
      if (event.collection === undefined) state.invalidateDatabase(event.database);
      else state.invalidate(event.database, event.collection, event.keys);
    });
    shared.stops.push(stop);
  }
  return new CachedProvider(provider, shared, false);
}
