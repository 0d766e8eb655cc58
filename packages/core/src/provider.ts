/**
 * The storage provider contract: the small, record-level interface every backend implements.
 *
 * A provider instance is bound to one *database* (a tenant's isolation unit). `withDatabase`
 * returns a sibling bound to another database that shares the connection, so the server can
 * give each tenant its own scope from one configured provider.
 *
 * Records are envelopes: `{ key, value, metadata, expiresAt, vector }`. Filters, sorts,
 * projections and updates reach a provider already parsed, with paths rooted in the *record
 * view* (see `RecordView`): `_id` is the key, `value.<path>` a field of the stored value and
 * `metadata.<path>` a field of the metadata. The Vault and DataManager rewrite user paths into
 * this view, so every provider compiles one shape only.
 */

import type { FilterNode, ProjectionSpec, SortSpec, UpdateSpec, Value } from "@agentvault/query";

/** One stored record. */
export interface StoredRecord {
  /** The record's key, unique within its collection. Any printable string up to 1,024 chars. */
  readonly key: string;
  /** The stored value: a document for Vault collections, any value for the data manager. */
  readonly value: Value;
  /** Free-form, queryable metadata. */
  readonly metadata?: { readonly [field: string]: Value } | undefined;
  /** Expiry as epoch milliseconds; the record is never returned at or after this time. */
  readonly expiresAt?: number | undefined;
  /** An embedding stored with the record, for `search`. */
  readonly vector?: readonly number[] | undefined;
  /** Epoch milliseconds of the first write; set by the provider when absent. */
  readonly createdAt?: number | undefined;
  /** Epoch milliseconds of the last write; set by the provider. */
  readonly updatedAt?: number | undefined;
}

/**
 * The shape filters are evaluated against: `{ _id: key, value, metadata }`. A provider that
 * evaluates in memory builds this view with `recordView()`.
 */
export interface RecordView {
  readonly _id: string;
  readonly value: Value;
  readonly metadata: { readonly [field: string]: Value };
}

/** A parsed query for `find`. */
export interface FindQuery {
  /** Parsed filter over the record view. An `and` with no children matches everything. */
  readonly filter: FilterNode;
  readonly sort?: SortSpec | undefined;
  /**
   * Parsed projection over the record view. Providers may ignore it and return whole records;
   * the core applies it afterwards either way.
   */
  readonly projection?: ProjectionSpec | undefined;
  readonly skip?: number | undefined;
  readonly limit?: number | undefined;
  /**
   * True when the caller reads only each record's `key` and `value` (the Vault's documents):
   * providers may then leave metadata, expiry, vector and times out of what they return, to
   * read less. Which records match, and their order, never change.
   * @default false
   */
  readonly keysAndValuesOnly?: boolean | undefined;
}

/** What `put` should do when the key already exists. */
export interface PutOptions {
  /** Fail with `ConflictError` instead of overwriting. @default false */
  readonly ifAbsent?: boolean | undefined;
}

/** One vector similarity query. */
export interface VectorQuery {
  readonly vector: readonly number[];
  /** @default 10 */
  readonly limit?: number | undefined;
  /** Parsed filter over the record view, applied before ranking. */
  readonly filter?: FilterNode | undefined;
  /** Drop results scoring below this. */
  readonly minScore?: number | undefined;
}

/** One vector search hit. Higher scores are better for every metric. */
export interface VectorHit {
  readonly record: StoredRecord;
  readonly score: number;
}

/** Distance metric of a collection's vectors. */
export type VectorMetric = "cosine" | "dot" | "euclidean";

/** An index declaration (from a manifest or `ensureIndexes`). Paths are record-view paths. */
export interface IndexSpec {
  /** Record-view paths, for example `["value.timestamp"]`, in order. */
  readonly fields: readonly string[];
  /** @default "ascending" */
  readonly type?: "ascending" | "descending" | "compound" | "unique" | "text" | undefined;
  /** A name for the index; providers derive one when absent. */
  readonly name?: string | undefined;
}

/** Provider health, as reported by `health()`. */
export interface HealthStatus {
  readonly ok: boolean;
  /** Round-trip time of the check in milliseconds. */
  readonly latencyMs?: number | undefined;
  /** A short reason when not ok; never contains credentials. */
  readonly message?: string | undefined;
}

/** What a provider can do natively. The core fills the gaps so results never differ. */
export interface ProviderCapabilities {
  /** Expiry enforced by the backend itself (otherwise the core filters and sweeps). */
  readonly nativeTtl: boolean;
  /** `transaction()` gives real atomicity. */
  readonly transactions: boolean;
  /** `search()` is implemented. */
  readonly vectorSearch: boolean;
  /** Change notifications are available. */
  readonly watch: boolean;
  /** `ensureIndexes()` creates real backend indexes. */
  readonly indexes: boolean;
  /** Filters run natively, in whole or part (otherwise: scan and evaluate in memory). */
  readonly nativeFilters: boolean;
}

/**
 * The contract. All methods are scoped to this instance's database. Collection names are
 * validated by the core before they arrive (1-120 chars of `[A-Za-z0-9_.-]`, not starting
 * with `.`, `_av` prefix reserved).
 *
 * Rules every implementation keeps:
 * - never return a record whose `expiresAt` has passed;
 * - `update` is atomic per record: concurrent updates of one key never lose a write;
 * - values round-trip exactly (Dates, binary, unicode, 1 MB values);
 * - filters are compiled from the AST with bound parameters only, never by string pasting;
 * - connection failures surface as `ProviderUnavailableError` within the configured timeout.
 */
export interface StorageProvider {
  /** Short provider name used in error messages, for example `sqlite`. */
  readonly name: string;
  /** The database this instance is bound to. */
  readonly database: string;
  readonly capabilities: ProviderCapabilities;

  /** A sibling provider bound to another database, sharing connections. */
  withDatabase(database: string): StorageProvider;

  get(collection: string, key: string): Promise<StoredRecord | null>;
  getMany(collection: string, keys: readonly string[]): Promise<(StoredRecord | null)[]>;
  put(collection: string, record: StoredRecord, options?: PutOptions): Promise<void>;
  /** Writes all records or none. */
  putMany(collection: string, records: readonly StoredRecord[]): Promise<void>;
  delete(collection: string, key: string): Promise<boolean>;

  find(collection: string, query: FindQuery): Promise<StoredRecord[]>;
  count(collection: string, filter: FilterNode): Promise<number>;
  /**
   * Applies a parsed update to the record's `value` atomically and returns the new record, or
   * null when the key does not exist (or has expired). `changes` may also replace `metadata`,
   * `expiresAt` or `vector`.
   */
  update(collection: string, key: string, changes: RecordUpdate): Promise<StoredRecord | null>;
  /** Applies `changes` to every matching record; returns how many changed. */
  updateMany(collection: string, filter: FilterNode, changes: RecordUpdate): Promise<number>;
  deleteMany(collection: string, filter: FilterNode): Promise<number>;
  /** Removes every record of the collection and the collection itself; returns how many. */
  dropCollection(collection: string): Promise<number>;
  /** Collections of this database holding at least one record, sorted. */
  listCollections(): Promise<string[]>;

  /** Creates backend indexes; a no-op returning false where the backend has none. */
  ensureIndexes?(collection: string, indexes: readonly IndexSpec[]): Promise<boolean>;
  /** Similarity search; present when `capabilities.vectorSearch`. */
  search?(collection: string, query: VectorQuery): Promise<VectorHit[]>;
  /**
   * Runs `fn` atomically against a provider bound to the transaction. Present when
   * `capabilities.transactions`. A throw rolls everything back.
   */
  transaction?<T>(fn: (tx: StorageProvider) => Promise<T>): Promise<T>;
  /** Deletes every collection of this database. */
  dropDatabase(): Promise<void>;
  /**
   * Calls `listener` after each write to `collection` by any process sharing the backend (the
   * Redis change feed, for example). Resolves once subscribed, to a function that unsubscribes.
   * Present when `capabilities.watch`. Events published while a subscriber was disconnected may
   * be lost, so consumers (such as `cached`) still bound staleness in another way.
   */
  watch?(collection: string, listener: ChangeListener): Promise<() => Promise<void>>;

  health(): Promise<HealthStatus>;
  /** Releases connections. Idempotent. Siblings from `withDatabase` share one close. */
  close(): Promise<void>;
}

/** The change `update`/`updateMany` make to a record. */
export interface RecordUpdate {
  /** A parsed update applied to `value` (with `applyUpdate` from `@agentvault/query`). */
  readonly value?: UpdateSpec | undefined;
  /** Replaces metadata when present. */
  readonly metadata?: { readonly [field: string]: Value } | undefined;
  /** Sets (number) or clears (null) the expiry when present. */
  readonly expiresAt?: number | null | undefined;
  /** Sets (array) or clears (null) the vector when present. */
  readonly vector?: readonly number[] | null | undefined;
}

/** One change to a collection, as delivered by `watch` after the write. */
export interface ChangeEvent {
  /** `put` (store or replace), `update`, `delete`, or `clear` (the whole collection dropped). */
  readonly type: "put" | "update" | "delete" | "clear";
  readonly collection: string;
  /** The record's key; absent for `clear`. */
  readonly key?: string | undefined;
}

/** Receives change events from `watch`. Exceptions it throws are ignored. */
export type ChangeListener = (event: ChangeEvent) => void;
