/**
 * The write side of `cached()`: every call is forwarded to the backend, and every write then
 * evicts what it may have changed, here and (through the `invalidation` channel, if any) in
 * other processes. Eviction happens after the write, even a failed one (it may have partly
 * applied); reads racing it cannot re-cache the old record (see `CacheState`).
 *
 * Inside a transaction the cache is bypassed: reads go to the transaction, so they see its own
 * writes, and everything it touched is evicted again once it commits or rolls back.
 */

import type { FilterNode } from "@agentvault/query";
import type { CachedShared } from "./cached-provider.js";
import { keysPinnedByFilter } from "./operation-filter-shape.js";
import type {
  ChangeListener,
  FindQuery,
  HealthStatus,
  IndexSpec,
  ProviderCapabilities,
  PutOptions,
  RecordUpdate,
  StorageProvider,
  StoredRecord,
  VectorHit,
  VectorQuery,
} from "./provider.js";

/** Forwards to the backend and evicts after writes; `CachedProvider` adds the cached reads. */
export abstract class CachedWrites implements StorageProvider {
  protected readonly inner: StorageProvider;
  protected readonly shared: CachedShared;
  /** Set inside a transaction: no cache reads, evictions replayed at the end. */
  protected readonly bypass: boolean;
  /** What a transaction touched, evicted again when it ends. */
  readonly #touched: (() => void)[] = [];

  watch?: (collection: string, listener: ChangeListener) => Promise<() => Promise<void>>;
  transaction?: <T>(fn: (tx: StorageProvider) => Promise<T>) => Promise<T>;
  search?: (collection: string, query: VectorQuery) => Promise<VectorHit[]>;
  ensureIndexes?: (collection: string, indexes: readonly IndexSpec[]) => Promise<boolean>;

  constructor(inner: StorageProvider, shared: CachedShared, bypass: boolean) {
    this.inner = inner;
    this.shared = shared;
    this.bypass = bypass;
    if (inner.watch !== undefined) this.watch = inner.watch.bind(inner);
    if (inner.search !== undefined) this.search = inner.search.bind(inner);
    if (inner.ensureIndexes !== undefined) this.ensureIndexes = inner.ensureIndexes.bind(inner);
    const transaction = inner.transaction?.bind(inner);
    if (transaction !== undefined) this.transaction = (fn) => this.#transaction(transaction, fn);
  }

  get name(): string {
    return this.inner.name;
  }

  get database(): string {
    return this.inner.database;
  }

  get capabilities(): ProviderCapabilities {
    return this.inner.capabilities;
  }

  abstract withDatabase(database: string): StorageProvider;
  abstract get(collection: string, key: string): Promise<StoredRecord | null>;
  abstract getMany(collection: string, keys: readonly string[]): Promise<(StoredRecord | null)[]>;
  abstract close(): Promise<void>;
  /** A wrapper of the transaction-bound provider `tx`. */
  protected abstract child(tx: StorageProvider): CachedWrites;

  async #transaction<T>(
    transaction: NonNullable<StorageProvider["transaction"]>,
    fn: (tx: StorageProvider) => Promise<T>,
  ): Promise<T> {
    const children: CachedWrites[] = [];
    try {
      return await transaction((tx) => {
        const child = this.child(tx);
        children.push(child);
        return fn(child);
      });
    } finally {
      for (const child of children) for (const evict of child.#touched) evict();
    }
  }

  /** Evicts `keys` (or the whole collection) here and tells other caches. */
  protected evict(collection: string, keys?: readonly string[]): void {
    const database = this.inner.database;
    this.shared.state.invalidate(database, collection, keys);
    const event = { database, collection, keys };
    // Other processes would re-read the old record before the commit: tell them after it.
    if (!this.bypass) this.#publish(event);
    else
      this.#touched.push(() => {
        this.shared.state.invalidate(database, collection, keys);
        this.#publish(event);
      });
  }

  #publish(event: { database: string; collection?: string; keys?: readonly string[] }): void {
    try {
      this.shared.invalidation?.publish(event);
    } catch {
      // A broken channel must not fail a write that already happened.
    }
  }

  async #writing<T>(
    collection: string,
    keys: readonly string[] | undefined,
    write: () => Promise<T>,
  ): Promise<T> {
    try {
      return await write();
    } finally {
      this.evict(collection, keys);
    }
  }

  put(collection: string, record: StoredRecord, options?: PutOptions): Promise<void> {
    return this.#writing(collection, [record.key], () =>
      this.inner.put(collection, record, options),
    );
  }

  putMany(collection: string, records: readonly StoredRecord[]): Promise<void> {
    const keys = records.map((record) => record.key);
    return this.#writing(collection, keys, () => this.inner.putMany(collection, records));
  }

  delete(collection: string, key: string): Promise<boolean> {
    return this.#writing(collection, [key], () => this.inner.delete(collection, key));
  }

  update(collection: string, key: string, changes: RecordUpdate): Promise<StoredRecord | null> {
    return this.#writing(collection, [key], () => this.inner.update(collection, key, changes));
  }

  updateMany(collection: string, filter: FilterNode, changes: RecordUpdate): Promise<number> {
    return this.#writing(collection, keysPinnedByFilter(filter), () =>
      this.inner.updateMany(collection, filter, changes),
    );
  }

  deleteMany(collection: string, filter: FilterNode): Promise<number> {
    return this.#writing(collection, keysPinnedByFilter(filter), () =>
      this.inner.deleteMany(collection, filter),
    );
  }

  dropCollection(collection: string): Promise<number> {
    return this.#writing(collection, undefined, () => this.inner.dropCollection(collection));
  }

  async dropDatabase(): Promise<void> {
    const database = this.inner.database;
    try {
      await this.inner.dropDatabase();
    } finally {
      const evict = () => {
        this.shared.state.invalidateDatabase(database);
        this.#publish({ database });
      };
      if (this.bypass) {
        this.shared.state.invalidateDatabase(database);
        this.#touched.push(evict);
      } else evict();
    }
  }

  find(collection: string, query: FindQuery): Promise<StoredRecord[]> {
    return this.inner.find(collection, query);
  }

  count(collection: string, filter: FilterNode): Promise<number> {
    return this.inner.count(collection, filter);
  }

  listCollections(): Promise<string[]> {
    return this.inner.listCollections();
  }

  health(): Promise<HealthStatus> {
    return this.inner.health();
  }
}
