/**
 * `sqliteProvider`: the embedded default. One SQLite file per database, WAL mode, a table per
 * collection, filters compiled to SQL (see `sqlite-filter-compiler.ts`), writes in
 * transactions.
 *
 * Concurrency model: better-sqlite3 runs every statement synchronously, so single operations
 * never interleave within a process, and writes take SQLite's write lock (`BEGIN IMMEDIATE`),
 * so read-modify-writes are atomic across processes too (other processes wait up to
 * `busyTimeoutMs`). `transaction(fn)` holds the connection in `BEGIN IMMEDIATE` for as long as
 * `fn` runs, across awaits: transactions on one database run one after another, and every
 * other operation on that database waits until the running one commits or rolls back, except
 * calls made from `fn`'s own async flow, which join it (see `sqlite-connection.ts`).
 */

import {
  checkWithDatabase,
  defaultSearchLimit,
  type FindQuery,
  type HealthStatus,
  type IndexSpec,
  type ProviderCapabilities,
  ProviderUnavailableError,
  type PutOptions,
  type RecordUpdate,
  type StorageProvider,
  type StoredRecord,
  ValidationError,
  type VectorHit,
  type VectorMetric,
  type VectorQuery,
  validateVector,
} from "@agentvault/core";
import type { FilterNode } from "@agentvault/query";
import type { CollectionInfo } from "./sqlite-collection-registry.js";
import {
  openSqliteConnection,
  runInScope,
  type SqliteConnection,
  type TransactionScope,
} from "./sqlite-connection.js";
import { databaseFilePath } from "./sqlite-database-file.js";
import { isMissingTable, toAgentVaultError } from "./sqlite-errors.js";
import { createIndex } from "./sqlite-indexes.js";
import type { ResolvedSqliteOptions } from "./sqlite-provider-options.js";
import { countRecords, findRecords, getRecord, planFind } from "./sqlite-record-reads.js";
import {
  deleteMatching,
  deleteRecord,
  dropCollectionTable,
  putRecords,
  sweepExpired,
  tryPutAlone,
  updateMatching,
  updateRecord,
} from "./sqlite-record-writes.js";
import type { ConnectionStep } from "./sqlite-vector-index.js";
import type {
  CollectionRead,
  SqliteVectorIndexStatus,
  SqliteVectorPlanner,
} from "./sqlite-vector-planner.js";

const source = "sqlite";

const capabilities: ProviderCapabilities = Object.freeze({
  nativeTtl: false,
  transactions: true,
  vectorSearch: true,
  watch: false,
  indexes: true,
  nativeFilters: true,
});

/** How a find query runs on SQLite (see `explainFind`). */
export interface SqliteQueryExplanation {
  /**
   * `sql`: filter, sort, skip and limit all run in SQL. `sortInMemory`: the filter runs in SQL
   * and the order in memory. `residual`: SQL selects candidates, memory filters them again.
   */
  readonly mode: "sql" | "sortInMemory" | "residual";
  /** SQLite's `EXPLAIN QUERY PLAN` lines for the main statement. */
  readonly plan: readonly string[];
  /** The declared indexes (by their `ensureIndexes` names) the plan uses. */
  readonly indexes: readonly string[];
}

/** The SQLite provider: a `StorageProvider` whose optional methods all exist, plus `explainFind`. */
export type SqliteStorageProvider = StorageProvider &
  Required<Pick<StorageProvider, "search" | "transaction" | "ensureIndexes">> & {
    /** Says how a find query would run: in SQL or in memory, and with which indexes. */
    explainFind(collection: string, query: FindQuery): Promise<SqliteQueryExplanation>;
    /**
     * Builds the collection's approximate vector index now when it qualifies (or waits for the
     * build under way) and says whether its searches run exactly or approximately.
     */
    prepareVectorIndex(collection: string): Promise<SqliteVectorIndexStatus>;
  };

/** Where each database's file is, and the connections opened so far (shared by siblings). */
export interface SqliteRoot {
  readonly options: ResolvedSqliteOptions;
  /** Vector search planning and the approximate indexes (see `sqlite-vector-planner.ts`). */
  readonly vectors: SqliteVectorPlanner;
  readonly connections: Map<string, SqliteConnection>;
  /** The database of the provider that was created, and how to open it. */
  readonly home: {
    readonly database: string;
    /** The absolute path of its file, when it has one. */
    readonly file: string | undefined;
    readonly open: () => SqliteConnection;
  };
  /** The folder sibling databases live in; undefined for in-memory databases. */
  readonly directory: string | undefined;
  closed: boolean;
}

function checkCollection(collection: unknown): string {
  if (typeof collection !== "string" || collection.length === 0) {
    throw new ValidationError("A collection name must be a non-empty string", "collection", {
      source,
    });
  }
  return collection;
}

/** The provider bound to one database (and, inside `transaction`, to one transaction). */
export class SqliteProvider implements SqliteStorageProvider {
  readonly name = source;
  readonly capabilities = capabilities;
  readonly database: string;
  readonly #root: SqliteRoot;
  readonly #scope: TransactionScope | undefined;

  constructor(root: SqliteRoot, database: string, scope?: TransactionScope) {
    this.#root = root;
    this.database = database;
    this.#scope = scope;
  }

  #now(): number {
    return this.#root.options.clock();
  }

  /** The connection, opened on first use. */
  #connection(): SqliteConnection {
    const root = this.#root;
    if (root.closed)
      throw new ProviderUnavailableError("The SQLite provider is closed", { source });
    if (this.#scope?.finished) {
      throw new ProviderUnavailableError("The transaction has already finished", { source });
    }
    let connection = root.connections.get(this.database);
    if (connection === undefined) {
      if (this.database === root.home.database) connection = root.home.open();
      else {
        const file =
          root.directory === undefined
            ? ":memory:"
            : databaseFilePath(root.directory, this.database);
        if (file !== ":memory:" && file === root.home.file) {
          throw new ValidationError(
            "This database name maps to the provider's own file; choose another name",
            "database",
            { source },
          );
        }
        connection = openSqliteConnection(file, root.options);
      }
      root.connections.set(this.database, connection);
    }
    return connection;
  }

  /**
   * Runs one operation: waits its turn behind a running transaction, maps SQLite errors, and
   * retries once when another connection dropped a table this one still knew.
   */
  async #run<T>(operation: (connection: SqliteConnection) => T): Promise<T> {
    try {
      let connection = this.#connection();
      if (!connection.mayRun(this.#scope)) {
        await connection.waitTurn(this.#scope);
        connection = this.#connection();
      }
      // Queued writes were issued before this operation: they take effect first.
      if (connection.activeScope === undefined) connection.flushQueued();
      try {
        return operation(connection);
      } catch (error) {
        if (!isMissingTable(error) || connection.db.inTransaction) throw error;
        connection.registry.reset();
        return operation(connection);
      }
    } catch (error) {
      throw toAgentVaultError(error);
    }
  }

  /** Runs `operation` in a write transaction on the collection, created if needed. */
  #write<T>(
    collection: string,
    operation: (connection: SqliteConnection, info: CollectionInfo, now: number) => T,
  ): Promise<T> {
    const name = checkCollection(collection);
    return this.#run((connection) =>
      connection.write(() => {
        const now = this.#now();
        const info = connection.registry.ensure(name, now);
        sweepExpired(connection, info, now, this.#root.options.sweepIntervalMs);
        return operation(connection, info, now);
      }),
    );
  }

  /** Runs `operation` in a write transaction on an existing collection (else returns `absent`). */
  #writeExisting<T>(
    collection: string,
    absent: T,
    operation: (connection: SqliteConnection, info: CollectionInfo, now: number) => T,
  ): Promise<T> {
    const name = checkCollection(collection);
    return this.#run((connection) =>
      connection.write(() => {
        const info = connection.registry.findFresh(name);
        if (info === undefined) return absent;
        const now = this.#now();
        sweepExpired(connection, info, now, this.#root.options.sweepIntervalMs);
        return operation(connection, info, now);
      }),
    );
  }

  /** Runs a filtered read consistently with the registry (see `SqliteConnection.read`). */
  #read<T>(
    collection: string,
    absent: T,
    operation: (connection: SqliteConnection, info: CollectionInfo, now: number) => T,
  ): Promise<T> {
    const name = checkCollection(collection);
    return this.#run((connection) =>
      connection.read(() => {
        const info = connection.registry.find(name);
        return info === undefined ? absent : operation(connection, info, this.#now());
      }),
    );
  }

  withDatabase(database: string): StorageProvider {
    checkWithDatabase(database, { inTransaction: this.#scope !== undefined, source });
    return new SqliteProvider(this.#root, database);
  }

  /**
   * Gets one record, at once: a lone read needs no transaction of its own, so it is not held
   * back for a group (that would add a turn of latency to every awaited get). Puts queued
   * before it are written first, so it sees them.
   */
  async get(collection: string, key: string): Promise<StoredRecord | null> {
    const name = checkCollection(collection);
    return this.#run((connection) => {
      const info = connection.registry.find(name);
      return info === undefined ? null : getRecord(connection, info, key, this.#now());
    });
  }

  async getMany(collection: string, keys: readonly string[]): Promise<(StoredRecord | null)[]> {
    const name = checkCollection(collection);
    return this.#run((connection) => {
      const info = connection.registry.find(name);
      if (info === undefined) return keys.map(() => null);
      const now = this.#now();
      return keys.map((key) => getRecord(connection, info, key, now));
    });
  }

  /**
   * Puts one record. Outside transactions, puts are group-committed: those issued in the same
   * event-loop turn share one transaction (see `SqliteConnection.queueOperation`), and each
   * resolves once that transaction committed, or rejects with its own error.
   */
  async put(collection: string, record: StoredRecord, options: PutOptions = {}): Promise<void> {
    const name = checkCollection(collection);
    const ifAbsent = options.ifAbsent === true;
    const { sweepIntervalMs } = this.#root.options;
    const operation = (connection: SqliteConnection) => {
      const now = this.#now();
      const known = connection.registry.find(name);
      if (known !== undefined && now - known.lastSweep < sweepIntervalMs) {
        if (tryPutAlone(connection, known, record, { now, ifAbsent })) return;
      }
      connection.write(() => {
        const info = connection.registry.ensure(name, now);
        sweepExpired(connection, info, now, sweepIntervalMs);
        putRecords(connection, info, [record], { now, ifAbsent });
      });
    };
    return this.#grouped(operation);
  }

  /**
   * Runs a single put or get in the connection's next group (see
   * `SqliteConnection.queueOperation`), or at once inside a transaction.
   */
  async #grouped<T>(operation: (connection: SqliteConnection) => T): Promise<T> {
    let connection: SqliteConnection;
    try {
      connection = this.#connection();
    } catch (error) {
      throw toAgentVaultError(error);
    }
    if (this.#scope !== undefined || connection.activeScope !== undefined) {
      return this.#run(operation);
    }
    return new Promise<T>((resolve, reject) => {
      connection.queueOperation({
        apply: () => operation(connection),
        done: (failed, resultOrError) => {
          if (!failed) resolve(resultOrError as T);
          else if (isMissingTable(resultOrError)) {
            // Another connection dropped a table this one still knew: retry alone, as `#run` does.
            connection.registry.reset();
            this.#run(operation).then(resolve, reject);
          } else reject(toAgentVaultError(resultOrError));
        },
      });
    });
  }

  async putMany(collection: string, records: readonly StoredRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return this.#write(collection, (connection, info, now) =>
      putRecords(connection, info, records, { now }),
    );
  }

  async delete(collection: string, key: string): Promise<boolean> {
    return this.#writeExisting(collection, false, (connection, info, now) =>
      deleteRecord(connection, info, key, now),
    );
  }

  async find(collection: string, query: FindQuery): Promise<StoredRecord[]> {
    if (query.limit === 0) return Promise.resolve([]);
    return this.#read(collection, [], (connection, info, now) =>
      findRecords(connection, info, query, now),
    );
  }

  async explainFind(collection: string, query: FindQuery): Promise<SqliteQueryExplanation> {
    const empty: SqliteQueryExplanation = { mode: "sql", plan: [], indexes: [] };
    return this.#read(collection, empty, (connection, info, now) => {
      const found = planFind(connection, info, query, now);
      const rows = connection.db
        .prepare(`EXPLAIN QUERY PLAN ${found.sql}`)
        .all(...found.params) as { detail: string }[];
      const plan = rows.map((row) => row.detail);
      const text = plan.join("\n");
      const indexes = [...info.indexes]
        .filter(([, sqlName]) => text.includes(sqlName.slice(1, -1)))
        .map(([name]) => name);
      return { mode: found.mode, plan, indexes };
    });
  }

  async count(collection: string, filter: FilterNode): Promise<number> {
    return this.#read(collection, 0, (connection, info, now) =>
      countRecords(connection, info, filter, now),
    );
  }

  async update(
    collection: string,
    key: string,
    changes: RecordUpdate,
  ): Promise<StoredRecord | null> {
    return this.#writeExisting(collection, null, (connection, info, now) =>
      updateRecord(connection, info, key, changes, now),
    );
  }

  async updateMany(collection: string, filter: FilterNode, changes: RecordUpdate): Promise<number> {
    return this.#writeExisting(collection, 0, (connection, info, now) =>
      updateMatching(connection, info, filter, changes, now),
    );
  }

  async deleteMany(collection: string, filter: FilterNode): Promise<number> {
    return this.#writeExisting(collection, 0, (connection, info, now) =>
      deleteMatching(connection, info, filter, now),
    );
  }

  async dropCollection(collection: string): Promise<number> {
    return this.#writeExisting(collection, 0, (connection, info, now) =>
      dropCollectionTable(connection, info, now),
    );
  }

  async listCollections(): Promise<string[]> {
    return this.#run((connection) =>
      connection.read(() => {
        const now = this.#now();
        const names = connection.registry
          .all()
          .filter((info) =>
            connection
              .statement(
                `SELECT EXISTS (SELECT 1 FROM ${info.table} WHERE expires_at IS NULL OR expires_at > ?)`,
              )
              .pluck()
              .get(now),
          )
          .map((info) => info.name);
        return names.sort();
      }),
    );
  }

  async ensureIndexes(collection: string, indexes: readonly IndexSpec[]): Promise<boolean> {
    if (!Array.isArray(indexes)) {
      throw new ValidationError("ensureIndexes needs a list of index specs", "indexes", { source });
    }
    return this.#write(collection, (connection, info) => {
      let allNative = true;
      for (const spec of indexes) allNative = createIndex(connection, info, spec) && allNative;
      return allNative;
    });
  }

  async search(collection: string, query: VectorQuery): Promise<VectorHit[]> {
    const vector = validateVector(query?.vector, { source });
    const name = checkCollection(collection);
    const input = {
      vector,
      metric: this.#metric(name),
      filter: query.filter,
      limit: query.limit ?? defaultSearchLimit,
      minScore: query.minScore,
    };
    return this.#root.vectors.search(name, input, this.#vectorAccess(name));
  }

  async prepareVectorIndex(collection: string): Promise<SqliteVectorIndexStatus> {
    const name = checkCollection(collection);
    const metric = this.#metric(name);
    return this.#root.vectors.prepare({ metric }, this.#vectorAccess(name));
  }

  #metric(collection: string): VectorMetric {
    const options = this.#root.options;
    return options.vectorMetrics[collection] ?? options.vectorMetric;
  }

  /** How the vector planner reads a collection and runs index maintenance, in turn. */
  #vectorAccess(collection: string): { read: CollectionRead; step: ConnectionStep } {
    return {
      read: (absent, operation) => this.#read(collection, absent, operation),
      step: (operation) => this.#run(operation),
    };
  }

  async transaction<T>(fn: (tx: StorageProvider) => Promise<T>): Promise<T> {
    let connection: SqliteConnection;
    try {
      connection = this.#connection();
    } catch (error) {
      throw toAgentVaultError(error);
    }
    // Called from inside a running transaction's flow (even through the outer provider): nest.
    const parent = this.#scope ?? connection.joinedScope();
    const scope: TransactionScope = { parent, finished: false };
    const tx = new SqliteProvider(this.#root, this.database, scope);
    if (parent === undefined) {
      try {
        return await connection.runTransaction(scope, () => fn(tx));
      } catch (error) {
        throw toAgentVaultError(error);
      }
    }
    // Nested: a savepoint inside the running transaction.
    await connection.waitTurn(parent);
    const savepoint = `av_tx_${Math.random().toString(36).slice(2)}`;
    connection.db.exec(`SAVEPOINT ${savepoint}`);
    try {
      const result = await runInScope(scope, () => fn(tx));
      connection.db.exec(`RELEASE ${savepoint}`);
      return result;
    } catch (error) {
      connection.db.exec(`ROLLBACK TO ${savepoint}`);
      connection.db.exec(`RELEASE ${savepoint}`);
      connection.registry.invalidate();
      throw toAgentVaultError(error);
    } finally {
      scope.finished = true;
    }
  }

  async dropDatabase(): Promise<void> {
    return this.#run((connection) =>
      connection.write(() => {
        connection.registry.sync();
        const now = this.#now();
        for (const info of connection.registry.all()) dropCollectionTable(connection, info, now);
      }),
    );
  }

  async health(): Promise<HealthStatus> {
    const started = performance.now();
    try {
      await this.#run((connection) => connection.statement("SELECT 1").get());
      return { ok: true, latencyMs: performance.now() - started };
    } catch (error) {
      const message = error instanceof Error ? error.message : "unavailable";
      return { ok: false, latencyMs: performance.now() - started, message };
    }
  }

  async close(): Promise<void> {
    const root = this.#root;
    if (root.closed) return;
    root.closed = true;
    for (const connection of root.connections.values()) connection.close();
    root.connections.clear();
  }
}
