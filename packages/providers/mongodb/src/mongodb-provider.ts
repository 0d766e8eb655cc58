/**
 * `mongodbProvider()`: AgentVault over MongoDB. Every record is one document (see
 * `mongodb-record-codec.ts`) in a collection of the tenant's own database; filters, sorts,
 * pagination and updates run on the server (see the translators), so a query never reads more
 * than it returns and an update is atomic per record.
 */

import {
  type FindQuery,
  type HealthStatus,
  type IndexSpec,
  type ProviderCapabilities,
  ProviderUnavailableError,
  type PutOptions,
  type RecordUpdate,
  type StorageProvider,
  type StoredRecord,
  UnsupportedCapabilityError,
  ValidationError,
  type VectorHit,
  type VectorQuery,
  validateCollectionName,
  validateVector,
} from "@agentvault/core";
import type { FilterNode } from "@agentvault/query";
import type { ClientSession, Collection, Db, Document } from "mongodb";
import { MongoConnection } from "./mongodb-connection.js";
import { isTransientTransactionError, source, toProviderError } from "./mongodb-errors.js";
import { translateFilter, withExpiryGuard } from "./mongodb-filter-translator.js";
import { toMongoFindOptions } from "./mongodb-find-options.js";
import { checkMongoHealth } from "./mongodb-health.js";
import { toMongoIndexSpecs } from "./mongodb-index-specs.js";
import {
  fromMongoCollectionName,
  toMongoCollectionName,
  toMongoDatabaseName,
} from "./mongodb-names.js";
import { type MongodbProviderOptions, resolveMongodbOptions } from "./mongodb-options.js";
import { fromMongoDocument, toMongoDocument } from "./mongodb-record-codec.js";
import {
  type EnvelopeDocument,
  insertRecordIfAbsent,
  putManyOperations,
  upsertRecord,
} from "./mongodb-record-writes.js";
import { translateUpdate } from "./mongodb-update-translator.js";
import { scoreCollection } from "./mongodb-vector-search.js";
import { liveKeyFilter } from "./mongodb-writes.js";

/** The MongoDB provider: a `StorageProvider` with `search`, `transaction` and `ensureIndexes`. */
export type MongodbStorageProvider = StorageProvider &
  Required<Pick<StorageProvider, "search" | "transaction" | "ensureIndexes">> &
  MongodbProviderExtras;

/** What the MongoDB provider adds to the contract. */
export interface MongodbProviderExtras {
  /** The MongoDB database this instance reads and writes (`agentvault_<database>_vault`). */
  readonly mongoDatabaseName: string;
  /**
   * Connects now instead of on the first call, and learns whether the deployment runs
   * transactions (a replica set or sharded cluster), which `capabilities.transactions` then
   * reports exactly.
   * @throws ProviderUnavailableError when no server answers in time.
   */
  connect(): Promise<void>;
}

/** A transaction's state, shared by its provider: calls fail once it has finished. */
interface TransactionScope {
  readonly session: ClientSession;
  finished: boolean;
}

function isDriverError(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === "string" && /^(Mongo|BSON)/.test(name);
}

class MongodbProvider implements MongodbStorageProvider {
  readonly name = source;
  readonly database: string;
  readonly mongoDatabaseName: string;
  readonly #connection: MongoConnection;
  readonly #scope: TransactionScope | undefined;

  constructor(connection: MongoConnection, database: string, scope?: TransactionScope) {
    this.#connection = connection;
    this.database = database;
    this.mongoDatabaseName = toMongoDatabaseName(database, connection.options.affixes);
    this.#scope = scope;
  }

  get capabilities(): ProviderCapabilities {
    return {
      nativeTtl: true,
      // Until the first connection shows a standalone server, transactions are assumed.
      transactions: this.#connection.transactions ?? true,
      vectorSearch: true,
      watch: false,
      indexes: true,
      nativeFilters: true,
    };
  }

  async connect(): Promise<void> {
    await this.#connection.connect();
  }

  withDatabase(database: string): StorageProvider {
    if (this.#scope !== undefined) {
      throw new ValidationError("withDatabase cannot be used inside a transaction", "database", {
        source,
      });
    }
    return new MongodbProvider(this.#connection, database);
  }

  #now(): number {
    return this.#connection.options.clock();
  }

  /** Session options for calls inside a transaction. */
  #session(): { session?: ClientSession } {
    return this.#scope === undefined ? {} : { session: this.#scope.session };
  }

  async #db(): Promise<Db> {
    if (this.#scope?.finished) {
      throw new ProviderUnavailableError("The transaction has already finished", { source });
    }
    await this.#connection.connect();
    return this.#connection.db(this.mongoDatabaseName);
  }

  async #collection(collection: string): Promise<Collection<EnvelopeDocument>> {
    const name = validateCollectionName(collection, { allowReserved: true, source });
    return (await this.#db()).collection<EnvelopeDocument>(toMongoCollectionName(name));
  }

  /** The collection, created with its TTL index first (outside any transaction). */
  async #writable(collection: string): Promise<Collection<EnvelopeDocument>> {
    const target = await this.#collection(collection);
    await this.#connection.prepareCollection(this.mongoDatabaseName, target.collectionName);
    return target;
  }

  /** Runs driver calls, mapping their errors (transient ones inside a transaction pass as is, so the driver can retry). */
  async #run<T>(action: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (this.#scope !== undefined && isTransientTransactionError(error)) throw error;
      throw toProviderError(error, action);
    }
  }

  /** Runs `call` atomically: in the current transaction, in a new one if the deployment has them, else as is. */
  async #atomically<T>(call: (session: ClientSession | undefined) => Promise<T>): Promise<T> {
    if (this.#scope !== undefined) return call(this.#scope.session);
    await this.#connection.connect();
    if (!this.#connection.transactions) return call(undefined);
    return this.#connection.withTransaction((session) => call(session));
  }

  #liveFilter(filter: FilterNode): Document {
    return withExpiryGuard(translateFilter(filter), this.#now());
  }

  async get(collection: string, key: string): Promise<StoredRecord | null> {
    const target = await this.#collection(collection);
    const document = await this.#run("read", () =>
      target.findOne(liveKeyFilter(key, this.#now()), this.#session()),
    );
    return document === null ? null : fromMongoDocument(document);
  }

  async getMany(collection: string, keys: readonly string[]): Promise<(StoredRecord | null)[]> {
    if (keys.length === 0) return [];
    const target = await this.#collection(collection);
    const filter = withExpiryGuard({ _id: { $in: [...new Set(keys)] } }, this.#now());
    const documents = await this.#run("read", () => target.find(filter, this.#session()).toArray());
    const byKey = new Map<string, StoredRecord>();
    for (const document of documents) {
      const record = fromMongoDocument(document);
      byKey.set(record.key, record);
    }
    return keys.map((key) => byKey.get(key) ?? null);
  }

  async put(collection: string, record: StoredRecord, options: PutOptions = {}): Promise<void> {
    const now = this.#now();
    const document = toMongoDocument(record, now);
    const target = {
      collection: await this.#writable(collection),
      name: collection,
      ...this.#session(),
    };
    const write = options.ifAbsent ? insertRecordIfAbsent : upsertRecord;
    await this.#run("write", () => write(target, document, now));
  }

  async putMany(collection: string, records: readonly StoredRecord[]): Promise<void> {
    if (records.length === 0) return;
    const now = this.#now();
    const operations = putManyOperations(
      records.map((record) => toMongoDocument(record, now)),
      now,
    );
    const target = await this.#writable(collection);
    await this.#run("write", () =>
      this.#atomically((session) =>
        target.bulkWrite(operations, { ordered: true, ...(session ? { session } : {}) }),
      ),
    );
  }

  async delete(collection: string, key: string): Promise<boolean> {
    const target = await this.#collection(collection);
    const result = await this.#run("delete", () =>
      target.deleteOne(liveKeyFilter(key, this.#now()), this.#session()),
    );
    return result.deletedCount === 1;
  }

  async find(collection: string, query: FindQuery): Promise<StoredRecord[]> {
    if (query.limit === 0) return [];
    const target = await this.#collection(collection);
    const filter = this.#liveFilter(query.filter);
    const options = { ...toMongoFindOptions(query), ...this.#session() };
    const documents = await this.#run("query", () => target.find(filter, options).toArray());
    return documents.map(fromMongoDocument);
  }

  async count(collection: string, filter: FilterNode): Promise<number> {
    const target = await this.#collection(collection);
    const live = this.#liveFilter(filter);
    return this.#run("count", () => target.countDocuments(live, this.#session()));
  }

  async update(
    collection: string,
    key: string,
    changes: RecordUpdate,
  ): Promise<StoredRecord | null> {
    const now = this.#now();
    const update = translateUpdate(changes, now);
    const target = await this.#collection(collection);
    const document = await this.#run("update", () =>
      target.findOneAndUpdate(liveKeyFilter(key, now), update, {
        returnDocument: "after",
        ...this.#session(),
      }),
    );
    return document === null ? null : fromMongoDocument(document);
  }

  async updateMany(collection: string, filter: FilterNode, changes: RecordUpdate): Promise<number> {
    const now = this.#now();
    const update = translateUpdate(changes, now);
    const live = withExpiryGuard(translateFilter(filter), now);
    const target = await this.#collection(collection);
    const result = await this.#run("update", () =>
      this.#atomically((session) => target.updateMany(live, update, session ? { session } : {})),
    );
    return result.matchedCount;
  }

  async deleteMany(collection: string, filter: FilterNode): Promise<number> {
    const target = await this.#collection(collection);
    const live = this.#liveFilter(filter);
    const result = await this.#run("delete", () => target.deleteMany(live, this.#session()));
    return result.deletedCount;
  }

  async dropCollection(collection: string): Promise<number> {
    const target = await this.#collection(collection);
    const live = withExpiryGuard({}, this.#now());
    return this.#run("drop", async () => {
      const count = await target.countDocuments(live, this.#session());
      if (this.#scope !== undefined) {
        // Dropping is not allowed in a transaction; emptying is, and listCollections skips empty ones.
        await target.deleteMany({}, this.#session());
        return count;
      }
      await target.drop().catch((error: unknown) => {
        if ((error as { code?: unknown }).code !== 26) throw error;
      });
      this.#connection.forgetPrepared(this.mongoDatabaseName, target.collectionName);
      return count;
    });
  }

  async listCollections(): Promise<string[]> {
    const db = await this.#db();
    const live = withExpiryGuard({}, this.#now());
    return this.#run("list collections", async () => {
      // listCollections cannot run in a transaction; the emptiness checks can, and must.
      const infos = await db
        .listCollections({ type: "collection" }, { nameOnly: true, authorizedCollections: true })
        .toArray();
      const names: string[] = [];
      for (const info of infos) {
        const name = fromMongoCollectionName(info.name);
        if (name === undefined) continue;
        const any = await db
          .collection(info.name)
          .findOne(live, { projection: { _id: 1 }, ...this.#session() });
        if (any !== null) names.push(name);
      }
      return names.sort();
    });
  }

  async ensureIndexes(collection: string, indexes: readonly IndexSpec[]): Promise<boolean> {
    const descriptions = toMongoIndexSpecs(indexes);
    const target = await this.#writable(collection);
    if (descriptions.length > 0) {
      await this.#run("create indexes", () => target.createIndexes(descriptions));
    }
    return true;
  }

  async search(collection: string, query: VectorQuery): Promise<VectorHit[]> {
    const vector = validateVector(query.vector, { source });
    const options = this.#connection.options;
    const metric = options.vectorMetrics[collection] ?? options.vectorMetric;
    const target = await this.#collection(collection);
    const filter = this.#liveFilter(query.filter ?? { type: "and", children: [] });
    const scored = await this.#run("search", () =>
      scoreCollection(target as unknown as Collection<Document>, {
        vector,
        filter,
        metric,
        limit: query.limit ?? 10,
        minScore: query.minScore,
        session: this.#scope?.session,
      }),
    );
    const records = await this.getMany(
      collection,
      scored.map((hit) => hit.key),
    );
    const hits: VectorHit[] = [];
    for (const [index, hit] of scored.entries()) {
      const record = records[index];
      // A record deleted between scoring and reading is simply not returned.
      if (record) hits.push({ record, score: hit.score });
    }
    return hits;
  }

  async transaction<T>(fn: (tx: StorageProvider) => Promise<T>): Promise<T> {
    if (this.#scope !== undefined) {
      // A nested transaction joins the one in progress (MongoDB has no savepoints).
      await this.#db();
      return fn(this);
    }
    await this.#connection.connect();
    if (!this.#connection.transactions) {
      throw new UnsupportedCapabilityError(
        "transactions",
        "MongoDB transactions need a replica set or a sharded cluster; this server is standalone",
        { source },
      );
    }
    try {
      return await this.#connection.withTransaction(async (session) => {
        const scope: TransactionScope = { session, finished: false };
        try {
          return await fn(new MongodbProvider(this.#connection, this.database, scope));
        } finally {
          scope.finished = true;
        }
      });
    } catch (error) {
      throw isDriverError(error) ? toProviderError(error, "transaction") : error;
    }
  }

  async dropDatabase(): Promise<void> {
    const db = await this.#db();
    if (this.#scope !== undefined) {
      for (const name of await this.listCollections()) await this.dropCollection(name);
      return;
    }
    await this.#run("drop the database", () => db.dropDatabase());
    this.#connection.forgetPrepared(this.mongoDatabaseName);
  }

  health(): Promise<HealthStatus> {
    return checkMongoHealth(this.#connection);
  }

  async close(): Promise<void> {
    await this.#connection.close();
  }
}

/**
 * Creates a MongoDB provider. It connects on first use; give `client` to share an existing
 * `MongoClient` (the provider then never closes it).
 *
 * @example
 * const vault = createVault({ provider: mongodbProvider({ url: "mongodb://localhost:27017" }) });
 * await vault.store("notes", { text: "hello" }); // database agentvault_default_vault
 * @throws ValidationError for invalid options or a malformed connection string.
 */
export function mongodbProvider(options: MongodbProviderOptions = {}): MongodbStorageProvider {
  const resolved = resolveMongodbOptions(options);
  return new MongodbProvider(new MongoConnection(resolved), resolved.database);
}
