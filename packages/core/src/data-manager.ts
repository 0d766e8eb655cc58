/**
 * The data manager (seed 001): named providers behind one object. Any value (not only
 * documents) is stored with queryable metadata and comes back as a `DataReference` that can be
 * passed around, turned into a URI and resolved later.
 *
 * Filters and sorts of `query`/`search` address `metadata.*`, `data` / `data.*` (the stored
 * value) and `key`; they are rewritten into the record view (`data.x` -> `value.x`, `key` ->
 * `_id`) before reaching the provider.
 */

import {
  FilterValidationError,
  parseFilter,
  parseSort,
  type SortInput,
  type Value,
} from "@agentvault/query";
import { CompensationLog, TransactionRolledBackError } from "./best-effort-transaction.js";
import { type Clock, systemClock } from "./clock.js";
import {
  type ConfigureFromEnvOptions,
  configureFromEnv as configureRegistryFromEnv,
} from "./configure-from-env.js";
import {
  type DataLocation,
  type DataReference,
  toDataLocation,
  toDataReferenceUri,
} from "./data-reference.js";
import {
  ConflictError,
  ProviderNotRegisteredError,
  UnsupportedCapabilityError,
  ValidationError,
} from "./errors.js";
import { generateKey } from "./keys.js";
import type { HealthStatus, StorageProvider, StoredRecord } from "./provider.js";
import { checkProviderHealth } from "./provider-health.js";
import { isExpired, prefixFilterPaths, toRecordSort } from "./record-view.js";
import {
  validateCollectionName,
  validateDocument,
  validateKey,
  validateValue,
  validateVector,
} from "./validation.js";
import type { Filter } from "./vault-types.js";

const source = "data-manager";

/** Options for `createDataManager`. */
export interface DataManagerOptions {
  /** Time source for TTLs. @default systemClock */
  readonly clock?: Clock | undefined;
  /** How long `health()` waits for each provider before reporting it unhealthy. @default 2000 */
  readonly healthTimeoutMs?: number | undefined;
}

/** Options for `store`. */
export interface DataStoreOptions {
  /** The registered provider name. */
  readonly provider: string;
  /** The key; generated from the collection name when absent (`data_…`). An existing key is overwritten. */
  readonly key?: string | undefined;
  /** Queryable metadata (`metadata.<field>` in filters). @default {} */
  readonly metadata?: { readonly [field: string]: Value } | undefined;
  /** @default "data" */
  readonly collection?: string | undefined;
  /** Time to live in seconds. */
  readonly ttl?: number | undefined;
  /** An embedding, for `search`. */
  readonly vector?: readonly number[] | undefined;
}

/** Options for `retrieveByKey` and `deleteByKey`. */
export interface DataKeyOptions {
  /** @default "data" */
  readonly collection?: string | undefined;
}

/** Options for `query`. */
export interface DataQueryOptions {
  /** At most this many results (0 returns none). @default 100 */
  readonly limit?: number | undefined;
  /** @default 0 */
  readonly skip?: number | undefined;
  /** @default "data" */
  readonly collection?: string | undefined;
  /** Over `metadata.*`, `data.*` and `key`, for example `{ "metadata.timestamp": -1 }`. */
  readonly sort?: SortInput | undefined;
}

/** Options for `search`. */
export interface DataSearchOptions {
  /** @default 10 */
  readonly limit?: number | undefined;
  /** Applied before ranking; paths as in `query`. */
  readonly filter?: Filter | undefined;
  /** @default "data" */
  readonly collection?: string | undefined;
  /** Drop hits scoring below this. */
  readonly minScore?: number | undefined;
}

/** One `query` result. */
export interface DataQueryResult {
  readonly data: Value;
  readonly reference: DataReference;
}

/** One `search` result; higher scores are closer. */
export interface DataSearchResult extends DataQueryResult {
  readonly score: number;
}

/** The calls available inside `dataManager.transaction`. */
export type DataTransaction = Pick<
  DataManager,
  "store" | "retrieve" | "retrieveByKey" | "delete" | "deleteByKey" | "query"
>;

/** Options for `dataManager.transaction`. */
export interface DataTransactionOptions {
  /**
   * - `"atomic"`: all or nothing, on the one provider named by `provider`, which must support
   *   transactions (SQLite, PostgreSQL, memory, MongoDB replica sets).
   * - `"best-effort"`: any providers; each write records how to undo it, and a throw undoes
   *   them in reverse order, then rejects with `TransactionRolledBackError` whose `report` says
   *   what was undone and what could not be. Other writers see the changes meanwhile.
   * @default "atomic"
   */
  readonly mode?: "atomic" | "best-effort" | undefined;
  /** The registered provider an atomic transaction runs on. Required for `"atomic"`. */
  readonly provider?: string | undefined;
}

/** Named providers behind one API. Create with `createDataManager()` or share `getDataManager()`. */
export interface DataManager {
  /** Registers `provider` as `name` (letters, digits, `_ . -`). A taken name is a `ConflictError`. */
  registerProvider(name: string, provider: StorageProvider): void;
  /** Forgets a provider (without closing it); returns whether it was registered. */
  unregisterProvider(name: string): boolean;
  /** Registered names, in registration order. */
  providers(): string[];
  /** The provider registered as `name`; `ProviderNotRegisteredError` otherwise. */
  getProvider(name: string): StorageProvider;
  store(data: Value, options: DataStoreOptions): Promise<DataReference>;
  /** The stored value, or null when it is gone or expired. */
  retrieve(reference: DataLocation | string): Promise<Value | null>;
  retrieveByKey(provider: string, key: string, options?: DataKeyOptions): Promise<Value | null>;
  /** Returns whether something was deleted. */
  delete(reference: DataLocation | string): Promise<boolean>;
  deleteByKey(provider: string, key: string, options?: DataKeyOptions): Promise<boolean>;
  query(provider: string, filter: Filter, options?: DataQueryOptions): Promise<DataQueryResult[]>;
  search(
    provider: string,
    vector: readonly number[],
    options?: DataSearchOptions,
  ): Promise<DataSearchResult[]>;
  /** Checks every provider in parallel; never throws. */
  health(): Promise<Record<string, HealthStatus>>;
  /** Registers the providers configured by environment variables; returns their names. */
  configureFromEnv(options?: ConfigureFromEnvOptions): Promise<string[]>;
  /**
   * Runs `fn` as one transaction (see `DataTransactionOptions` for the two modes) and returns
   * what it returns.
   *
   * @throws UnsupportedCapabilityError when an atomic transaction's provider has none.
   * @throws TransactionRolledBackError when a best-effort transaction's `fn` throws.
   * @example
   * await manager.transaction(async (tx) => {
   *   await tx.store(order, { provider: "postgres" });
   *   await tx.store(receipt, { provider: "s3" });
   * }, { mode: "best-effort" });
   */
  transaction<T>(
    fn: (tx: DataTransaction) => Promise<T>,
    options?: DataTransactionOptions,
  ): Promise<T>;
  /** Closes and unregisters every provider. */
  close(): Promise<void>;
}

const providerNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const allowedRoots = "metadata.*, data, data.* or key";

/** Filter and sort paths of the data manager -> record-view paths. */
function dataPathToRecordPath(segments: readonly string[]): readonly string[] {
  const [root, ...rest] = segments;
  if (root === "data") return ["value", ...rest];
  if (root === "metadata") return segments;
  if (root === "key" && rest.length === 0) return ["_id"];
  throw new FilterValidationError(
    `Data manager filters address ${allowedRoots}; "${segments.join(".")}" is none of them`,
    segments.join("."),
    { source },
  );
}

function checkCount(value: number | undefined, name: string, fallback: number, minimum: number) {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new ValidationError(`${name} must be an integer of at least ${minimum}`, name, {
      source,
    });
  }
  return value;
}

class ProviderDataManager implements DataManager {
  readonly #providers = new Map<string, StorageProvider>();
  readonly #clock: Clock;
  readonly #healthTimeoutMs: number;

  constructor(options: DataManagerOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#healthTimeoutMs = checkCount(options.healthTimeoutMs, "healthTimeoutMs", 2000, 1);
  }

  registerProvider(name: string, provider: StorageProvider): void {
    if (typeof name !== "string" || !providerNamePattern.test(name)) {
      throw new ValidationError(
        "Provider names are 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit",
        "name",
        { source },
      );
    }
    if (typeof provider?.get !== "function" || typeof provider.put !== "function") {
      throw new ValidationError("registerProvider needs a StorageProvider", "provider", { source });
    }
    const existing = this.#providers.get(name);
    if (existing === provider) return;
    if (existing !== undefined) {
      throw new ConflictError(`Provider "${name}" is already registered; unregister it first`, {
        source,
      });
    }
    this.#providers.set(name, provider);
  }

  unregisterProvider(name: string): boolean {
    return this.#providers.delete(name);
  }

  providers(): string[] {
    return [...this.#providers.keys()];
  }

  getProvider(name: string): StorageProvider {
    const provider = this.#providers.get(name);
    if (provider === undefined) {
      throw new ProviderNotRegisteredError(String(name), this.providers(), { source });
    }
    return provider;
  }

  #reference(provider: string, collection: string, record: StoredRecord): DataReference {
    const location = { provider, collection, key: record.key };
    return {
      ...location,
      metadata: record.metadata ?? {},
      ...(record.expiresAt === undefined ? {} : { expiresAt: record.expiresAt }),
      uri: toDataReferenceUri(location),
    };
  }

  async store(data: Value, options: DataStoreOptions): Promise<DataReference> {
    if (typeof options !== "object" || options === null) {
      throw new ValidationError("store needs options naming the provider", "options", { source });
    }
    const provider = this.getProvider(options.provider);
    const collection = validateCollectionName(options.collection ?? "data", { source });
    const key =
      options.key === undefined ? generateKey(collection) : validateKey(options.key, { source });
    const ttl = options.ttl;
    if (ttl !== undefined && (typeof ttl !== "number" || !Number.isFinite(ttl) || ttl <= 0)) {
      throw new ValidationError("ttl must be a positive number of seconds", "ttl", { source });
    }
    const record: StoredRecord = {
      key,
      value: validateValue(data, { source, path: "data" }),
      metadata: validateDocument(options.metadata ?? {}, { source, path: "metadata" }),
      expiresAt: ttl === undefined ? undefined : this.#clock() + ttl * 1000,
      vector: options.vector === undefined ? undefined : validateVector(options.vector, { source }),
    };
    await provider.put(collection, record);
    return this.#reference(options.provider, collection, record);
  }

  async #get(location: DataLocation): Promise<StoredRecord | null> {
    const provider = this.getProvider(location.provider);
    const collection = validateCollectionName(location.collection, { source });
    const record = await provider.get(collection, validateKey(location.key, { source }));
    return record === null || isExpired(record, this.#clock()) ? null : record;
  }

  async retrieve(reference: DataLocation | string): Promise<Value | null> {
    const record = await this.#get(toDataLocation(reference));
    return record === null ? null : record.value;
  }

  retrieveByKey(provider: string, key: string, options: DataKeyOptions = {}) {
    return this.retrieve({ provider, key, collection: options.collection ?? "data" });
  }

  async delete(reference: DataLocation | string): Promise<boolean> {
    const location = toDataLocation(reference);
    const provider = this.getProvider(location.provider);
    const collection = validateCollectionName(location.collection, { source });
    return provider.delete(collection, validateKey(location.key, { source }));
  }

  deleteByKey(provider: string, key: string, options: DataKeyOptions = {}) {
    return this.delete({ provider, key, collection: options.collection ?? "data" });
  }

  async query(
    name: string,
    filter: Filter,
    options: DataQueryOptions = {},
  ): Promise<DataQueryResult[]> {
    const provider = this.getProvider(name);
    const collection = validateCollectionName(options.collection ?? "data", { source });
    const query = {
      filter: prefixFilterPaths(parseFilter(filter), dataPathToRecordPath),
      sort:
        options.sort === undefined
          ? undefined
          : toRecordSort(parseSort(options.sort), dataPathToRecordPath),
      limit: checkCount(options.limit, "limit", 100, 0),
      skip: checkCount(options.skip, "skip", 0, 0),
    };
    if (query.limit === 0) return [];
    const records = await provider.find(collection, query);
    const now = this.#clock();
    return records
      .filter((record) => !isExpired(record, now))
      .map((record) => ({
        data: record.value,
        reference: this.#reference(name, collection, record),
      }));
  }

  async search(
    name: string,
    vector: readonly number[],
    options: DataSearchOptions = {},
  ): Promise<DataSearchResult[]> {
    const provider = this.getProvider(name);
    if (provider.search === undefined || !provider.capabilities.vectorSearch) {
      throw new UnsupportedCapabilityError(
        "vectorSearch",
        `Provider "${name}" (${provider.name}) has no vector search`,
        { source },
      );
    }
    const collection = validateCollectionName(options.collection ?? "data", { source });
    const checkedVector = validateVector(vector, { source });
    const limit = checkCount(options.limit, "limit", 10, 0);
    if (limit === 0) return [];
    const hits = await provider.search(collection, {
      vector: checkedVector,
      limit,
      filter:
        options.filter === undefined
          ? undefined
          : prefixFilterPaths(parseFilter(options.filter), dataPathToRecordPath),
      minScore: options.minScore,
    });
    const now = this.#clock();
    return hits
      .filter((hit) => !isExpired(hit.record, now))
      .map((hit) => ({
        data: hit.record.value,
        score: hit.score,
        reference: this.#reference(name, collection, hit.record),
      }));
  }

  async health(): Promise<Record<string, HealthStatus>> {
    const checks = [...this.#providers].map(
      async ([name, provider]) =>
        [name, await checkProviderHealth(provider, this.#healthTimeoutMs)] as const,
    );
    return Object.fromEntries(await Promise.all(checks));
  }

  configureFromEnv(options: ConfigureFromEnvOptions = {}): Promise<string[]> {
    return configureRegistryFromEnv(this, options);
  }

  async transaction<T>(
    fn: (tx: DataTransaction) => Promise<T>,
    options: DataTransactionOptions = {},
  ): Promise<T> {
    const mode = options.mode ?? "atomic";
    if (mode === "best-effort") return this.#bestEffort(fn);
    if (mode !== "atomic") {
      throw new ValidationError('mode must be "atomic" or "best-effort"', "mode", { source });
    }
    if (options.provider === undefined) {
      throw new ValidationError(
        'An atomic transaction runs on one provider: pass { provider }, or use { mode: "best-effort" } across providers',
        "provider",
        { source },
      );
    }
    const name = options.provider;
    const provider = this.getProvider(name);
    if (provider.transaction === undefined || !provider.capabilities.transactions) {
      throw new UnsupportedCapabilityError(
        "transactions",
        `Provider "${name}" (${provider.name}) has no transactions; use { mode: "best-effort" }`,
        { source },
      );
    }
    return provider.transaction((tx) => {
      const bound = new ProviderDataManager({
        clock: this.#clock,
        healthTimeoutMs: this.#healthTimeoutMs,
      });
      bound.registerProvider(name, tx);
      return fn(bound);
    });
  }

  async #bestEffort<T>(fn: (tx: DataTransaction) => Promise<T>): Promise<T> {
    const log = new CompensationLog(this);
    const tx: DataTransaction = {
      store: (data, options) => log.store(options, (withKey) => this.store(data, withKey)),
      delete: (reference) => log.delete(reference),
      deleteByKey: (provider, key, options = {}) =>
        log.delete({ provider, key, collection: options.collection ?? "data" }),
      retrieve: (reference) => this.retrieve(reference),
      retrieveByKey: (provider, key, options) => this.retrieveByKey(provider, key, options),
      query: (provider, filter, options) => this.query(provider, filter, options),
    };
    let result: T;
    try {
      result = await fn(tx);
    } catch (error) {
      const report = await log.rollback();
      throw new TransactionRolledBackError(report, { source, cause: error });
    }
    log.commit();
    return result;
  }

  async close(): Promise<void> {
    const providers = [...new Set(this.#providers.values())];
    this.#providers.clear();
    await Promise.allSettled(providers.map((provider) => provider.close()));
  }
}

/**
 * A new, empty data manager.
 *
 * @example
 * const manager = createDataManager();
 * manager.registerProvider("memory", memoryProvider());
 * const reference = await manager.store({ user: "alice" }, { provider: "memory", metadata: { kind: "profile" } });
 * await manager.retrieve(reference.uri); // { user: "alice" }
 */
export function createDataManager(options: DataManagerOptions = {}): DataManager {
  return new ProviderDataManager(options);
}

let defaultManager: DataManager | undefined;

/** The process-wide data manager, created on first use; agents and plugins share it. */
export function getDataManager(): DataManager {
  defaultManager ??= createDataManager();
  return defaultManager;
}
