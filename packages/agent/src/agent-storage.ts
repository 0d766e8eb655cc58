/**
 * `createAgentStorage`: the storage one agent receives. Every call is checked against the
 * agent's declaration (providers, collections, permissions) before the provider is resolved,
 * then goes to the data manager or vault serving that provider name.
 */

import {
  type Collection,
  type DataKeyOptions,
  type DataLocation,
  type DataQueryOptions,
  type DataQueryResult,
  type DataReference,
  type DataSearchOptions,
  type DataSearchResult,
  type DataStoreOptions,
  type Filter,
  type HealthStatus,
  toDataLocation,
  ValidationError,
  type Vault,
} from "@agentvault/core";
import type { Document, Value } from "@agentvault/query";
import type { AgentStorage, StorageOptions } from "./agent-storage-types.js";
import { ScopedVault } from "./scoped-vault.js";
import { boundedHealth, resolveBackend } from "./storage-backends.js";
import { StorageScope } from "./storage-scope.js";

const defaultCollection = "data";

class ScopedAgentStorage implements AgentStorage {
  readonly #options: StorageOptions;
  readonly #scope: StorageScope;
  readonly #healthTimeoutMs: number;

  constructor(options: StorageOptions, agent: string) {
    this.#scope = new StorageScope(options, agent);
    this.#options = options;
    const timeout = options.healthTimeoutMs ?? 2000;
    if (!Number.isSafeInteger(timeout) || timeout < 1) {
      throw new ValidationError("healthTimeoutMs must be a positive integer", "healthTimeoutMs", {
        source: "agent",
      });
    }
    this.#healthTimeoutMs = timeout;
  }

  get providers(): readonly string[] {
    return this.#scope.providers;
  }

  get collections(): readonly string[] | undefined {
    return this.#scope.collections;
  }

  #backend(provider: string | undefined) {
    return resolveBackend(this.#options, this.#scope.provider(provider));
  }

  vault(provider?: string): Vault {
    return new ScopedVault(this.#backend(provider).vault(), this.#scope);
  }

  collection<T extends object = Document>(
    name: string,
    options?: { readonly provider?: string | undefined },
  ): Collection<T> {
    return this.vault(options?.provider).collection<T>(name);
  }

  async store(data: Value, options: DataStoreOptions): Promise<DataReference> {
    if (options === null || typeof options !== "object") {
      throw new ValidationError("store needs options naming the provider", "options", {
        source: "agent",
      });
    }
    this.#scope.provider(options.provider);
    this.#scope.check(options.collection ?? defaultCollection, "write");
    return this.#backend(options.provider).data.store(data, options);
  }

  async retrieve(reference: DataLocation | string): Promise<Value | null> {
    const location = toDataLocation(reference);
    this.#scope.provider(location.provider);
    this.#scope.check(location.collection, "read");
    return this.#backend(location.provider).data.retrieve(location.collection, location.key);
  }

  retrieveByKey(provider: string, key: string, options: DataKeyOptions = {}) {
    return this.retrieve({ provider, key, collection: options.collection ?? defaultCollection });
  }

  async delete(reference: DataLocation | string): Promise<boolean> {
    const location = toDataLocation(reference);
    this.#scope.provider(location.provider);
    this.#scope.check(location.collection, "write");
    return this.#backend(location.provider).data.delete(location.collection, location.key);
  }

  deleteByKey(provider: string, key: string, options: DataKeyOptions = {}) {
    return this.delete({ provider, key, collection: options.collection ?? defaultCollection });
  }

  async query(
    provider: string,
    filter: Filter,
    options: DataQueryOptions = {},
  ): Promise<DataQueryResult[]> {
    this.#scope.provider(provider);
    this.#scope.check(options.collection ?? defaultCollection, "read");
    return this.#backend(provider).data.query(filter, options);
  }

  async search(
    provider: string,
    vector: readonly number[],
    options: DataSearchOptions = {},
  ): Promise<DataSearchResult[]> {
    this.#scope.provider(provider);
    this.#scope.check(options.collection ?? defaultCollection, "read");
    return this.#backend(provider).data.search(vector, options);
  }

  async health(): Promise<Record<string, HealthStatus>> {
    const checks = this.providers.map(async (provider) => {
      const status = await boundedHealth(
        async () => resolveBackend(this.#options, provider).health(),
        this.#healthTimeoutMs,
      );
      return [provider, status] as const;
    });
    return Object.fromEntries(await Promise.all(checks));
  }
}

/**
 * The storage of one agent, limited to what `options` declares. `storageEnabled` creates it;
 * call this directly to hand storage to code that is not a function or method.
 *
 * @param agent The agent's name in error messages. @default options.agent, else "agent"
 * @throws ValidationError when the declaration is malformed (no providers, a bad permission).
 * @example
 * const storage = createAgentStorage({ providers: ["postgresql"], collections: ["reports"] }, "reporter");
 * await storage.store({ total: 42 }, { provider: "postgresql", collection: "reports" });
 */
export function createAgentStorage(options: StorageOptions, agent?: string): AgentStorage {
  return new ScopedAgentStorage(options, agent ?? options?.agent ?? "agent");
}
