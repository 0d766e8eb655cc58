/**
 * What an agent declares (`StorageOptions`) and what it receives (`AgentStorage`): the storage
 * of the named providers only, limited to the declared collections and permissions.
 */

import type {
  Clock,
  Collection,
  DataKeyOptions,
  DataLocation,
  DataManager,
  DataQueryOptions,
  DataQueryResult,
  DataReference,
  DataSearchOptions,
  DataSearchResult,
  DataStoreOptions,
  Filter,
  HealthStatus,
  Vault,
} from "@agentvault/core";
import type { Document, Value } from "@agentvault/query";

/** What an agent may do with a collection: `write` includes `read`. */
export type StoragePermission = "read" | "write";

/** Vaults to serve the declared providers: one for all of them, or one per provider name. */
export type VaultSource = Vault | { readonly [provider: string]: Vault };

/** What an agent declares. */
export interface StorageOptions {
  /** The provider names the agent uses, for example `["postgresql", "redis"]`. At least one. */
  readonly providers: readonly string[];
  /**
   * The collections the agent may reach, on any of its providers. Absent: every collection of
   * the declared providers. The data manager's default collection is `data`.
   */
  readonly collections?: readonly string[] | undefined;
  /**
   * `read` or `write` for every collection, or per collection name (`"*"` for the rest).
   * @default "write"
   */
  readonly permissions?:
    | StoragePermission
    | { readonly [collection: string]: StoragePermission }
    | undefined;
  /**
   * Where providers are registered. Ignored when `vault` is given.
   * @default getDataManager() (the process-wide data manager, read at each call)
   */
  readonly dataManager?: DataManager | undefined;
  /**
   * Vaults instead of a data manager, for example a remote `createVaultClient()`: one Vault
   * serves every declared provider, or a record maps provider names to vaults. Data-manager
   * calls (`store`, `query`, ...) then keep each value as a document `{ data, metadata }`.
   */
  readonly vault?: VaultSource | undefined;
  /** How long a health check may take before the provider counts as unhealthy. @default 2000 */
  readonly healthTimeoutMs?: number | undefined;
  /** The agent's name in error messages. @default the function's or method's name */
  readonly agent?: string | undefined;
  /** Time source for the expiry of data stored with a `ttl` in a vault. @default Date.now */
  readonly clock?: Clock | undefined;
}

/** The storage an agent receives: the data manager's calls and Vaults, within its declaration. */
export interface AgentStorage {
  /** The declared provider names. */
  readonly providers: readonly string[];
  /** The declared collections, or undefined when every collection is allowed. */
  readonly collections: readonly string[] | undefined;
  /**
   * The collection API on one declared provider (the first when omitted), limited to the
   * declared collections and permissions. Its `close()` does nothing: the agent does not own it.
   */
  vault(provider?: string): Vault;
  /** A typed collection handle: `storage.collection<Order>("orders")`. */
  collection<T extends object = Document>(
    name: string,
    options?: { readonly provider?: string | undefined },
  ): Collection<T>;
  /** Stores any value on a declared provider; returns where it went. */
  store(data: Value, options: DataStoreOptions): Promise<DataReference>;
  retrieve(reference: DataLocation | string): Promise<Value | null>;
  retrieveByKey(provider: string, key: string, options?: DataKeyOptions): Promise<Value | null>;
  delete(reference: DataLocation | string): Promise<boolean>;
  deleteByKey(provider: string, key: string, options?: DataKeyOptions): Promise<boolean>;
  /** Filters address `metadata.*`, `data`, `data.*` and `key`. */
  query(provider: string, filter: Filter, options?: DataQueryOptions): Promise<DataQueryResult[]>;
  search(
    provider: string,
    vector: readonly number[],
    options?: DataSearchOptions,
  ): Promise<DataSearchResult[]>;
  /** Health of each declared provider (`{ ok: false }` when missing). Never throws. */
  health(): Promise<Record<string, HealthStatus>>;
}

/** The context argument an agent function receives after its own arguments. */
export interface StorageContext {
  readonly storage: AgentStorage;
}
