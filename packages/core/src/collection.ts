/**
 * Typed collection handles: `vault.collection<Product>("products")` returns the collection
 * methods bound to one name, with documents typed as `T`.
 */

import type { Document } from "@agentvault/query";
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

/**
 * Binds the collection methods of `vault` to `name`. The name is checked by the vault on every
 * call, so callers may validate it first for an early error.
 */
export function createCollection<T extends object = Document>(
  vault: Vault,
  name: string,
): Collection<T> {
  function retrieve(key: string): Promise<StoredDocument<T> | null>;
  function retrieve(): Promise<StoredDocument<T>[]>;
  function retrieve(key?: string): Promise<StoredDocument<T> | null | StoredDocument<T>[]> {
    const result = key === undefined ? vault.retrieve(name) : vault.retrieve(name, key);
    return result as Promise<StoredDocument<T> | null | StoredDocument<T>[]>;
  }
  return {
    name,
    store: (doc: T, options?: StoreOptions) => vault.store(name, doc, options),
    retrieve,
    query: (filter?: Filter, options?: QueryOptions) =>
      vault.query(name, filter, options) as Promise<StoredDocument<T>[]>,
    update: (key: string, patch: UpdateInput) => vault.update(name, key, patch),
    updateMany: (filter: Filter, update: UpdateInput) => vault.updateMany(name, filter, update),
    delete: (key: string) => vault.delete(name, key),
    deleteMany: (filter: Filter) => vault.deleteMany(name, filter),
    clear: () => vault.clear(name),
    count: (filter?: Filter) => vault.count(name, filter),
    search: (options: SearchOptions) => vault.search(name, options) as Promise<SearchHit<T>[]>,
  };
}
