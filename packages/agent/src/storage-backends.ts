/**
 * Where a declared provider name leads: a provider registered in a data manager, or a vault
 * (`vault` option). Both give the same three things: the data manager's calls, a Vault, and a
 * health check. Names are resolved at each call, so providers registered after an agent was
 * decorated (at startup, say) are found.
 */

import {
  AgentVaultError,
  type Clock,
  createVault,
  type DataKeyOptions,
  type DataManager,
  type DataQueryOptions,
  type DataQueryResult,
  type DataReference,
  type DataSearchOptions,
  type DataSearchResult,
  type DataStoreOptions,
  type Filter,
  getDataManager,
  type HealthStatus,
  ProviderNotRegisteredError,
  type StorageProvider,
  systemClock,
  type Vault,
} from "@agentvault/core";
import type { Value } from "@agentvault/query";
import type { StorageOptions, VaultSource } from "./agent-storage-types.js";
import { VaultDataStore } from "./vault-data-store.js";

/** The data manager's calls for one provider. */
export interface DataCalls {
  store(data: Value, options: DataStoreOptions): Promise<DataReference>;
  retrieve(collection: string, key: string): Promise<Value | null>;
  delete(collection: string, key: string): Promise<boolean>;
  query(filter: Filter, options?: DataQueryOptions): Promise<DataQueryResult[]>;
  search(vector: readonly number[], options?: DataSearchOptions): Promise<DataSearchResult[]>;
}

/** One resolved provider. */
export interface StorageBackend {
  readonly data: DataCalls;
  /** The provider's collection API (not scoped). */
  vault(): Vault;
  /** The backend's own health check (unbounded; callers bound it). */
  health(): Promise<HealthStatus>;
}

const vaultsOfProviders = new WeakMap<StorageProvider, Vault>();

function isVault(value: unknown): value is Vault {
  const candidate = value as Partial<Record<keyof Vault, unknown>> | null;
  return typeof candidate?.store === "function" && typeof candidate.query === "function";
}

function vaultFor(vaults: VaultSource, name: string): Vault {
  if (isVault(vaults)) return vaults;
  const vault = Object.hasOwn(vaults, name) ? vaults[name] : undefined;
  if (!isVault(vault)) {
    throw new ProviderNotRegisteredError(name, Object.keys(vaults), { source: "agent" });
  }
  return vault;
}

function fromVault(vault: Vault, name: string, clock: Clock): StorageBackend {
  const data = new VaultDataStore(vault, name, clock);
  return {
    data,
    vault: () => vault,
    async health() {
      const withHealth = vault as Vault & { health?: () => Promise<HealthStatus> };
      if (typeof withHealth.health === "function") return withHealth.health();
      await vault.listCollections();
      return { ok: true };
    },
  };
}

function fromDataManager(manager: DataManager, name: string, clock: Clock): StorageBackend {
  const provider = manager.getProvider(name);
  const keyOptions = (collection: string): DataKeyOptions => ({ collection });
  return {
    data: {
      store: (value, options) => manager.store(value, { ...options, provider: name }),
      retrieve: (collection, key) => manager.retrieveByKey(name, key, keyOptions(collection)),
      delete: (collection, key) => manager.deleteByKey(name, key, keyOptions(collection)),
      query: (filter, options) => manager.query(name, filter, options),
      search: (vector, options) => manager.search(name, vector, options),
    },
    vault() {
      let vault = vaultsOfProviders.get(provider);
      if (vault === undefined) {
        vault = createVault({ provider, now: clock });
        vaultsOfProviders.set(provider, vault);
      }
      return vault;
    },
    health: () => provider.health(),
  };
}

/**
 * Resolves a provider name.
 * @throws ProviderNotRegisteredError when nothing serves the name.
 */
export function resolveBackend(options: StorageOptions, name: string): StorageBackend {
  const clock = options.clock ?? systemClock;
  if (options.vault !== undefined) return fromVault(vaultFor(options.vault, name), name, clock);
  return fromDataManager(options.dataManager ?? getDataManager(), name, clock);
}

/** Runs a health check, answering `{ ok: false }` when it throws or takes over `timeoutMs`. */
export async function boundedHealth(
  check: () => Promise<HealthStatus>,
  timeoutMs: number,
): Promise<HealthStatus> {
  const started = performance.now();
  const latencyMs = () => Math.round((performance.now() - started) * 100) / 100;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<HealthStatus>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({ ok: false, latencyMs: latencyMs(), message: `No answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  const checked = Promise.resolve()
    .then(check)
    .then(
      (status): HealthStatus =>
        typeof status?.ok === "boolean"
          ? { latencyMs: latencyMs(), ...status }
          : { ok: false, latencyMs: latencyMs(), message: "The health check returned no status" },
      (error: unknown): HealthStatus => ({
        ok: false,
        latencyMs: latencyMs(),
        // Only AgentVault messages are written to be shown; driver messages may hold secrets.
        message: AgentVaultError.isInstance(error)
          ? error.message
          : `The health check failed (${error instanceof Error ? error.name : typeof error})`,
      }),
    );
  try {
    return await Promise.race([checked, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
