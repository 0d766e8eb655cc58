/**
 * A Vault limited to an agent's declaration: every call checks the collection against the
 * scope (declared, and `write` for writes) before it reaches the real vault. `close()` does
 * nothing, because the agent only borrows the vault.
 */

import type {
  Collection,
  Filter,
  KeyValueOpenOptions,
  KeyValueStore,
  QueryOptions,
  SearchHit,
  SearchOptions,
  StoredDocument,
  StoreOptions,
  UpdateInput,
  Vault,
} from "@agentvault/core";
import { createCollection } from "@agentvault/core";
import type { Document, Value } from "@agentvault/query";
import { readOnlyKeyValueStore } from "./read-only-key-value-store.js";
import type { StorageScope } from "./storage-scope.js";

/** Whether a listed (possibly server-qualified, `service.name`) collection was declared. */
function listedAndDeclared(scope: StorageScope, name: string): boolean {
  if (scope.declares(name)) return true;
  const dot = name.indexOf(".");
  return dot !== -1 && scope.collections !== undefined && scope.declares(name.slice(dot + 1));
}

/** The scoped Vault. */
export class ScopedVault implements Vault {
  readonly #inner: Vault;
  readonly #scope: StorageScope;

  constructor(inner: Vault, scope: StorageScope) {
    this.#inner = inner;
    this.#scope = scope;
  }

  async store(collection: string, doc: object, options?: StoreOptions): Promise<string> {
    this.#scope.check(collection, "write");
    return this.#inner.store(collection, doc, options);
  }

  retrieve(collection: string, key: string): Promise<StoredDocument | null>;
  retrieve(collection: string): Promise<StoredDocument[]>;
  async retrieve(
    collection: string,
    key?: string,
  ): Promise<StoredDocument | null | StoredDocument[]> {
    this.#scope.check(collection, "read");
    return key === undefined
      ? this.#inner.retrieve(collection)
      : this.#inner.retrieve(collection, key);
  }

  async query(
    collection: string,
    filter?: Filter,
    options?: QueryOptions,
  ): Promise<StoredDocument[]> {
    this.#scope.check(collection, "read");
    return this.#inner.query(collection, filter, options);
  }

  async update(collection: string, key: string, patch: UpdateInput): Promise<boolean> {
    this.#scope.check(collection, "write");
    return this.#inner.update(collection, key, patch);
  }

  async updateMany(collection: string, filter: Filter, update: UpdateInput): Promise<number> {
    this.#scope.check(collection, "write");
    return this.#inner.updateMany(collection, filter, update);
  }

  async delete(collection: string, key: string): Promise<boolean> {
    this.#scope.check(collection, "write");
    return this.#inner.delete(collection, key);
  }

  async deleteMany(collection: string, filter: Filter): Promise<number> {
    this.#scope.check(collection, "write");
    return this.#inner.deleteMany(collection, filter);
  }

  async clear(collection: string): Promise<number> {
    this.#scope.check(collection, "write");
    return this.#inner.clear(collection);
  }

  async count(collection: string, filter?: Filter): Promise<number> {
    this.#scope.check(collection, "read");
    return this.#inner.count(collection, filter);
  }

  /** The declared collections holding data (all of them when none were declared). */
  async listCollections(): Promise<string[]> {
    const names = await this.#inner.listCollections();
    return names.filter((name) => listedAndDeclared(this.#scope, name));
  }

  async search(collection: string, options: SearchOptions): Promise<SearchHit[]> {
    this.#scope.check(collection, "read");
    return this.#inner.search(collection, options);
  }

  collection<T extends object = Document>(name: string): Collection<T> {
    this.#scope.check(name, "read");
    return createCollection<T>(this, name);
  }

  /** A key-value store counts as a collection of its name: declared, and `write` to change it. */
  async kv<V extends Value = Value>(
    name: string,
    options?: KeyValueOpenOptions,
  ): Promise<KeyValueStore<V>> {
    this.#scope.check(name, "read");
    const writable = this.#scope.permissionOn(name) === "write";
    // A read-only agent must not create the store either.
    const store = await this.#inner.kv<V>(name, writable ? options : { mustExist: true });
    return writable ? store : readOnlyKeyValueStore(store, this.#scope);
  }

  transaction<T>(fn: (tx: Vault) => Promise<T>): Promise<T> {
    return this.#inner.transaction((tx) => fn(new ScopedVault(tx, this.#scope)));
  }

  export(): AsyncIterable<string> {
    this.#scope.checkWhole("read", "export");
    return this.#inner.export();
  }

  async import(lines: Iterable<string> | AsyncIterable<string>): Promise<number> {
    this.#scope.checkWhole("write", "import into");
    return this.#inner.import(lines);
  }

  /** Does nothing: the vault belongs to whoever gave it to the agent. */
  async close(): Promise<void> {}
}
