/**
 * `encrypted(provider, { keys })`: a provider that keeps values, metadata and vectors encrypted
 * (AES-256-GCM, see `encrypted-envelope.ts`) in the provider it wraps.
 *
 * What the backend can still see and do:
 * - record keys (`_id`), collection and database names, expiry and timestamps are plaintext;
 * - filters and sorts that use only `_id` run natively; any other filter, sort or vector search
 *   is evaluated here, after decrypting the collection (a scan, then `findInMemory`), so
 *   queries on encrypted fields cost a read of the whole collection;
 * - backend indexes on fields are useless on ciphertext: `ensureIndexes` creates none.
 *
 * Updates read, decrypt, change, re-encrypt and write. They are serialised per key in this
 * process, and atomic across processes: the write is a compare-and-swap on the envelope's random
 * IV, retried when another writer got there first (see `encrypted-record-writer.ts`).
 */

import type { FilterNode } from "@agentvault/query";
import { type Clock, systemClock } from "./clock.js";
import {
  createKeyRing,
  type EncryptionKey,
  type KeyRing,
  openRecord,
  type SealScope,
  sealRecord,
} from "./encrypted-envelope.js";
import { KeyLocks } from "./encrypted-key-locks.js";
import { EncryptedRecordWriter } from "./encrypted-record-writer.js";
import { searchDecrypted } from "./encrypted-search.js";
import { checkVectorDimensions } from "./encrypted-vector-dimension.js";
import { compileRecordFilter, countInMemory, findInMemory } from "./in-memory-engine.js";
import { filterUsesOnlyKey, sortUsesOnlyKey } from "./operation-filter-shape.js";
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
  VectorMetric,
  VectorQuery,
} from "./provider.js";
import { matchAll } from "./vault-inputs.js";

/** Options for `encrypted`. */
export interface EncryptedOptions {
  /**
   * The key ring. The first key encrypts every write; all of them decrypt. To rotate, put a new
   * key first, run `reencrypt`, then drop the old one.
   */
  readonly keys: readonly EncryptionKey[];
  /** The clock for `updatedAt` and `$currentDate` in updates. @default systemClock */
  readonly clock?: Clock | undefined;
  /** The vector metric of collections without an entry in `vectorMetrics`. @default "cosine" */
  readonly vectorMetric?: VectorMetric | undefined;
  /** Per-collection vector metrics, for example `{ images: "euclidean" }`. @default {} */
  readonly vectorMetrics?: { readonly [collection: string]: VectorMetric } | undefined;
  /**
   * Keep single-record updates atomic across processes (a compare-and-swap per update). On
   * scan-based backends (filesystem, S3) each update then reads the whole collection; set false
   * when one process owns the data, to serialise updates in this process only.
   * @default true
   */
  readonly crossProcessUpdates?: boolean | undefined;
}

/** What siblings (`withDatabase`) share. */
interface EncryptedShared {
  readonly ring: KeyRing;
  readonly clock: Clock;
  readonly options: EncryptedOptions;
}

/** Everything but `_id` conditions is evaluated after decryption; these run in the backend. */
function keyConditions(filter: FilterNode): FilterNode {
  if (filter.type !== "and") return matchAll;
  return { type: "and", children: filter.children.filter(filterUsesOnlyKey) };
}

class EncryptedProvider implements StorageProvider {
  readonly #inner: StorageProvider;
  readonly #shared: EncryptedShared;
  readonly #writer: EncryptedRecordWriter;
  readonly capabilities: ProviderCapabilities;

  constructor(inner: StorageProvider, shared: EncryptedShared, locks: KeyLocks) {
    this.#inner = inner;
    this.#shared = shared;
    this.#writer = new EncryptedRecordWriter(inner, shared.ring, {
      clock: shared.clock,
      locks,
      crossProcess: shared.options.crossProcessUpdates ?? true,
    });
    this.capabilities = Object.freeze({
      ...inner.capabilities,
      nativeFilters: false,
      indexes: false,
      vectorSearch: true,
      watch: inner.watch !== undefined && inner.capabilities.watch,
    });
    if (inner.watch !== undefined) {
      const watch = inner.watch.bind(inner);
      this.watch = (collection: string, listener: ChangeListener) => watch(collection, listener);
    }
    if (inner.transaction !== undefined && inner.capabilities.transactions) {
      const transaction = inner.transaction.bind(inner);
      // A transaction gets locks of its own: waiting on a lock held outside it could deadlock.
      this.transaction = (fn) =>
        transaction((tx) => fn(new EncryptedProvider(tx, shared, new KeyLocks())));
    }
  }

  get name(): string {
    return this.#inner.name;
  }

  get database(): string {
    return this.#inner.database;
  }

  watch?: (collection: string, listener: ChangeListener) => Promise<() => Promise<void>>;
  transaction?: <T>(fn: (tx: StorageProvider) => Promise<T>) => Promise<T>;

  #scope(collection: string): SealScope {
    return { database: this.#inner.database, collection };
  }

  #open(collection: string, stored: StoredRecord): StoredRecord {
    return openRecord(this.#shared.ring, this.#scope(collection), stored);
  }

  /** Every live record of the collection matching the `_id` part of `filter`, decrypted. */
  async #scan(collection: string, filter: FilterNode): Promise<StoredRecord[]> {
    const stored = await this.#inner.find(collection, { filter: keyConditions(filter) });
    return stored.map((record) => this.#open(collection, record));
  }

  withDatabase(database: string): StorageProvider {
    return new EncryptedProvider(this.#inner.withDatabase(database), this.#shared, new KeyLocks());
  }

  async get(collection: string, key: string): Promise<StoredRecord | null> {
    const stored = await this.#inner.get(collection, key);
    return stored === null ? null : this.#open(collection, stored);
  }

  async getMany(collection: string, keys: readonly string[]): Promise<(StoredRecord | null)[]> {
    const stored = await this.#inner.getMany(collection, keys);
    return stored.map((record) => (record === null ? null : this.#open(collection, record)));
  }

  async put(collection: string, record: StoredRecord, options?: PutOptions): Promise<void> {
    await checkVectorDimensions(this.#inner, collection, [record.vector]);
    const sealed = sealRecord(this.#shared.ring, this.#scope(collection), record);
    return this.#writer.put(collection, sealed, options);
  }

  async putMany(collection: string, records: readonly StoredRecord[]): Promise<void> {
    await checkVectorDimensions(
      this.#inner,
      collection,
      records.map((record) => record.vector),
    );
    const scope = this.#scope(collection);
    const sealed = records.map((record) => sealRecord(this.#shared.ring, scope, record));
    return this.#writer.putMany(collection, sealed);
  }

  delete(collection: string, key: string): Promise<boolean> {
    return this.#writer.delete(collection, key);
  }

  async find(collection: string, query: FindQuery): Promise<StoredRecord[]> {
    if (filterUsesOnlyKey(query.filter) && sortUsesOnlyKey(query.sort)) {
      const { filter, sort, skip, limit } = query;
      const stored = await this.#inner.find(collection, { filter, sort, skip, limit });
      return stored.map((record) => this.#open(collection, record));
    }
    // The backend already dropped expired records, so nothing is expired here.
    return findInMemory(await this.#scan(collection, query.filter), query, -Infinity);
  }

  async count(collection: string, filter: FilterNode): Promise<number> {
    if (filterUsesOnlyKey(filter)) return this.#inner.count(collection, filter);
    return countInMemory(await this.#scan(collection, filter), filter, -Infinity);
  }

  async update(
    collection: string,
    key: string,
    changes: RecordUpdate,
  ): Promise<StoredRecord | null> {
    await checkVectorDimensions(this.#inner, collection, [changes.vector]);
    return this.#writer.update(this.#scope(collection), key, changes);
  }

  async updateMany(collection: string, filter: FilterNode, changes: RecordUpdate): Promise<number> {
    await checkVectorDimensions(this.#inner, collection, [changes.vector]);
    const matches = compileRecordFilter(filter);
    const candidates = await this.#scan(collection, filter);
    let updated = 0;
    for (const candidate of candidates.filter(matches)) {
      const result = await this.#writer.update(this.#scope(collection), candidate.key, changes, {
        onlyIf: matches,
      });
      if (result !== null) updated++;
    }
    return updated;
  }

  async deleteMany(collection: string, filter: FilterNode): Promise<number> {
    if (filterUsesOnlyKey(filter)) return this.#inner.deleteMany(collection, filter);
    const matches = compileRecordFilter(filter);
    const stored = await this.#inner.find(collection, { filter: keyConditions(filter) });
    const doomed = stored.filter((record) => matches(this.#open(collection, record)));
    return this.#writer.deleteUnchanged(collection, doomed);
  }

  dropCollection(collection: string): Promise<number> {
    return this.#inner.dropCollection(collection);
  }

  listCollections(): Promise<string[]> {
    return this.#inner.listCollections();
  }

  /** Field indexes cannot help on ciphertext, so none is created. */
  async ensureIndexes(_collection: string, _indexes: readonly IndexSpec[]): Promise<boolean> {
    return false;
  }

  async search(collection: string, query: VectorQuery): Promise<VectorHit[]> {
    const options = this.#shared.options;
    const metric = options.vectorMetrics?.[collection] ?? options.vectorMetric ?? "cosine";
    const filter = query.filter ?? matchAll;
    return searchDecrypted(await this.#scan(collection, filter), query, metric);
  }

  dropDatabase(): Promise<void> {
    return this.#inner.dropDatabase();
  }

  health(): Promise<HealthStatus> {
    return this.#inner.health();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/**
 * Wraps `provider` so that values, metadata and vectors are encrypted before they reach it.
 * Compose it outside other wrappers (`encrypted(cached(sqlite))`) so caches hold ciphertext.
 *
 * @throws ValidationError when the key ring is empty, a key is not 32 bytes or an id repeats.
 * @example
 * const provider = encrypted(sqliteProvider({ path: "agent.db" }), {
 *   keys: [{ id: "2025-01", key: Buffer.from(process.env.VAULT_KEY!, "base64") }],
 * });
 * const vault = createVault({ provider });
 */
export function encrypted(provider: StorageProvider, options: EncryptedOptions): StorageProvider {
  const ring = createKeyRing(options?.keys);
  const shared: EncryptedShared = { ring, clock: options.clock ?? systemClock, options };
  return new EncryptedProvider(provider, shared, new KeyLocks());
}
