/**
 * `memoryProvider()`: the reference implementation of the `StorageProvider` contract, kept in
 * process memory. It is what tests and examples use, and what other providers are compared to.
 *
 * - Databases are isolated; `withDatabase` siblings share one root and one `close`.
 * - Values are deep-copied on the way in and out, so callers can never change stored data.
 * - `update` is a synchronous read-modify-write, hence atomic; `putMany` and `updateMany`
 *   prepare every record before writing any.
 * - Transactions are atomic (an undo log, see `MemoryJournal`) and serialised per database;
 *   they are not isolated from writes made outside them.
 * - Expired records are never returned and are removed when met.
 * - Vector search is exact. The metric is `vectorMetrics[collection]`, else `vectorMetric`;
 *   ties are broken by key and a query of the wrong dimension fails (see `vector-ranking.ts`).
 */

import type { FilterNode } from "@agentvault/query";
import { type Clock, systemClock } from "./clock.js";
import { ConflictError, ProviderUnavailableError } from "./errors.js";
import { checkWithDatabase } from "./identifier-validation.js";
import {
  applyRecordUpdate,
  compileRecordFilter,
  countInMemory,
  findInMemory,
} from "./in-memory-engine.js";
import { type MemoryCollections, MemoryJournal } from "./memory-journal.js";
import { copyRecordIn, copyRecordOut } from "./memory-record-copy.js";
import type {
  FindQuery,
  HealthStatus,
  ProviderCapabilities,
  PutOptions,
  RecordUpdate,
  StorageProvider,
  StoredRecord,
  VectorHit,
  VectorMetric,
  VectorQuery,
} from "./provider.js";
import { isExpired } from "./record-view.js";
import { validateVector } from "./validation.js";
import { checkRecordDimensions } from "./vector-dimension.js";
import { vectorScore } from "./vector-math.js";
import { checkQueryDimension, defaultSearchLimit, TopVectorHits } from "./vector-ranking.js";

/** The memory provider: a `StorageProvider` whose optional `search` and `transaction` exist. */
export type MemoryStorageProvider = StorageProvider &
  Required<Pick<StorageProvider, "search" | "transaction">>;

/** Options for `memoryProvider`. */
export interface MemoryProviderOptions {
  /** The database this instance is bound to. @default "default" */
  readonly database?: string | undefined;
  /** The vector metric of every collection without an entry in `vectorMetrics`. @default "cosine" */
  readonly vectorMetric?: VectorMetric | undefined;
  /** Per-collection vector metrics, for example `{ images: "euclidean" }`. @default {} */
  readonly vectorMetrics?: { readonly [collection: string]: VectorMetric } | undefined;
  /** The clock deciding expiry and timestamps; tests pass a fake one. @default systemClock */
  readonly clock?: Clock | undefined;
}

const source = "memory";

const capabilities: ProviderCapabilities = Object.freeze({
  nativeTtl: false,
  transactions: true,
  vectorSearch: true,
  watch: false,
  indexes: false,
  nativeFilters: false,
});

interface MemoryDatabase {
  readonly collections: MemoryCollections;
  /** The end of the chain of queued transactions: each waits for the previous one. */
  transactionTail: Promise<void>;
}

interface MemoryRoot {
  readonly databases: Map<string, MemoryDatabase>;
  readonly options: MemoryProviderOptions;
  readonly now: Clock;
  closed: boolean;
}

/** A transaction's state, shared by its provider: calls fail once it has finished. */
interface TransactionScope {
  readonly journal: MemoryJournal;
  finished: boolean;
}

class MemoryProvider implements MemoryStorageProvider {
  readonly name = source;
  readonly capabilities = capabilities;
  readonly database: string;
  readonly #root: MemoryRoot;
  readonly #scope: TransactionScope | undefined;

  constructor(root: MemoryRoot, database: string, scope?: TransactionScope) {
    this.#root = root;
    this.database = database;
    this.#scope = scope;
  }

  #db(): MemoryDatabase {
    if (this.#root.closed)
      throw new ProviderUnavailableError("The memory provider is closed", { source });
    if (this.#scope?.finished) {
      throw new ProviderUnavailableError("The transaction has already finished", { source });
    }
    let db = this.#root.databases.get(this.database);
    if (db === undefined) {
      db = { collections: new Map(), transactionTail: Promise.resolve() };
      this.#root.databases.set(this.database, db);
    }
    return db;
  }

  /** The live records of a collection; expired ones are removed on the way. */
  #live(collection: string): StoredRecord[] {
    const records = this.#db().collections.get(collection);
    if (records === undefined) return [];
    const now = this.#root.now();
    const live: StoredRecord[] = [];
    for (const [key, record] of records) {
      if (isExpired(record, now)) records.delete(key);
      else live.push(record);
    }
    return live;
  }

  #current(collection: string, key: string): StoredRecord | undefined {
    const record = this.#db().collections.get(collection)?.get(key);
    if (record === undefined || !isExpired(record, this.#root.now())) return record;
    this.#db().collections.get(collection)?.delete(key);
    return undefined;
  }

  /** Every write goes through here, so transactions can undo it. */
  #write(collection: string, key: string, record: StoredRecord | undefined): void {
    const { collections } = this.#db();
    let records = collections.get(collection);
    this.#scope?.journal.remember(collection, key, records?.get(key));
    if (record === undefined) {
      records?.delete(key);
      if (records?.size === 0) collections.delete(collection);
      return;
    }
    if (records === undefined) {
      records = new Map();
      collections.set(collection, records);
    }
    records.set(key, record);
  }

  #checkDimensions(collection: string, incoming: readonly StoredRecord[]): void {
    const stored = this.#db().collections.get(collection)?.values() ?? [];
    checkRecordDimensions(stored, incoming, { source, collection });
  }

  withDatabase(database: string): StorageProvider {
    checkWithDatabase(database, { inTransaction: this.#scope !== undefined, source });
    return new MemoryProvider(this.#root, database);
  }

  async get(collection: string, key: string): Promise<StoredRecord | null> {
    const record = this.#current(collection, key);
    return record === undefined ? null : copyRecordOut(record);
  }

  async getMany(collection: string, keys: readonly string[]): Promise<(StoredRecord | null)[]> {
    return keys.map((key) => {
      const record = this.#current(collection, key);
      return record === undefined ? null : copyRecordOut(record);
    });
  }

  async put(collection: string, record: StoredRecord, options: PutOptions = {}): Promise<void> {
    const existing = this.#current(collection, record?.key);
    if (existing !== undefined && options.ifAbsent) {
      throw new ConflictError(`Key already exists in ${collection}`, { source });
    }
    const stored = copyRecordIn(record, this.#root.now(), existing);
    this.#checkDimensions(collection, [stored]);
    this.#write(collection, stored.key, stored);
  }

  async putMany(collection: string, records: readonly StoredRecord[]): Promise<void> {
    const now = this.#root.now();
    const prepared = records.map((record) =>
      copyRecordIn(record, now, this.#current(collection, record?.key)),
    );
    this.#checkDimensions(collection, prepared);
    for (const record of prepared) this.#write(collection, record.key, record);
  }

  async delete(collection: string, key: string): Promise<boolean> {
    if (this.#current(collection, key) === undefined) return false;
    this.#write(collection, key, undefined);
    return true;
  }

  async find(collection: string, query: FindQuery): Promise<StoredRecord[]> {
    return findInMemory(this.#live(collection), query, this.#root.now()).map(copyRecordOut);
  }

  async count(collection: string, filter: FilterNode): Promise<number> {
    return countInMemory(this.#live(collection), filter, this.#root.now());
  }

  async update(
    collection: string,
    key: string,
    changes: RecordUpdate,
  ): Promise<StoredRecord | null> {
    const existing = this.#current(collection, key);
    if (existing === undefined) return null;
    const updated = applyRecordUpdate(existing, changes, this.#root.now());
    if (changes.vector) this.#checkDimensions(collection, [updated]);
    this.#write(collection, key, updated);
    return copyRecordOut(updated);
  }

  async updateMany(collection: string, filter: FilterNode, changes: RecordUpdate): Promise<number> {
    const now = this.#root.now();
    const matches = compileRecordFilter(filter);
    const updated = this.#live(collection)
      .filter(matches)
      .map((record) => applyRecordUpdate(record, changes, now));
    if (changes.vector) this.#checkDimensions(collection, updated.slice(0, 1));
    for (const record of updated) this.#write(collection, record.key, record);
    return updated.length;
  }

  async deleteMany(collection: string, filter: FilterNode): Promise<number> {
    const doomed = this.#live(collection).filter(compileRecordFilter(filter));
    for (const record of doomed) this.#write(collection, record.key, undefined);
    return doomed.length;
  }

  async dropCollection(collection: string): Promise<number> {
    const live = this.#live(collection).length;
    for (const key of [...(this.#db().collections.get(collection)?.keys() ?? [])]) {
      this.#write(collection, key, undefined);
    }
    return live;
  }

  async listCollections(): Promise<string[]> {
    const names = [...this.#db().collections.keys()].filter((name) => this.#live(name).length > 0);
    return names.sort();
  }

  async search(collection: string, query: VectorQuery): Promise<VectorHit[]> {
    const vector = validateVector(query.vector, { source });
    const options = this.#root.options;
    const metric = options.vectorMetrics?.[collection] ?? options.vectorMetric ?? "cosine";
    const matches = query.filter === undefined ? undefined : compileRecordFilter(query.filter);
    const live = this.#live(collection);
    const dimension = live.find((record) => record.vector !== undefined)?.vector?.length;
    checkQueryDimension(vector, dimension, { source, collection });
    const top = new TopVectorHits<StoredRecord>(query.limit ?? defaultSearchLimit, query.minScore);
    for (const record of live) {
      if (record.vector === undefined || (matches !== undefined && !matches(record))) continue;
      top.offer(record.key, vectorScore(metric, vector, record.vector), record);
    }
    return top.sorted().map((hit) => ({ record: copyRecordOut(hit.item), score: hit.score }));
  }

  async transaction<T>(fn: (tx: StorageProvider) => Promise<T>): Promise<T> {
    const db = this.#db();
    const parent = this.#scope;
    let release = () => {};
    if (parent === undefined) {
      // Top-level transactions queue behind each other; nested ones run inside their parent.
      const previous = db.transactionTail;
      db.transactionTail = new Promise<void>((resolve) => {
        release = resolve;
      });
      await previous;
    }
    const scope: TransactionScope = { journal: new MemoryJournal(), finished: false };
    try {
      const result = await fn(new MemoryProvider(this.#root, this.database, scope));
      if (parent !== undefined) scope.journal.mergeInto(parent.journal);
      return result;
    } catch (error) {
      scope.journal.rollback(db.collections);
      throw error;
    } finally {
      scope.finished = true;
      release();
    }
  }

  async dropDatabase(): Promise<void> {
    for (const collection of [...this.#db().collections.keys()])
      await this.dropCollection(collection);
  }

  async health(): Promise<HealthStatus> {
    if (this.#root.closed) return { ok: false, message: "The memory provider is closed" };
    return { ok: true, latencyMs: 0 };
  }

  async close(): Promise<void> {
    this.#root.closed = true;
  }
}

/**
 * Creates an in-memory provider. Data lives as long as the provider object.
 *
 * @example
 * const vault = createVault({ provider: memoryProvider() });
 */
export function memoryProvider(options: MemoryProviderOptions = {}): MemoryStorageProvider {
  const root: MemoryRoot = {
    databases: new Map(),
    options,
    now: options.clock ?? systemClock,
    closed: false,
  };
  return new MemoryProvider(root, options.database ?? "default");
}
