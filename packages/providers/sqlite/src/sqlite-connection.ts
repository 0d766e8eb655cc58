/**
 * One open database file: the better-sqlite3 connection with its pragmas and functions, a
 * bounded cache of prepared statements, the registry view, and the gate that holds other work
 * back while an async transaction runs on the connection.
 *
 * better-sqlite3 is synchronous, so every operation runs start to finish without yielding and
 * operations on one connection never interleave. Only `transaction(fn)` spans awaits; while it
 * runs, the connection is inside `BEGIN IMMEDIATE`, and every operation that is not part of it
 * waits at the gate (it would otherwise see, or join, the uncommitted work).
 */

import { AsyncLocalStorage } from "node:async_hooks";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { ProviderUnavailableError } from "@agentvault/core";
import BetterSqlite3, { type Database, type Statement } from "better-sqlite3";
import { CollectionRegistry } from "./sqlite-collection-registry.js";
import { registerSqlFunctions } from "./sqlite-functions.js";
import type { ResolvedSqliteOptions } from "./sqlite-provider-options.js";
import { registrySchema } from "./sqlite-schema.js";

/** A transaction running on a connection; nested transactions point at their parent. */
export interface TransactionScope {
  readonly parent: TransactionScope | undefined;
  finished: boolean;
}

const source = "sqlite";

/**
 * The transaction whose async flow the running code belongs to. Calls made inside a
 * transaction's `fn` through the outer provider (instead of the `tx` one) join the
 * transaction rather than waiting for it to end, which would never happen.
 */
const transactionContext = new AsyncLocalStorage<TransactionScope>();

/** Runs `fn` in `scope`'s async context (see `transactionContext`). */
export function runInScope<T>(scope: TransactionScope, fn: () => Promise<T>): Promise<T> {
  return transactionContext.run(scope, fn);
}

/** A single put waiting for the connection's next group (see `SqliteConnection.queueOperation`). */
export interface QueuedOperation {
  /** Does the work; runs inside the group's transaction (or alone when it is the only one). */
  readonly apply: () => unknown;
  /** Called once the group committed, with `apply`'s result, or with the error it threw. */
  readonly done: (failed: boolean, resultOrError: unknown) => void;
}

/** An open database file. */
export class SqliteConnection {
  readonly db: Database;
  readonly registry: CollectionRegistry;
  readonly #ownsDb: boolean;
  readonly #statements = new Map<string, Statement>();
  readonly #cacheSize: number;
  readonly #immediate: (fn: () => unknown) => unknown;
  readonly #deferred: (fn: () => unknown) => unknown;
  /** The top-level transaction holding the connection, if any. */
  activeScope: TransactionScope | undefined;
  #idle: Promise<void> = Promise.resolve();
  #transactionTail: Promise<void> = Promise.resolve();
  #queued: QueuedOperation[] = [];
  #flushScheduled = false;
  readonly #schedule: (callback: () => void) => void;
  readonly #flush = (): void => {
    this.#flushScheduled = false;
    this.flushQueued();
  };

  constructor(db: Database, ownsDb: boolean, options: ResolvedSqliteOptions) {
    this.db = db;
    this.#ownsDb = ownsDb;
    this.#cacheSize = options.statementCacheSize;
    this.#schedule = options.groupCommit === "turn" ? setImmediate : queueMicrotask;
    db.pragma(`busy_timeout = ${Math.round(options.busyTimeoutMs)}`);
    if (!db.memory) db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${options.durability === "power-loss" ? "FULL" : "NORMAL"}`);
    registerSqlFunctions(db);
    db.exec(registrySchema);
    this.registry = new CollectionRegistry(db);
    const run = db.transaction((fn: () => unknown) => fn());
    this.#immediate = run.immediate;
    this.#deferred = run.deferred;
  }

  /** A cached prepared statement for `sql` (the text must be built from trusted parts). */
  statement(sql: string): Statement {
    const cached = this.#statements.get(sql);
    // First in, first out: cheaper on every hit than keeping recency order.
    if (cached !== undefined) return cached;
    const prepared = this.db.prepare(sql);
    this.#statements.set(sql, prepared);
    if (this.#statements.size > this.#cacheSize) {
      const oldest = this.#statements.keys().next().value;
      if (oldest !== undefined) this.#statements.delete(oldest);
    }
    return prepared;
  }

  /**
   * Runs `fn` in a write transaction (`BEGIN IMMEDIATE`, which takes the database's write lock
   * up front, so a read-modify-write is atomic across processes too), or in a savepoint when a
   * transaction is already open. Everything `fn` did is undone when it throws.
   */
  write<T>(fn: () => T): T {
    try {
      return this.#immediate(fn) as T;
    } catch (error) {
      // Cached registry state may describe rolled-back changes: reload it next time.
      this.registry.invalidate();
      throw error;
    }
  }

  /**
   * Group commit: queues a single put to run with every other one queued before the flush (a
   * microtask, or the event loop's next check phase with `groupCommit: "turn"`), all in one
   * transaction: one commit (one WAL append) instead of one each. Each operation still succeeds or
   * fails on its own: a failing statement is undone alone (SQLite rolls back the statement, or
   * the write's own savepoint), and `done` reports it. Every other operation on the connection
   * runs the queue first (`flushQueued`), so operations take effect in the order issued.
   */
  queueOperation(operation: QueuedOperation): void {
    this.#queued.push(operation);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    this.#schedule(this.#flush);
  }

  /** Runs the queued operations now (see `queueOperation`). Call only when no transaction is open. */
  flushQueued(): void {
    const queued = this.#queued;
    if (queued.length === 0) return;
    this.#queued = [];
    if (queued.length === 1) {
      const [only] = queued as [QueuedOperation];
      let result: unknown;
      try {
        result = only.apply();
      } catch (error) {
        only.done(true, error);
        return;
      }
      only.done(false, result);
      return;
    }
    const failed = new Array<boolean>(queued.length).fill(false);
    const results = new Array<unknown>(queued.length);
    const runAll = () => {
      for (let index = 0; index < queued.length; index++) {
        try {
          results[index] = (queued[index] as QueuedOperation).apply();
        } catch (error) {
          failed[index] = true;
          results[index] = error;
        }
      }
    };
    try {
      this.write(runAll);
    } catch (error) {
      // BEGIN or COMMIT failed: nothing of the group was written.
      for (const operation of queued) operation.done(true, error);
      return;
    }
    for (let index = 0; index < queued.length; index++) {
      (queued[index] as QueuedOperation).done(failed[index] as boolean, results[index]);
    }
  }

  /**
   * Runs a read whose SQL depends on the registry (array shapes, indexes) consistently with
   * the rows it reads. It runs on the cached registry first; if `PRAGMA data_version` then
   * shows that another connection committed since the registry was last synced (possibly while
   * the read ran), the result is discarded and the read runs again inside one read transaction,
   * with the registry reloaded from the same snapshot. One pragma per read in the common case.
   */
  read<T>(fn: () => T): T {
    if (this.db.inTransaction) {
      this.registry.sync();
      return fn();
    }
    const result = fn();
    if (this.registry.isCurrent()) return result;
    return this.#deferred(() => {
      this.registry.invalidate();
      this.registry.sync();
      return fn();
    }) as T;
  }

  /** Whether `scope` (or one of its parents) is the transaction holding the connection. */
  #owns(scope: TransactionScope | undefined): boolean {
    const chainHolds = (start: TransactionScope | undefined) => {
      for (let current = start; current !== undefined; current = current.parent) {
        if (current === this.activeScope) return true;
      }
      return false;
    };
    return chainHolds(scope) || chainHolds(transactionContext.getStore());
  }

  /**
   * The transaction the caller's async flow runs in, when it holds this connection (so a new
   * transaction must nest inside it as a savepoint).
   */
  joinedScope(): TransactionScope | undefined {
    const store = transactionContext.getStore();
    return store !== undefined && this.activeScope !== undefined && this.#owns(store)
      ? store
      : undefined;
  }

  /** Waits until no transaction other than `scope`'s holds the connection. */
  async waitTurn(scope: TransactionScope | undefined): Promise<void> {
    while (this.activeScope !== undefined && !this.#owns(scope)) await this.#idle;
  }

  /** Whether work of `scope` may run right now without waiting. */
  mayRun(scope: TransactionScope | undefined): boolean {
    return this.activeScope === undefined || this.#owns(scope);
  }

  /**
   * Runs `fn` as the connection's next top-level transaction: transactions queue behind each
   * other, and other work waits until this one ends.
   */
  async runTransaction<T>(scope: TransactionScope, fn: () => Promise<T>): Promise<T> {
    const previous = this.#transactionTail;
    let release!: () => void;
    this.#transactionTail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    while (this.activeScope !== undefined) await this.#idle;
    let becomeIdle!: () => void;
    this.#idle = new Promise<void>((resolve) => {
      becomeIdle = resolve;
    });
    // Writes queued before the transaction began go first, outside it.
    this.flushQueued();
    this.activeScope = scope;
    try {
      this.db.exec("BEGIN IMMEDIATE");
      try {
        const result = await runInScope(scope, fn);
        this.db.exec("COMMIT");
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
        this.registry.invalidate();
        throw error;
      }
    } finally {
      scope.finished = true;
      this.activeScope = undefined;
      becomeIdle();
      release();
    }
  }

  /** Closes the connection (unless the caller owns it). */
  close(): void {
    if (this.db.open) this.flushQueued();
    this.#statements.clear();
    if (!this.#ownsDb || !this.db.open) return;
    try {
      // Refreshes the planner's statistics where they are stale (SQLite's advice for closing).
      this.db.pragma("optimize");
    } catch {
      // Best effort: a busy or read-only file still closes.
    }
    this.db.close();
  }
}

/**
 * Opens (creating if needed) a database file, or `:memory:`.
 * @throws ProviderUnavailableError when the file cannot be opened.
 */
export function openSqliteConnection(
  file: string,
  options: ResolvedSqliteOptions,
): SqliteConnection {
  let db: Database | undefined;
  try {
    if (file !== ":memory:" && file !== "") mkdirSync(dirname(file), { recursive: true });
    db = new BetterSqlite3(file, { timeout: options.busyTimeoutMs });
    return new SqliteConnection(db, true, options);
  } catch (error) {
    db?.close();
    throw new ProviderUnavailableError("The SQLite database file cannot be opened", {
      source,
      cause: error,
    });
  }
}

/** Wraps a connection the caller opened (and keeps owning). */
export function adoptSqliteConnection(
  db: Database,
  options: ResolvedSqliteOptions,
): SqliteConnection {
  try {
    return new SqliteConnection(db, false, options);
  } catch (error) {
    throw new ProviderUnavailableError("The given SQLite connection cannot be used", {
      source,
      cause: error,
    });
  }
}
