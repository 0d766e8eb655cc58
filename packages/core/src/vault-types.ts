/**
 * The user-facing `Vault` interface. `createVault({ provider })` implements it over any
 * `StorageProvider`; `createVaultClient()` implements it over HTTP. Code written against it
 * moves between embedded and hosted storage unchanged.
 *
 * Filters, sorts, projections and updates here use *document* paths (`price`,
 * `items.0.name`, `_id`), exactly as in MongoDB. Documents are returned with their key as `_id`.
 */

import type { Document, Value } from "@agentvault/query";
import type { KeyValueOpenOptions, KeyValueStore } from "./key-value-types.js";

/** A filter in MongoDB's query language, for example `{ price: { $gte: 500 } }`. */
export type Filter = { readonly [field: string]: unknown };

/** A stored document as returned: the fields plus `_id`, the record's key. */
export type StoredDocument<T extends object = Document> = T & { _id: string };

/** Options for `store`. */
export interface StoreOptions {
  /**
   * The key. When absent, `doc._id` is used if it is a string, otherwise a key is generated
   * from the collection name (`products` -> `prod_` + 16 random URL-safe characters).
   */
  readonly key?: string | undefined;
  /** Time to live in seconds; the record is never returned after it expires. */
  readonly ttl?: number | undefined;
  /** Queryable metadata kept beside the document. */
  readonly metadata?: { readonly [field: string]: Value } | undefined;
  /** An embedding for `search`. */
  readonly vector?: readonly number[] | undefined;
}

/** Sort order: `{ price: -1, name: 1 }`; `"asc"`/`"desc"` are accepted too. */
export type SortInput = { readonly [field: string]: 1 | -1 | "asc" | "desc" };

/** Projection: `{ name: 1, price: 1 }` (inclusion) or `{ secret: 0 }` (exclusion), or a list of fields to include. */
export type ProjectionInput = { readonly [field: string]: 0 | 1 | boolean } | readonly string[];

/** Options for `query`. */
export interface QueryOptions {
  readonly sort?: SortInput | undefined;
  readonly projection?: ProjectionInput | undefined;
  /** Maximum number of documents. */
  readonly limit?: number | undefined;
  /** Number of matching documents to skip first. @default 0 */
  readonly skip?: number | undefined;
}

/** Options for `search`. */
export interface SearchOptions {
  readonly vector: readonly number[];
  /** @default 10 */
  readonly limit?: number | undefined;
  readonly filter?: Filter | undefined;
  readonly minScore?: number | undefined;
}

/** A vector search result. */
export interface SearchHit<T extends object = Document> {
  readonly doc: StoredDocument<T>;
  readonly score: number;
}

/** An update: a plain patch (fields merge) or MongoDB update operators (`$set`, `$inc`, ...). */
export type UpdateInput = { readonly [field: string]: unknown };

/** The collection methods, without the collection argument: what `vault.collection(name)` returns. */
export interface Collection<T extends object = Document> {
  readonly name: string;
  store(doc: T, options?: StoreOptions): Promise<string>;
  retrieve(key: string): Promise<StoredDocument<T> | null>;
  retrieve(): Promise<StoredDocument<T>[]>;
  query(filter?: Filter, options?: QueryOptions): Promise<StoredDocument<T>[]>;
  update(key: string, patch: UpdateInput): Promise<boolean>;
  updateMany(filter: Filter, update: UpdateInput): Promise<number>;
  delete(key: string): Promise<boolean>;
  deleteMany(filter: Filter): Promise<number>;
  clear(): Promise<number>;
  count(filter?: Filter): Promise<number>;
  search(options: SearchOptions): Promise<SearchHit<T>[]>;
}

/** The collection API. */
export interface Vault {
  store(collection: string, doc: object, options?: StoreOptions): Promise<string>;
  retrieve(collection: string, key: string): Promise<StoredDocument | null>;
  retrieve(collection: string): Promise<StoredDocument[]>;
  query(collection: string, filter?: Filter, options?: QueryOptions): Promise<StoredDocument[]>;
  /** Returns false when the key does not exist. */
  update(collection: string, key: string, patch: UpdateInput): Promise<boolean>;
  updateMany(collection: string, filter: Filter, update: UpdateInput): Promise<number>;
  delete(collection: string, key: string): Promise<boolean>;
  deleteMany(collection: string, filter: Filter): Promise<number>;
  /** Removes every document of the collection; returns how many. */
  clear(collection: string): Promise<number>;
  count(collection: string, filter?: Filter): Promise<number>;
  listCollections(): Promise<string[]>;
  search(collection: string, options: SearchOptions): Promise<SearchHit[]>;
  collection<T extends object = Document>(name: string): Collection<T>;
  /** Opens (creating unless `mustExist`) the key-value store `name`. */
  kv<V extends Value = Value>(
    name: string,
    options?: KeyValueOpenOptions,
  ): Promise<KeyValueStore<V>>;
  /** Runs `fn` atomically; throws `UnsupportedCapabilityError` where the backend cannot. */
  transaction<T>(fn: (tx: Vault) => Promise<T>): Promise<T>;
  /** Streams the whole vault as versioned JSON Lines. */
  export(): AsyncIterable<string>;
  /** Restores JSON Lines produced by `export()`; returns how many records were written. */
  import(lines: Iterable<string> | AsyncIterable<string>): Promise<number>;
  close(): Promise<void>;
}
