/**
 * The shared half of providers that keep one record per file or object (filesystem, S3). Such a
 * provider reads records one at a time or lists a whole collection, and answers queries, counts
 * and vector search in memory over that scan. A subclass supplies the storage layer (reading,
 * scanning, the atomic per-record update and delete, writes, listing) and its error handling;
 * this class builds the rest of the contract on it, so every scanning provider filters, ranks,
 * counts and batches the same way.
 */

import type { FilterNode } from "@agentvault/query";
import { mapWithConcurrency } from "./bounded-concurrency.js";
import {
  applyRecordUpdate,
  compileRecordFilter,
  countInMemory,
  findInMemory,
} from "./in-memory-engine.js";
import type {
  FindQuery,
  HealthStatus,
  ProviderCapabilities,
  PutOptions,
  RecordUpdate,
  StorageProvider,
  StoredRecord,
  VectorHit,
  VectorQuery,
} from "./provider.js";
import type { ScanProviderRoot } from "./scan-provider-root.js";
import { searchInMemory } from "./search-in-memory.js";
import { checkRecordDimensions } from "./vector-dimension.js";

/** A test a locked write re-checks on the current record (for `updateMany`, `deleteMany`). */
export type RecordCheck = (record: StoredRecord) => boolean;

/** What an atomic per-record update applies: the changes, if the live record passes `check`. */
export interface RecordChange {
  readonly changes: RecordUpdate;
  /** Skip the record (and return null) unless it passes. @default undefined (always apply) */
  readonly check?: RecordCheck | undefined;
}

/** Where a scanning provider reads records: one by one, or a whole collection at once. */
export interface LiveRecordSource {
  /** The live record of `key`; undefined when absent or expired. */
  readLive(collection: string, key: string): Promise<StoredRecord | undefined>;
  /** Every live record of a collection (none when it does not exist). */
  scanLive(collection: string): Promise<StoredRecord[]>;
}

/** Options for the `ScanStorageProvider` constructor. */
export interface ScanProviderSettings {
  /** The provider's name, also the `source` of its error messages. */
  readonly name: string;
  /** The database this instance is bound to. */
  readonly database: string;
  readonly root: ScanProviderRoot;
  readonly records: LiveRecordSource;
  /** Records read at once by `getMany`. */
  readonly readConcurrency: number;
}

/** Records changed at once by `updateMany` and `deleteMany`. */
const writeConcurrency = 8;

/** What a scanning provider can do: vector search by scan, and nothing native. */
export const scanProviderCapabilities: ProviderCapabilities = Object.freeze({
  nativeTtl: false,
  transactions: false,
  vectorSearch: true,
  watch: false,
  indexes: false,
  nativeFilters: false,
});

/**
 * A `StorageProvider` over per-record storage that answers queries by scanning. Subclasses
 * pass their record source and implement the atomic hooks (`updateLive`, `deleteLive`), `run`
 * (state checks and error translation around every operation) and the writes, drops, listing,
 * health and close of their backend.
 */
export abstract class ScanStorageProvider implements StorageProvider {
  readonly name: string;
  readonly database: string;
  readonly capabilities = scanProviderCapabilities;
  readonly #root: ScanProviderRoot;
  readonly #records: LiveRecordSource;
  readonly #readConcurrency: number;

  constructor(settings: ScanProviderSettings) {
    this.name = settings.name;
    this.database = settings.database;
    this.#root = settings.root;
    this.#records = settings.records;
    this.#readConcurrency = settings.readConcurrency;
  }

  /**
   * Runs one operation: refuses it once closed, and turns backend failures into AgentVault
   * errors. `action` names it in messages ("read a record").
   */
  protected abstract run<T>(action: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Atomically applies `change` to the live record of `key` and returns the new record, or null
   * when there is none or it fails the check.
   */
  protected abstract updateLive(
    collection: string,
    key: string,
    change: RecordChange,
  ): Promise<StoredRecord | null>;
  /** Atomically deletes the live record of `key` if it passes `check`; whether it did. */
  protected abstract deleteLive(
    collection: string,
    key: string,
    check: RecordCheck,
  ): Promise<boolean>;

  abstract withDatabase(database: string): StorageProvider;
  abstract put(collection: string, record: StoredRecord, options?: PutOptions): Promise<void>;
  abstract putMany(collection: string, records: readonly StoredRecord[]): Promise<void>;
  abstract delete(collection: string, key: string): Promise<boolean>;
  abstract update(
    collection: string,
    key: string,
    changes: RecordUpdate,
  ): Promise<StoredRecord | null>;
  abstract dropCollection(collection: string): Promise<number>;
  abstract listCollections(): Promise<string[]>;
  abstract dropDatabase(): Promise<void>;
  abstract health(): Promise<HealthStatus>;
  abstract close(): Promise<void>;

  get(collection: string, key: string): Promise<StoredRecord | null> {
    return this.run(
      "read a record",
      async () => (await this.#records.readLive(collection, key)) ?? null,
    );
  }

  getMany(collection: string, keys: readonly string[]): Promise<(StoredRecord | null)[]> {
    return this.run("read records", () =>
      mapWithConcurrency(
        keys,
        this.#readConcurrency,
        async (key) => (await this.#records.readLive(collection, key)) ?? null,
      ),
    );
  }

  find(collection: string, query: FindQuery): Promise<StoredRecord[]> {
    return this.run("query a collection", async () =>
      findInMemory(await this.#records.scanLive(collection), query, this.#root.now()),
    );
  }

  count(collection: string, filter: FilterNode): Promise<number> {
    return this.run("count a collection", async () =>
      countInMemory(await this.#records.scanLive(collection), filter, this.#root.now()),
    );
  }

  /**
   * Updates every matching record, each atomically; not atomic as a whole. Every update is
   * computed (so validated) before the first is written, and each record is checked against
   * the filter again when it is rewritten, so concurrent writers are respected.
   */
  updateMany(collection: string, filter: FilterNode, changes: RecordUpdate): Promise<number> {
    return this.run("update records", async () => {
      const now = this.#root.now();
      const matches = findInMemory(await this.#records.scanLive(collection), { filter }, now);
      for (const record of matches) applyRecordUpdate(record, changes, now);
      const check = compileRecordFilter(filter);
      const updated = await mapWithConcurrency(matches, writeConcurrency, (record) =>
        this.updateLive(collection, record.key, { changes, check }),
      );
      return updated.filter((record) => record !== null).length;
    });
  }

  /** Deletes every matching record, each checked against the filter again under its guard. */
  deleteMany(collection: string, filter: FilterNode): Promise<number> {
    return this.run("delete records", async () => {
      const now = this.#root.now();
      const matches = findInMemory(await this.#records.scanLive(collection), { filter }, now);
      const check = compileRecordFilter(filter);
      const deleted = await mapWithConcurrency(matches, writeConcurrency, (record) =>
        this.deleteLive(collection, record.key, check),
      );
      return deleted.filter(Boolean).length;
    });
  }

  /**
   * Refuses incoming vectors whose dimension differs from the collection's (fixed by the first
   * stored vector). Reads the collection, which scanning providers accept for every query too.
   */
  protected async checkVectorDimensions(
    collection: string,
    incoming: readonly StoredRecord[],
  ): Promise<void> {
    if (!incoming.some((record) => record.vector !== undefined)) return;
    const stored = await this.#records.scanLive(collection);
    checkRecordDimensions(stored, incoming, { source: this.name, collection });
  }

  /** Always false: there are no indexes, and every query is a scan. */
  async ensureIndexes(): Promise<boolean> {
    return false;
  }

  search(collection: string, query: VectorQuery): Promise<VectorHit[]> {
    return this.run("search a collection", async () =>
      searchInMemory(await this.#records.scanLive(collection), query, {
        metric: this.#root.vectorMetrics[collection] ?? this.#root.vectorMetric,
        now: this.#root.now(),
        source: this.name,
        collection,
      }),
    );
  }

  /**
   * The collection names behind `entries` (a listing of the database's folder or prefix) that
   * hold at least one live record, sorted. `nameOf` maps an entry to its collection name, or to
   * undefined for entries that are not collections.
   */
  protected async liveCollectionNames(
    entries: readonly string[],
    options: {
      readonly concurrency: number;
      readonly nameOf: (entry: string) => Promise<string | undefined>;
    },
  ): Promise<string[]> {
    const names = await mapWithConcurrency(entries, options.concurrency, async (entry) => {
      const name = await options.nameOf(entry);
      if (name === undefined) return undefined;
      return (await this.#records.scanLive(name)).length > 0 ? name : undefined;
    });
    return names.filter((name): name is string => name !== undefined).sort();
  }
}
