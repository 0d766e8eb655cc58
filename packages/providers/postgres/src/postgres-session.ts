/**
 * How a provider runs statements: on the pool (each statement on its own), inside a transaction
 * it opens for one operation, or inside the caller's `transaction()`. A caller's transaction
 * owns one client, so its operations are queued and run one at a time, and each operation that
 * needs several statements runs under a savepoint, staying atomic within the transaction.
 */

import { ProviderUnavailableError } from "@agentvault/core";
import { clientExecutor, type Executor, type PostgresConnection } from "./postgres-connection.js";
import { isMissingRelation, source } from "./postgres-errors.js";

/** Where one operation's statements run. */
export interface Session {
  readonly executor: Executor;
  /** Whether the statements run inside a transaction (so DDL may join it). */
  readonly inTransaction: boolean;
  /** Tables this transaction created, known to exist only once it commits. */
  readonly createdTables: Set<string>;
}

/** A caller's transaction, shared by the providers bound to it (nested ones included). */
export interface TransactionState {
  readonly session: Session;
  queue: Promise<unknown>;
  savepoints: number;
}

/** One provider's view of a transaction: nested transactions finish before their parent. */
export interface TransactionScope {
  readonly state: TransactionState;
  finished: boolean;
}

/** Runs `fn` in the scope's queue, after every operation queued before it. */
export function runInScope<T>(scope: TransactionScope, fn: (session: Session) => Promise<T>) {
  const { state } = scope;
  const task = state.queue.then(() => {
    if (scope.finished) {
      throw new ProviderUnavailableError("The transaction has already finished", { source });
    }
    return fn(state.session);
  });
  state.queue = task.catch(() => {});
  return task;
}

/** Runs `fn` under a savepoint of the scope's transaction (rolled back if `fn` throws). */
export function atomicInScope<T>(scope: TransactionScope, fn: (session: Session) => Promise<T>) {
  return runInScope(scope, async (session) => {
    const savepoint = `av_savepoint_${++scope.state.savepoints}`;
    await session.executor.query(`SAVEPOINT ${savepoint}`);
    try {
      const result = await fn(session);
      await session.executor.query(`RELEASE SAVEPOINT ${savepoint}`);
      return result;
    } catch (error) {
      await session.executor.query(`ROLLBACK TO SAVEPOINT ${savepoint}`).catch(() => {});
      throw error;
    }
  });
}

/**
 * Runs `fn` in a transaction of its own on a dedicated client: BEGIN, `fn`, COMMIT (ROLLBACK
 * when `fn` throws). Tables created on the way are remembered once committed.
 */
export async function inNewTransaction<T>(
  connection: PostgresConnection,
  fn: (session: Session) => Promise<T>,
): Promise<T> {
  const client = await connection.connect();
  const session: Session = {
    executor: clientExecutor(client),
    inTransaction: true,
    createdTables: new Set(),
  };
  let broken = false;
  try {
    await session.executor.query("BEGIN");
    const result = await fn(session);
    await session.executor.query("COMMIT");
    for (const table of session.createdTables) connection.knownTables.add(table);
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    // A client whose ROLLBACK failed is in an unknown state: destroy it rather than reuse it.
    client.release(broken);
  }
}

/** A session on the pool: each statement commits on its own. */
export function poolSession(connection: PostgresConnection): Session {
  return { executor: connection.executor, inTransaction: false, createdTables: new Set() };
}

/**
 * Runs `attempt` once more when it failed because a table this process believed in was dropped
 * elsewhere, after `forget` cleared that belief.
 */
export async function retryOnMissingTable<T>(
  attempt: () => Promise<T>,
  forget: () => void,
): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    if (!isMissingRelation(error)) throw error;
    forget();
    return attempt();
  }
}
