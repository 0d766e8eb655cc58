/**
 * The public type of `redisProvider()`: the storage contract with its optional members present,
 * plus `watch`, the change feed.
 */

import type { IndexSpec, StorageProvider, VectorHit, VectorQuery } from "@agentvault/core";
import type { RedisChangeListener } from "./redis-change-feed.js";

/** A `StorageProvider` backed by Redis. */
export interface RedisStorageProvider extends StorageProvider {
  /** A sibling bound to another database, sharing the connection. */
  withDatabase(database: string): RedisStorageProvider;
  /**
   * Creates indexes on record-view paths (`value.price`, `metadata.source`) that narrow queries
   * with equality, `$in` or range conditions on them. Resolves once existing records are
   * indexed. Uniqueness (`type: "unique"`) is not enforced.
   */
  ensureIndexes(collection: string, indexes: readonly IndexSpec[]): Promise<boolean>;
  /** Exact vector search over the collection's records (scanned, scored in memory). */
  search(collection: string, query: VectorQuery): Promise<VectorHit[]>;
  /**
   * Calls `listener` after each write to `collection` by any process sharing the Redis server
   * and key prefix. Resolves once subscribed, to a function that unsubscribes.
   *
   * @example
   * const stop = await provider.watch("products", (event) => cache.delete(event.key));
   * await stop();
   */
  watch(collection: string, listener: RedisChangeListener): Promise<() => Promise<void>>;
}
