/**
 * The options of `sqliteProvider`, their defaults, and how a database name maps to a file.
 */

import type { Clock, VectorMetric } from "@agentvault/core";
import { ValidationError } from "@agentvault/core";
import type { Database } from "better-sqlite3";

/**
 * How hard a commit tries to survive a crash.
 *
 * - `"process"` (`synchronous=NORMAL` in WAL mode): a committed write survives the process
 *   being killed at any moment (`kill -9`, a crash, an exception), because it is already in the
 *   WAL file the operating system holds. A power cut or kernel crash may lose the last
 *   transactions before the next checkpoint, but never corrupts the database.
 * - `"power-loss"` (`synchronous=FULL`): every commit also waits for the disk (fsync of the
 *   WAL), so acknowledged writes survive power loss too, at the cost of one fsync per commit.
 */
export type SqliteDurability = "process" | "power-loss";

/**
 * How long a single `put` waits for others to share its commit (see the README's "Writes and
 * atomicity").
 *
 * - `"microtask"`: puts issued in the same synchronous run of code (`Promise.all` of puts, a
 *   batch of calls) share one commit; an awaited put in a loop is written almost at once.
 *   Right for one agent's own store.
 * - `"turn"`: puts issued anywhere in one event-loop turn share one commit, so independent
 *   callers (requests read from several sockets in one turn) do too, at the price of one turn
 *   of latency per put. Right for a server handling many concurrent requests.
 */
export type SqliteGroupCommit = "microtask" | "turn";

/** Options shared by both ways of creating the provider. */
export interface SqliteCommonOptions {
  /** The database this provider is bound to. @default "default" */
  readonly database?: string | undefined;
  /**
   * Crash durability of commits (see `SqliteDurability`). The default survives process crashes
   * and costs no fsync per write, the usual trade-off for an embedded agent store.
   * @default "process"
   */
  readonly durability?: SqliteDurability | undefined;
  /** How long a write waits for another process's lock before failing. @default 5000 */
  readonly busyTimeoutMs?: number | undefined;
  /** The clock deciding expiry and timestamps; tests pass a fake one. @default Date.now */
  readonly clock?: Clock | undefined;
  /** How often (at most) a write also deletes a collection's expired rows. @default 60000 */
  readonly sweepIntervalMs?: number | undefined;
  /** The vector metric of collections without an entry in `vectorMetrics`. @default "cosine" */
  readonly vectorMetric?: VectorMetric | undefined;
  /** Per-collection vector metrics, for example `{ images: "euclidean" }`. @default {} */
  readonly vectorMetrics?: { readonly [collection: string]: VectorMetric } | undefined;
  /** Prepared statements kept per database file. @default 500 */
  readonly statementCacheSize?: number | undefined;
  /** Which single puts share one commit (see `SqliteGroupCommit`). @default "microtask" */
  readonly groupCommit?: SqliteGroupCommit | undefined;
}

/** Options with a file or a folder of files. */
export interface SqliteFileOptions extends SqliteCommonOptions {
  /**
   * The file of this provider's own database (`":memory:"` for a private in-memory database).
   * Other databases (`withDatabase`) live beside it, as `<safe name>.db`.
   */
  readonly path?: string | undefined;
  /**
   * A folder holding one file per database, `<safe name>.db` (used when `path` is absent).
   * @default "./.agentvault"
   */
  readonly directory?: string | undefined;
  readonly db?: undefined;
}

/** Options with an already open better-sqlite3 connection. */
export interface SqliteConnectionOptions extends SqliteCommonOptions {
  /**
   * An open connection for this provider's own database. The provider sets its pragmas (WAL,
   * busy timeout, synchronous) and functions on it, and never closes it: its owner does. Other
   * databases (`withDatabase`) are opened beside its file (in memory when it has none).
   */
  readonly db: Database;
  readonly path?: undefined;
  readonly directory?: undefined;
}

/** The options of `sqliteProvider`. */
export type SqliteProviderOptions = SqliteFileOptions | SqliteConnectionOptions;

/** Options with every default filled in. */
export interface ResolvedSqliteOptions {
  readonly durability: SqliteDurability;
  readonly busyTimeoutMs: number;
  readonly clock: Clock;
  readonly sweepIntervalMs: number;
  readonly vectorMetric: VectorMetric;
  readonly vectorMetrics: { readonly [collection: string]: VectorMetric };
  readonly statementCacheSize: number;
  readonly groupCommit: SqliteGroupCommit;
}

const source = "sqlite";

function nonNegative(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new ValidationError(`${name} must be a non-negative number`, name, { source });
  }
  return value;
}

/** Checks the options and fills in the defaults. */
export function resolveSqliteOptions(options: SqliteCommonOptions): ResolvedSqliteOptions {
  const durability = options.durability ?? "process";
  if (durability !== "process" && durability !== "power-loss") {
    throw new ValidationError('durability must be "process" or "power-loss"', "durability", {
      source,
    });
  }
  const groupCommit = options.groupCommit ?? "microtask";
  if (groupCommit !== "microtask" && groupCommit !== "turn") {
    throw new ValidationError('groupCommit must be "microtask" or "turn"', "groupCommit", {
      source,
    });
  }
  return {
    durability,
    groupCommit,
    busyTimeoutMs: nonNegative(options.busyTimeoutMs, "busyTimeoutMs", 5000),
    clock: options.clock ?? Date.now,
    sweepIntervalMs: nonNegative(options.sweepIntervalMs, "sweepIntervalMs", 60_000),
    vectorMetric: options.vectorMetric ?? "cosine",
    vectorMetrics: options.vectorMetrics ?? {},
    statementCacheSize: Math.max(
      16,
      nonNegative(options.statementCacheSize, "statementCacheSize", 500),
    ),
  };
}
