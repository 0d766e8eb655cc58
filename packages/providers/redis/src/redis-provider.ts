/**
 * `redisProvider()`: AgentVault records in Redis, one JSON string per record, with native
 * expiry, optional secondary indexes, a pub/sub change feed and Cluster-safe key layout (see
 * `redis-key-layout.ts`).
 *
 * - Writes run as one Lua script per call, so each is atomic: a record, its key-set entry and
 *   its index entries change together; `putMany` writes all records or none.
 * - `update` is read-modify-write with compare-and-set (see `redis-record-updates.ts`).
 * - Queries fetch the candidates (the index plan's, else the whole key set) and evaluate the
 *   filter, sort and pagination in memory with the core's engine, so results never differ from
 *   other providers.
 * - No transactions: Redis's MULTI cannot read inside a transaction, and a Lua script cannot run
 *   the JavaScript update operators, so `capabilities.transactions` is false.
 */

import {
  countInMemory,
  type FindQuery,
  findInMemory,
  type HealthStatus,
  type IndexSpec,
  isMatchAll,
  type ProviderCapabilities,
  type PutOptions,
  type RecordUpdate,
  type StoredRecord,
  validateCollectionName,
} from "@agentvault/core";
import type { FilterNode } from "@agentvault/query";
import { KeyedMutex } from "./keyed-mutex.js";
import { ChangeFeed, type RedisChangeListener } from "./redis-change-feed.js";
import { RedisConnection } from "./redis-connection.js";
import { closedError } from "./redis-errors.js";
import { ensurePathIndexes, indexedPaths } from "./redis-index-builder.js";
import { IndexRegistry } from "./redis-index-registry.js";
import { type DatabaseKeys, databaseKeys } from "./redis-key-layout.js";
import {
  type RedisProviderOptions,
  resolveRedisOptions,
  validateDatabaseName,
} from "./redis-options.js";
import { encodeStoredRecord, prepareRecord } from "./redis-record-codec.js";
import { liveRecord, loadCandidates, loadRecords } from "./redis-record-reader.js";
import {
  deleteMatching,
  type UpdateTarget,
  updateMatching,
  updateOne,
} from "./redis-record-updates.js";
import type { ScriptedClient } from "./redis-scripts.js";
import type { RedisStorageProvider } from "./redis-storage-provider.js";
import { searchRecords } from "./redis-vector-search.js";
import { runWrites } from "./redis-write-batch.js";

const source = "redis";
/** Records removed per call of the drop script. */
const dropChunk = 1000;

const capabilities: ProviderCapabilities = Object.freeze({
  nativeTtl: true,
  transactions: false,
  vectorSearch: true,
  watch: true,
  indexes: true,
  nativeFilters: false,
});

/** What a provider shares with its `withDatabase` siblings. */
interface RedisRoot {
  readonly connection: RedisConnection;
  readonly registry: IndexRegistry;
  readonly mutex: KeyedMutex;
  readonly feed: ChangeFeed;
}

/** Settles a write's promise with nothing. */
function done(): void {}

function isCluster(client: ScriptedClient): boolean {
  return (client as { isCluster?: unknown }).isCluster === true;
}

class RedisProvider implements RedisStorageProvider {
  readonly name = source;
  readonly capabilities = capabilities;
  readonly database: string;
  readonly #root: RedisRoot;
  readonly #keys: DatabaseKeys;

  constructor(root: RedisRoot, database: string) {
    this.#root = root;
    this.database = database;
    this.#keys = databaseKeys(root.connection.options.keyPrefix, database);
  }

  get #options() {
    return this.#root.connection.options;
  }

  #target(client: ScriptedClient, collection: string): UpdateTarget {
    validateCollectionName(collection, { allowReserved: true, source });
    return {
      client,
      keys: this.#keys.collection(collection),
      collection,
      channel: this.#options.publishChanges ? this.#keys.channel : "",
      collectionsKey: isCluster(client) ? "" : this.#keys.collections,
      registry: this.#root.registry,
      now: this.#options.clock(),
      stale: { seen: false },
    };
  }

  #run<T>(
    action: string,
    collection: string,
    fn: (target: UpdateTarget) => Promise<T>,
  ): Promise<T> {
    return this.#root.connection.run(action, (client) => fn(this.#target(client, collection)));
  }

  /**
   * Runs a write that may add records. On a single server the write script itself adds the
   * collection to the database's set; on a Cluster that set lives in another slot, so it is
   * added afterwards (see `dropCollection` for why the order matters).
   */
  async #write<T>(target: UpdateTarget, write: Promise<T>): Promise<T> {
    const result = await write;
    if (target.collectionsKey === "") {
      await target.client.sadd(this.#keys.collections, target.collection);
    }
    return result;
  }

  withDatabase(database: string): RedisStorageProvider {
    return new RedisProvider(this.#root, validateDatabaseName(database));
  }

  get(collection: string, key: string): Promise<StoredRecord | null> {
    // The hottest read: one GET, with no update target built and no extra async step.
    return this.#root.connection.run("read a record", (client) => {
      validateCollectionName(collection, { allowReserved: true, source });
      const name = this.#keys.collection(collection).record(key);
      const now = this.#options.clock();
      return client.get(name).then((text) => liveRecord(text, key, now));
    });
  }

  getMany(collection: string, keys: readonly string[]): Promise<(StoredRecord | null)[]> {
    return this.#run("read records", collection, async (target) =>
      (await loadRecords(target, keys)).map((loaded) => loaded?.record ?? null),
    );
  }

  put(collection: string, record: StoredRecord, options: PutOptions = {}): Promise<void> {
    return this.#run("write a record", collection, (target) => {
      const encoded = encodeStoredRecord(prepareRecord(record, target.now));
      const kind = options.ifAbsent ? "add" : "put";
      const written = runWrites(target, [{ kind, key: encoded.record.key, encoded }]);
      // On a single server the script added the collection itself: no further step to await.
      return (target.collectionsKey === "" ? this.#write(target, written) : written).then(done);
    });
  }

  putMany(collection: string, records: readonly StoredRecord[]): Promise<void> {
    return this.#run("write records", collection, async (target) => {
      if (!Array.isArray(records)) throw new TypeError("records must be an array");
      const operations = records.map((record) => {
        const encoded = encodeStoredRecord(prepareRecord(record, target.now));
        return { kind: "put" as const, key: encoded.record.key, encoded };
      });
      if (operations.length === 0) return;
      await this.#write(target, runWrites(target, operations));
    });
  }

  delete(collection: string, key: string): Promise<boolean> {
    return this.#run("delete a record", collection, async (target) => {
      const outcome = await runWrites(target, [{ kind: "del", key }]);
      return outcome.status === "ok" && outcome.results[0] === 1;
    });
  }

  find(collection: string, query: FindQuery): Promise<StoredRecord[]> {
    return this.#run("query records", collection, async (target) => {
      const loaded = await loadCandidates(target, query.filter);
      return findInMemory(
        loaded.map((entry) => entry.record),
        query,
        target.now,
      );
    });
  }

  count(collection: string, filter: FilterNode): Promise<number> {
    return this.#run("count records", collection, async (target) => {
      if (isMatchAll(filter)) {
        return target.client.zcount(target.keys.keys, `(${target.now}`, "+inf");
      }
      const loaded = await loadCandidates(target, filter);
      return countInMemory(
        loaded.map((entry) => entry.record),
        filter,
        target.now,
      );
    });
  }

  update(collection: string, key: string, changes: RecordUpdate): Promise<StoredRecord | null> {
    return this.#run("update a record", collection, (target) =>
      this.#root.mutex.run(`${target.keys.base}\u0000${key}`, () =>
        updateOne({ ...target, now: this.#options.clock() }, key, changes),
      ),
    );
  }

  updateMany(collection: string, filter: FilterNode, changes: RecordUpdate): Promise<number> {
    return this.#run("update records", collection, (target) =>
      updateMatching(target, filter, changes),
    );
  }

  deleteMany(collection: string, filter: FilterNode): Promise<number> {
    return this.#run("delete records", collection, (target) => deleteMatching(target, filter));
  }

  dropCollection(collection: string): Promise<number> {
    return this.#run("drop a collection", collection, async (target) => {
      // Unlisted first, emptied second: a concurrent writer's SADD (inside or after its
      // script) then always lands after this SREM, so a record written meanwhile stays listed.
      await target.client.srem(this.#keys.collections, collection);
      let removed = 0;
      for (;;) {
        const [live, done] = await target.client.avDrop(
          target.keys.meta,
          target.keys.base,
          String(target.now),
          String(dropChunk),
          target.channel,
          collection,
        );
        removed += Number(live);
        if (Number(done) === 1) break;
      }
      this.#root.registry.forget(target.keys);
      return removed;
    });
  }

  listCollections(): Promise<string[]> {
    return this.#root.connection.run("list collections", async (client) => {
      const names = await client.smembers(this.#keys.collections);
      const now = this.#options.clock();
      const counts = await Promise.all(
        names.map((name) => client.zcount(this.#keys.collection(name).keys, `(${now}`, "+inf")),
      );
      return names.filter((_, index) => counts[index]! > 0).sort();
    });
  }

  ensureIndexes(collection: string, indexes: readonly IndexSpec[]): Promise<boolean> {
    const paths = indexedPaths(indexes);
    return this.#run("create indexes", collection, async (target) => {
      await ensurePathIndexes(target, paths);
      return true;
    });
  }

  search: RedisStorageProvider["search"] = (collection, query) =>
    this.#run("search vectors", collection, (target) =>
      searchRecords(
        target,
        query,
        this.#options.vectorMetrics[collection] ?? this.#options.vectorMetric,
      ),
    );

  async dropDatabase(): Promise<void> {
    const names = await this.#root.connection.run("list collections", (client) =>
      client.smembers(this.#keys.collections),
    );
    for (const name of names) await this.dropCollection(name);
    await this.#root.connection.run("drop a database", (client) =>
      client.del(this.#keys.collections),
    );
  }

  watch(collection: string, listener: RedisChangeListener): Promise<() => Promise<void>> {
    validateCollectionName(collection, { allowReserved: true, source });
    if (this.#root.connection.closed) return Promise.reject(closedError());
    return this.#root.feed.watch(this.#keys.channel, collection, listener);
  }

  async health(): Promise<HealthStatus> {
    const started = performance.now();
    try {
      await this.#root.connection.run("check health", (client) => client.ping());
      return { ok: true, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
    } catch (error) {
      return {
        ok: false,
        latencyMs: Math.round((performance.now() - started) * 100) / 100,
        message: error instanceof Error ? error.message : "Health check failed",
      };
    }
  }

  close(): Promise<void> {
    return this.#root.connection.close();
  }
}

/**
 * Creates a Redis provider. Nothing connects until the first call.
 *
 * @example
 * import { createVault } from "@agentvault/core";
 * import { redisProvider } from "@agentvault/provider-redis";
 *
 * const vault = createVault({ provider: redisProvider({ url: "redis://127.0.0.1:6379" }) });
 * await vault.store("sessions", { user: "ann" }, { ttl: 3600 });
 */
export function redisProvider(options: RedisProviderOptions = {}): RedisStorageProvider {
  const resolved = resolveRedisOptions(options);
  const connection = new RedisConnection(resolved);
  const root: RedisRoot = {
    connection,
    registry: new IndexRegistry(),
    mutex: new KeyedMutex(),
    feed: new ChangeFeed(connection),
  };
  return new RedisProvider(root, resolved.database);
}
