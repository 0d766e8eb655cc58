/**
 * The `Vault` interface over HTTP: one `vault.<method>` procedure per method. Inputs are the
 * method's arguments as one object, values travel in the core's codec, results come back typed
 * by the server's router, and server errors come back as the core's classes.
 *
 * Key-value stores are served by the `kv.<method>` procedures (see `remote-kv-store.ts`).
 * Export and import use the `transfer.<method>` procedures (see `remote-transfer.ts`). What
 * cannot cross the wire fails clearly, with `UnsupportedCapabilityError`: `transaction` (a
 * function cannot be sent).
 */

import {
  type Collection,
  createCollection,
  type Filter,
  type KeyValueOpenOptions,
  type KeyValueStore,
  type QueryOptions,
  type SearchHit,
  type SearchOptions,
  type StoredDocument,
  type StoreOptions,
  UnsupportedCapabilityError,
  type UpdateInput,
  type Vault,
  validateCollectionName,
} from "@agentvault/core";
import type { Document, Value } from "@agentvault/query";
import type { CallRunner } from "./call-runner.js";
import { isResultSizeError, readInPages } from "./paged-reads.js";
import { RemoteKeyValueStore } from "./remote-kv-store.js";
import { exportOverHttp, importOverHttp } from "./remote-transfer.js";
import type { RouterInputs } from "./router-types.js";

const source = "client";

type VaultInputs = RouterInputs["vault"];

function unsupported(capability: string, message: string): UnsupportedCapabilityError {
  return new UnsupportedCapabilityError(capability, message, { source });
}

/** The store options the server accepts: unknown fields are dropped, as an embedded vault ignores them. */
function storeOptionsOf(options: StoreOptions | undefined): VaultInputs["store"]["options"] {
  if (options === undefined || options === null) return undefined;
  const { key, ttl, metadata, vector } = options;
  return { key, ttl, metadata, vector: vector as number[] | undefined };
}

/** The query options the server accepts, likewise. */
function queryOptionsOf(options: QueryOptions | undefined): VaultInputs["query"]["options"] {
  if (options === undefined || options === null) return undefined;
  const { sort, projection, limit, skip } = options;
  return { sort, projection: projection as string[] | Record<string, unknown>, limit, skip };
}

/** A filter as the server takes it: absent rather than null. */
function filterOf(filter: Filter | null | undefined): Filter | undefined {
  return filter === null ? undefined : filter;
}

/** The collection API of a remote vault. */
export class RemoteVault implements Vault {
  protected readonly runner: CallRunner;

  constructor(runner: CallRunner) {
    this.runner = runner;
  }

  store(collection: string, doc: object, options?: StoreOptions): Promise<string> {
    const input = { collection, doc: doc as Document, options: storeOptionsOf(options) };
    return this.runner.run((trpc, signal) => trpc.vault.store.mutate(input, { signal }));
  }

  retrieve(collection: string, key: string): Promise<StoredDocument | null>;
  retrieve(collection: string): Promise<StoredDocument[]>;
  async retrieve(
    collection: string,
    key?: string,
  ): Promise<StoredDocument | null | StoredDocument[]> {
    if (key !== undefined) {
      return this.runner.run((trpc, signal) =>
        trpc.vault.retrieve.query({ collection, key }, { signal }),
      );
    }
    try {
      return await this.runner.run((trpc, signal) =>
        trpc.vault.retrieve.query({ collection }, { signal }),
      );
    } catch (error) {
      if (!isResultSizeError(error)) throw error;
      return readInPages((options) => this.#queryPage(collection, undefined, options));
    }
  }

  #queryPage(
    collection: string,
    filter: Filter | undefined,
    options: QueryOptions | undefined,
  ): Promise<StoredDocument[]> {
    const input = { collection, filter, options: queryOptionsOf(options) };
    return this.runner.run((trpc, signal) => trpc.vault.query.query(input, { signal }));
  }

  async query(
    collection: string,
    filter?: Filter,
    options?: QueryOptions,
  ): Promise<StoredDocument[]> {
    try {
      return await this.#queryPage(collection, filterOf(filter), options);
    } catch (error) {
      if (!isResultSizeError(error)) throw error;
      return readInPages((page) => this.#queryPage(collection, filterOf(filter), page), options);
    }
  }

  update(collection: string, key: string, patch: UpdateInput): Promise<boolean> {
    const input = { collection, key, patch: patch as Record<string, unknown> };
    return this.runner.run((trpc, signal) => trpc.vault.update.mutate(input, { signal }));
  }

  updateMany(collection: string, filter: Filter, update: UpdateInput): Promise<number> {
    const input = {
      collection,
      filter: filter as Record<string, unknown>,
      update: update as Record<string, unknown>,
    };
    return this.runner.run((trpc, signal) => trpc.vault.updateMany.mutate(input, { signal }));
  }

  delete(collection: string, key: string): Promise<boolean> {
    return this.runner.run((trpc, signal) =>
      trpc.vault.delete.mutate({ collection, key }, { signal }),
    );
  }

  deleteMany(collection: string, filter: Filter): Promise<number> {
    const input = { collection, filter: filter as Record<string, unknown> };
    return this.runner.run((trpc, signal) => trpc.vault.deleteMany.mutate(input, { signal }));
  }

  clear(collection: string): Promise<number> {
    return this.runner.run((trpc, signal) => trpc.vault.clear.mutate({ collection }, { signal }));
  }

  count(collection: string, filter?: Filter): Promise<number> {
    const input = { collection, filter: filterOf(filter) as Record<string, unknown> | undefined };
    return this.runner.run((trpc, signal) => trpc.vault.count.query(input, { signal }));
  }

  /** Collections with data that the key may read, with their full names (`service.name`). */
  listCollections(): Promise<string[]> {
    return this.runner.run((trpc, signal) =>
      trpc.vault.listCollections.query(undefined, { signal }),
    );
  }

  search(collection: string, options: SearchOptions): Promise<SearchHit[]> {
    const { vector, limit, filter, minScore } = options ?? ({} as SearchOptions);
    const input = {
      collection,
      vector: vector as number[],
      limit,
      filter: filterOf(filter) as Record<string, unknown> | undefined,
      minScore,
    };
    return this.runner.run((trpc, signal) => trpc.vault.search.query(input, { signal }));
  }

  collection<T extends object = Document>(name: string): Collection<T> {
    return createCollection<T>(this, validateCollectionName(name, { source }));
  }

  /**
   * Opens (creating unless `mustExist`) the key-value store `name` on the server. The name is
   * qualified like a collection name (`settings` opened with the key of `billing` is
   * `billing.settings`, which is the returned store's `name`) and shares that collection name's
   * owner and grants: opening needs `read`, creating needs `write`, `drop` needs `admin`.
   *
   * @throws NotFoundError when `mustExist` is set and the store does not exist.
   * @throws PermissionDeniedError when the key may not read (or create) the store.
   * @example
   * const settings = await vault.kv<string>("settings");
   * await settings.set("theme", "dark", { ttl: 3600 });
   * await settings.pop("theme"); // "dark", removed in one server call
   */
  async kv<V extends Value = Value>(
    name: string,
    options?: KeyValueOpenOptions,
  ): Promise<KeyValueStore<V>> {
    const input = { store: name, mustExist: options?.mustExist };
    const opened = await this.runner.run((trpc, signal) => trpc.kv.open.mutate(input, { signal }));
    return new RemoteKeyValueStore<V>(this.runner, opened.name);
  }

  /**
   * Always throws `UnsupportedCapabilityError("transactions")`: a function cannot be sent to the
   * server. Updates with operators are atomic per document, and a key-value store's `pop`,
   * `popItem`, `setDefault` and `update` are atomic on the server.
   */
  async transaction<T>(_fn: (tx: Vault) => Promise<T>): Promise<T> {
    throw unsupported(
      "transactions",
      "Transactions cannot run over HTTP (a function cannot be sent to the server); use updates with operators, which are atomic per document",
    );
  }

  /**
   * Streams the tenant's collections and key-value stores as the core's export JSON Lines
   * (header, records, trailer with counts and SHA-256), read from the server a page at a time.
   * Needs a tenant admin key. The server's registry, grants and audit log are not exported.
   *
   * @throws PermissionDeniedError (on the first `next()`) when the key is not a tenant admin key.
   */
  export(): AsyncIterable<string> {
    return { [Symbol.asyncIterator]: () => exportOverHttp(this.runner) };
  }

  /**
   * Verifies the whole export locally (header, counts, checksum, records) before sending
   * anything, then sends its records a page at a time; needs a tenant admin key.
   * @returns How many records the server wrote (expired ones are skipped).
   * @throws IntegrityError when the lines are truncated, edited or malformed (nothing is sent).
   * @throws PermissionDeniedError when the key is not a tenant admin key, or the lines hold the
   *   server's own `_av` collections.
   */
  async import(lines: Iterable<string> | AsyncIterable<string>): Promise<number> {
    return importOverHttp(this.runner, lines);
  }

  /** Stops this client (and every view made with `withOptions`): later calls fail. */
  async close(): Promise<void> {
    this.runner.state.closed = true;
  }
}
