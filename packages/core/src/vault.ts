/**
 * `createVault`: the collection API over any `StorageProvider`. The Vault validates every input,
 * rewrites document paths into the record view, and turns records back into documents that
 * carry their key as `_id`.
 */

import { compileProjection, type Document, type Value } from "@agentvault/query";
import { type Clock, systemClock } from "./clock.js";
import { createCollection } from "./collection.js";
import { ProviderUnavailableError, UnsupportedCapabilityError, ValidationError } from "./errors.js";
import { exportRecords, importRecords } from "./export-import.js";
import { openKeyValueStore } from "./key-value-store.js";
import type { KeyValueOpenOptions, KeyValueStore } from "./key-value-types.js";
import { generateKey } from "./keys.js";
import { logged } from "./logged-provider.js";
import { deliverOperation, type OperationRecord, type OperationSink } from "./operation-record.js";
import type { StorageProvider } from "./provider.js";
import { fromRecord } from "./record-view.js";
import {
  defaultMaxValueBytes,
  validateCollectionName,
  validateDocument,
  validateKey,
  validateVector,
} from "./validation.js";
import {
  checkCount,
  expiryFromTtl,
  matchAll,
  parseQueryOptions,
  parseUserUpdate,
  toProviderFilter,
} from "./vault-inputs.js";
import type {
  Collection,
  Filter,
  QueryOptions,
  SearchHit,
  SearchOptions,
  StoredDocument,
  StoreOptions,
  UpdateInput,
  Vault,
} from "./vault-types.js";

/** Options for `createVault`. */
export interface VaultOptions {
  /** Where records are kept, for example `memoryProvider()` or `sqliteProvider()`. */
  readonly provider: StorageProvider;
  /**
   * The clock used to compute expiry times from `ttl`. The provider's own clock decides when a
   * record has expired, so tests that move time should give both the same clock.
   * @default systemClock (Date.now)
   */
  readonly now?: Clock | undefined;
  /** Largest accepted document (and metadata) size in bytes of its JSON form. @default 16 MiB */
  readonly maxValueBytes?: number | undefined;
}

/** The events a vault emits, with the payload each listener receives. */
export interface VaultEvents {
  /** One provider call, reported once it ends (see `OperationRecord`; values never appear). */
  readonly operation: OperationRecord;
}

/** A `Vault` running in this process over a provider, with operation hooks. */
export interface EmbeddedVault extends Vault {
  /**
   * Calls `listener` for every event of kind `event` until the returned function is called.
   * Listeners run synchronously after each provider call; what they throw is ignored.
   *
   * @example
   * const stop = vault.on("operation", (record) => audit.write(record));
   */
  on<E extends keyof VaultEvents>(
    event: E,
    listener: (payload: VaultEvents[E]) => void,
  ): () => void;
}

const source = "vault";

/**
 * Whether `vault` runs in this process over a provider (`createVault`, `openVault` on a storage
 * URL), so it has `on(...)`; false for a hosted-server client.
 *
 * @example
 * const vault = await openVault(process.env.VAULT_URL);
 * if (isEmbeddedVault(vault)) vault.on("operation", (record) => audit.write(record));
 */
export function isEmbeddedVault(vault: Vault): vault is EmbeddedVault {
  return typeof (vault as Partial<EmbeddedVault>).on === "function";
}

/** The operation listeners of a vault and of the transactions it runs. */
interface OperationHooks {
  readonly listeners: Set<OperationSink>;
}

/** How a vault reaches its provider: directly, or through `logged` while someone listens. */
class HookedProvider {
  readonly provider: StorageProvider;
  readonly hooks: OperationHooks;
  /** Set for a transaction's provider whose parent was already reporting its calls. */
  readonly #reported: boolean;
  #logged: StorageProvider | undefined;

  constructor(provider: StorageProvider, hooks: OperationHooks, reported: boolean) {
    this.provider = provider;
    this.hooks = hooks;
    this.#reported = reported;
  }

  current(): StorageProvider {
    if (this.#reported || this.hooks.listeners.size === 0) return this.provider;
    const listeners = this.hooks.listeners;
    this.#logged ??= logged(this.provider, (record) => {
      for (const listener of [...listeners]) deliverOperation(listener, record);
    });
    return this.#logged;
  }
}

class ProviderVault implements EmbeddedVault {
  readonly #provider: StorageProvider;
  readonly #hooked: HookedProvider;
  readonly #now: Clock;
  readonly #limits: { readonly maxValueBytes: number; readonly source: string };
  readonly #inTransaction: boolean;
  #closed = false;

  constructor(options: VaultOptions, hooked: HookedProvider | undefined) {
    this.#provider = options.provider;
    this.#hooked = hooked ?? new HookedProvider(options.provider, { listeners: new Set() }, false);
    this.#now = options.now ?? systemClock;
    this.#limits = { maxValueBytes: options.maxValueBytes ?? defaultMaxValueBytes, source };
    this.#inTransaction = hooked !== undefined;
  }

  #open(): StorageProvider {
    if (this.#closed) throw new ProviderUnavailableError("The vault is closed", { source });
    return this.#hooked.current();
  }

  on<E extends keyof VaultEvents>(
    event: E,
    listener: (payload: VaultEvents[E]) => void,
  ): () => void {
    if (event !== "operation") {
      throw new ValidationError(`Unknown vault event "${String(event)}"`, "event", { source });
    }
    if (typeof listener !== "function") {
      throw new ValidationError("A listener must be a function", "listener", { source });
    }
    // Each registration unsubscribes alone, even when one function is registered twice.
    const registration: OperationSink = (record) => listener(record);
    const listeners = this.#hooked.hooks.listeners;
    listeners.add(registration);
    return () => {
      listeners.delete(registration);
    };
  }

  async store(collection: string, doc: object, options?: StoreOptions): Promise<string> {
    const provider = this.#open();
    const name = validateCollectionName(collection, { source });
    let body = doc as { readonly [field: string]: unknown };
    let documentId: unknown;
    if (body !== null && typeof body === "object" && Object.hasOwn(body, "_id")) {
      const { _id, ...rest } = body;
      documentId = _id;
      body = rest;
    }
    const value = validateDocument(body, this.#limits);
    const { key: optionKey, ttl, metadata: optionMetadata, vector: optionVector } = options ?? {};
    let key: string;
    if (optionKey !== undefined) key = validateKey(optionKey, { source });
    else if (typeof documentId === "string") key = validateKey(documentId, { source });
    else if (documentId !== undefined) {
      throw new ValidationError("_id must be a string (it becomes the record's key)", "_id", {
        source,
      });
    } else key = generateKey(name);
    const metadata =
      optionMetadata === undefined
        ? undefined
        : validateDocument(optionMetadata, { ...this.#limits, path: "metadata" });
    const vector = optionVector === undefined ? undefined : validateVector(optionVector);
    const expiresAt = expiryFromTtl(ttl, this.#now());
    await provider.put(name, { key, value, metadata, expiresAt, vector });
    return key;
  }

  retrieve(collection: string, key: string): Promise<StoredDocument | null>;
  retrieve(collection: string): Promise<StoredDocument[]>;
  async retrieve(
    collection: string,
    key?: string,
  ): Promise<StoredDocument | null | StoredDocument[]> {
    const provider = this.#open();
    const name = validateCollectionName(collection, { source });
    if (key === undefined) {
      const records = await provider.find(name, { filter: matchAll, keysAndValuesOnly: true });
      return records.map(fromRecord);
    }
    const record = await provider.get(name, validateKey(key, { source }));
    return record === null ? null : fromRecord(record);
  }

  async query(
    collection: string,
    filter?: Filter,
    options?: QueryOptions,
  ): Promise<StoredDocument[]> {
    const provider = this.#open();
    const name = validateCollectionName(collection, { source });
    const parsed = parseQueryOptions(options);
    const recordFilter = toProviderFilter(filter);
    if (parsed.limit === 0) return [];
    const records = await provider.find(name, {
      filter: recordFilter,
      sort: parsed.sort,
      skip: parsed.skip,
      limit: parsed.limit,
      keysAndValuesOnly: true,
    });
    const docs = records.map(fromRecord);
    if (parsed.projection === undefined) return docs;
    const project = compileProjection(parsed.projection);
    return docs.map((doc) => project(doc) as StoredDocument);
  }

  async update(collection: string, key: string, patch: UpdateInput): Promise<boolean> {
    const provider = this.#open();
    const name = validateCollectionName(collection, { source });
    const checkedKey = validateKey(key, { source });
    const value = parseUserUpdate(patch, checkedKey, this.#limits);
    return (await provider.update(name, checkedKey, { value })) !== null;
  }

  async updateMany(collection: string, filter: Filter, update: UpdateInput): Promise<number> {
    const provider = this.#open();
    const name = validateCollectionName(collection, { source });
    const recordFilter = toProviderFilter(filter);
    const value = parseUserUpdate(update, undefined, this.#limits);
    return provider.updateMany(name, recordFilter, { value });
  }

  async delete(collection: string, key: string): Promise<boolean> {
    const provider = this.#open();
    const name = validateCollectionName(collection, { source });
    return provider.delete(name, validateKey(key, { source }));
  }

  async deleteMany(collection: string, filter: Filter): Promise<number> {
    const provider = this.#open();
    const name = validateCollectionName(collection, { source });
    return provider.deleteMany(name, toProviderFilter(filter));
  }

  async clear(collection: string): Promise<number> {
    const provider = this.#open();
    return provider.dropCollection(validateCollectionName(collection, { source }));
  }

  async count(collection: string, filter?: Filter): Promise<number> {
    const provider = this.#open();
    const name = validateCollectionName(collection, { source });
    return provider.count(name, toProviderFilter(filter));
  }

  async listCollections(): Promise<string[]> {
    const names = await this.#open().listCollections();
    return names.filter((name) => !name.startsWith("_av"));
  }

  async search(collection: string, options: SearchOptions): Promise<SearchHit[]> {
    const provider = this.#open();
    const name = validateCollectionName(collection, { source });
    if (options === null || typeof options !== "object") {
      throw new ValidationError("search needs an options object with a vector", "options", {
        source,
      });
    }
    const vector = validateVector(options.vector);
    const limit = checkCount(options.limit, "limit");
    const minScore = options.minScore;
    if (minScore !== undefined && (typeof minScore !== "number" || !Number.isFinite(minScore))) {
      throw new ValidationError("minScore must be a finite number", "minScore", { source });
    }
    const filter = options.filter === undefined ? undefined : toProviderFilter(options.filter);
    if (provider.search === undefined || !provider.capabilities.vectorSearch) {
      throw new UnsupportedCapabilityError(
        "vectorSearch",
        `The ${provider.name} provider does not support vector search`,
        { source },
      );
    }
    if (limit === 0) return [];
    const hits = await provider.search(name, { vector, limit, filter, minScore });
    return hits.map((hit) => ({ doc: fromRecord(hit.record), score: hit.score }));
  }

  collection<T extends object = Document>(name: string): Collection<T> {
    return createCollection<T>(this, validateCollectionName(name, { source }));
  }

  async kv<V extends Value = Value>(
    name: string,
    options?: KeyValueOpenOptions,
  ): Promise<KeyValueStore<V>> {
    return openKeyValueStore<V>(this.#open(), name, { ...options, clock: this.#now });
  }

  async transaction<T>(fn: (tx: Vault) => Promise<T>): Promise<T> {
    const provider = this.#open();
    if (provider.transaction === undefined || !provider.capabilities.transactions) {
      throw new UnsupportedCapabilityError(
        "transactions",
        `The ${provider.name} provider does not support transactions`,
        { source },
      );
    }
    const reported = provider !== this.#hooked.provider;
    return provider.transaction((tx) =>
      fn(
        new ProviderVault(
          { provider: tx, now: this.#now, maxValueBytes: this.#limits.maxValueBytes },
          new HookedProvider(tx, this.#hooked.hooks, reported),
        ),
      ),
    );
  }

  export(): AsyncIterable<string> {
    return exportRecords(this.#open(), { now: this.#now });
  }

  async import(lines: Iterable<string> | AsyncIterable<string>): Promise<number> {
    return importRecords(this.#open(), lines, { now: this.#now });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // A transaction's vault shares its parent's provider, which the parent closes.
    if (!this.#inTransaction) await this.#provider.close();
  }
}

/**
 * Creates a Vault over a provider.
 *
 * @example
 * const vault = createVault({ provider: memoryProvider() });
 * const key = await vault.store("products", { name: "Lamp", price: 40 });
 * await vault.query("products", { price: { $lt: 50 } }, { sort: { price: 1 } });
 */
export function createVault(options: VaultOptions): EmbeddedVault {
  if (options === null || typeof options !== "object" || options.provider === undefined) {
    throw new ValidationError("createVault needs a provider", "provider", { source });
  }
  return new ProviderVault(options, undefined);
}
