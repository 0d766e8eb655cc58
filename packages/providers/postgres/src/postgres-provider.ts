/**
 * `postgresProvider()`: AgentVault's storage contract on PostgreSQL.
 *
 * - One schema per AgentVault database, one table per collection (see `postgres-ddl.ts`),
 *   created on first write; reads of a missing table find nothing.
 * - Filters compile to SQL (`postgres-filter-compiler.ts`). Exact filters run entirely in SQL,
 *   with sort by `_id`, skip and limit pushed down; other filters select candidates that are
 *   re-checked in memory, so results never differ from the in-memory evaluator.
 * - `update` locks the row (`SELECT ... FOR UPDATE`) and applies `applyRecordUpdate` in one
 *   transaction, so concurrent updates of one key never lose a write, across processes too.
 * - Expired rows are never returned (`expires_at > now`, by the provider's clock) and are
 *   deleted in the background on writes, at most once per `sweepIntervalMs` per table.
 */

import {
  checkWithDatabase,
  type FindQuery,
  type HealthStatus,
  type IndexSpec,
  type ProviderCapabilities,
  type PutOptions,
  type RecordUpdate,
  type StorageProvider,
  type StoredRecord,
  systemClock,
  ValidationError,
  type VectorHit,
  type VectorQuery,
} from "@agentvault/core";
import type { FilterNode } from "@agentvault/query";
import { PostgresConnection } from "./postgres-connection.js";
import { source } from "./postgres-errors.js";
import { isValidSchemaPrefix, schemaNameFor } from "./postgres-identifiers.js";
import type { PostgresProviderOptions } from "./postgres-options.js";
import { PostgresRecordStore } from "./postgres-record-store.js";
import {
  atomicInScope,
  inNewTransaction,
  poolSession,
  retryOnMissingTable,
  runInScope,
  type Session,
  type TransactionScope,
} from "./postgres-session.js";
import { SchemaTables } from "./postgres-tables.js";

const capabilities: ProviderCapabilities = Object.freeze({
  nativeTtl: false,
  transactions: true,
  vectorSearch: true,
  watch: false,
  indexes: true,
  nativeFilters: true,
});

/** The PostgreSQL provider: a `StorageProvider` whose optional methods all exist. */
export type PostgresStorageProvider = StorageProvider &
  Required<Pick<StorageProvider, "search" | "transaction" | "ensureIndexes">>;

/** What siblings and transaction-bound providers share. */
interface ProviderRoot {
  readonly connection: PostgresConnection;
  readonly options: PostgresProviderOptions;
  readonly schemaPrefix: string;
  readonly now: () => number;
}

class PostgresProvider implements PostgresStorageProvider {
  readonly name = source;
  readonly capabilities = capabilities;
  readonly database: string;
  readonly #root: ProviderRoot;
  readonly #scope: TransactionScope | undefined;
  readonly #tables: SchemaTables;
  readonly #store: PostgresRecordStore;

  constructor(root: ProviderRoot, database: string, scope?: TransactionScope) {
    this.#root = root;
    this.database = database;
    this.#scope = scope;
    this.#tables = new SchemaTables(root.connection, schemaNameFor(root.schemaPrefix, database));
    this.#store = new PostgresRecordStore({
      tables: this.#tables,
      connection: root.connection,
      options: root.options,
    });
  }

  /** Runs one operation's statements: queued in a transaction, else on the pool. */
  #run<T>(fn: (session: Session) => Promise<T>): Promise<T> {
    if (this.#scope !== undefined) return runInScope(this.#scope, fn);
    const connection = this.#root.connection;
    connection.checkOpen();
    return retryOnMissingTable(
      () => fn(poolSession(connection)),
      () => connection.forget(this.#tables.schema),
    );
  }

  /** Runs one operation's statements atomically: a savepoint in a transaction, else its own. */
  #atomic<T>(fn: (session: Session) => Promise<T>): Promise<T> {
    if (this.#scope !== undefined) return atomicInScope(this.#scope, fn);
    const connection = this.#root.connection;
    return retryOnMissingTable(
      () => inNewTransaction(connection, fn),
      () => connection.forget(this.#tables.schema),
    );
  }

  /** Learns the server settings a filter needs, before any client is held. */
  async #prepare(filter: FilterNode) {
    const settings = await this.#root.connection.settings();
    return { filter, settings };
  }

  withDatabase(database: string): StorageProvider {
    checkWithDatabase(database, { inTransaction: this.#scope !== undefined, source });
    return new PostgresProvider(this.#root, database);
  }

  async get(collection: string, key: string): Promise<StoredRecord | null> {
    const now = this.#root.now();
    return this.#run((session) => this.#store.get(session, { collection, key, now }));
  }

  async getMany(collection: string, keys: readonly string[]): Promise<(StoredRecord | null)[]> {
    if (keys.length === 0) return [];
    const now = this.#root.now();
    return this.#run((session) => this.#store.getMany(session, { collection, keys, now }));
  }

  async put(collection: string, record: StoredRecord, options: PutOptions = {}): Promise<void> {
    const now = this.#root.now();
    const row = this.#store.prepare(record, now);
    await this.#run((session) =>
      this.#store.put(session, { collection, row, now, ifAbsent: options.ifAbsent === true }),
    );
    this.#sweepLater(collection);
  }

  async putMany(collection: string, records: readonly StoredRecord[]): Promise<void> {
    const now = this.#root.now();
    const rows = records.map((record) => this.#store.prepare(record, now));
    if (rows.length === 0) return;
    await this.#run((session) => this.#store.putMany(session, { collection, rows, now }));
    this.#sweepLater(collection);
  }

  async delete(collection: string, key: string): Promise<boolean> {
    const now = this.#root.now();
    return this.#run((session) => this.#store.delete(session, { collection, key, now }));
  }

  async find(collection: string, query: FindQuery): Promise<StoredRecord[]> {
    const { filter, settings } = await this.#prepare(query.filter);
    const now = this.#root.now();
    return this.#run((session) =>
      this.#store.find(session, { collection, filter, query: { ...query, filter }, now, settings }),
    );
  }

  async count(collection: string, filter: FilterNode): Promise<number> {
    const prepared = await this.#prepare(filter);
    const now = this.#root.now();
    return this.#run((session) => this.#store.count(session, { collection, ...prepared, now }));
  }

  async update(
    collection: string,
    key: string,
    changes: RecordUpdate,
  ): Promise<StoredRecord | null> {
    const now = this.#root.now();
    return this.#atomic((session) =>
      this.#store.update(session, { collection, key, changes, now }),
    );
  }

  async updateMany(collection: string, filter: FilterNode, changes: RecordUpdate): Promise<number> {
    const prepared = await this.#prepare(filter);
    const now = this.#root.now();
    return this.#atomic((session) =>
      this.#store.updateMany(session, { collection, ...prepared, changes, now }),
    );
  }

  async deleteMany(collection: string, filter: FilterNode): Promise<number> {
    const prepared = await this.#prepare(filter);
    const now = this.#root.now();
    return this.#atomic((session) =>
      this.#store.deleteMany(session, { collection, ...prepared, now }),
    );
  }

  async dropCollection(collection: string): Promise<number> {
    const now = this.#root.now();
    return this.#atomic((session) => this.#tables.drop(session, collection, now));
  }

  async listCollections(): Promise<string[]> {
    const now = this.#root.now();
    return this.#run((session) => this.#tables.list(session, now));
  }

  async ensureIndexes(collection: string, indexes: readonly IndexSpec[]): Promise<boolean> {
    return this.#atomic((session) =>
      this.#store.ensureIndexes(session, { collection, indexes, ownTransaction: !this.#scope }),
    );
  }

  async search(collection: string, query: VectorQuery): Promise<VectorHit[]> {
    const prepared = query.filter === undefined ? undefined : await this.#prepare(query.filter);
    const settings = prepared?.settings ?? (await this.#root.connection.settings());
    const now = this.#root.now();
    const metric =
      this.#root.options.vectorMetrics?.[collection] ?? this.#root.options.vectorMetric ?? "cosine";
    return this.#run((session) =>
      this.#store.search(session, {
        collection,
        query: { ...query, filter: prepared?.filter },
        metric,
        now,
        settings,
      }),
    );
  }

  async transaction<T>(fn: (tx: StorageProvider) => Promise<T>): Promise<T> {
    // Learn the server settings first: inside, the transaction holds its client.
    await this.#root.connection.settings();
    const parent = this.#scope;
    if (parent !== undefined) return this.#nestedTransaction(parent, fn);
    return inNewTransaction(this.#root.connection, async (session) => {
      const scope: TransactionScope = {
        state: { session, queue: Promise.resolve(), savepoints: 0 },
        finished: false,
      };
      try {
        const result = await fn(new PostgresProvider(this.#root, this.database, scope));
        // Operations started but not awaited by `fn` still belong to the transaction.
        await scope.state.queue;
        return result;
      } finally {
        scope.finished = true;
      }
    });
  }

  async #nestedTransaction<T>(
    parent: TransactionScope,
    fn: (tx: StorageProvider) => Promise<T>,
  ): Promise<T> {
    const scope: TransactionScope = { state: parent.state, finished: false };
    const savepoint = `av_nested_${++parent.state.savepoints}`;
    await runInScope(parent, (session) => session.executor.query(`SAVEPOINT ${savepoint}`));
    try {
      const result = await fn(new PostgresProvider(this.#root, this.database, scope));
      await runInScope(parent, (session) =>
        session.executor.query(`RELEASE SAVEPOINT ${savepoint}`),
      );
      return result;
    } catch (error) {
      await runInScope(parent, (session) =>
        session.executor.query(`ROLLBACK TO SAVEPOINT ${savepoint}`),
      ).catch(() => {});
      throw error;
    } finally {
      scope.finished = true;
    }
  }

  async dropDatabase(): Promise<void> {
    await this.#atomic(async (session) => {
      await this.#tables.lock(session);
      await this.#store.dropSchema(session);
    });
  }

  async health(): Promise<HealthStatus> {
    const started = performance.now();
    try {
      await this.#root.connection.executor.query("SELECT 1");
      return { ok: true, latencyMs: performance.now() - started };
    } catch {
      return { ok: false, message: "PostgreSQL is unavailable" };
    }
  }

  async close(): Promise<void> {
    // A transaction-bound provider does not own the connection.
    if (this.#scope === undefined) await this.#root.connection.close();
  }

  /** Deletes expired rows in the background, at most once per interval per table. */
  #sweepLater(collection: string): void {
    if (this.#scope !== undefined) return;
    const interval = this.#root.options.sweepIntervalMs ?? 60_000;
    const now = this.#root.now();
    this.#store.sweep({ collection, now, interval });
  }
}

/**
 * Creates a PostgreSQL provider. Nothing connects until the first operation.
 *
 * @throws ValidationError when `schemaPrefix` is not 1-16 lowercase letters, digits or `_`.
 * @example
 * const vault = createVault({
 *   provider: postgresProvider({ connectionString: process.env.POSTGRES_URL }),
 * });
 * await vault.store("orders", { total: 42 });
 */
export function postgresProvider(options: PostgresProviderOptions = {}): PostgresStorageProvider {
  const schemaPrefix = options.schemaPrefix ?? "av";
  if (!isValidSchemaPrefix(schemaPrefix)) {
    throw new ValidationError(
      "schemaPrefix must be 1-16 lowercase letters, digits or '_', starting with a letter",
      "schemaPrefix",
      { source },
    );
  }
  const root: ProviderRoot = {
    connection: new PostgresConnection(options),
    options,
    schemaPrefix,
    now: options.clock ?? systemClock,
  };
  return new PostgresProvider(root, options.database ?? "default");
}
