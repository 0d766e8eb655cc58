/**
 * Options of `redisProvider`, and their checks. Timeouts default low on purpose: an agent
 * should learn within seconds that its store is down, not hang.
 */

import { type Clock, systemClock, ValidationError, type VectorMetric } from "@agentvault/core";
import type { Cluster, Redis } from "ioredis";

/** Options for `redisProvider`. Connection settings are used only when `client` is absent. */
export interface RedisProviderOptions {
  /**
   * A connection URL (`redis://user:password@host:6379/0`, `rediss://` for TLS).
   * @default process.env.REDIS_URL, else "redis://127.0.0.1:6379" (unless `host` is given)
   */
  readonly url?: string | undefined;
  /** Server host, when no `url` is given. @default "127.0.0.1" */
  readonly host?: string | undefined;
  /** Server port, when no `url` is given. @default 6379 */
  readonly port?: number | undefined;
  /** ACL user name. @default none */
  readonly username?: string | undefined;
  /** Password. @default none */
  readonly password?: string | undefined;
  /** The logical Redis database (`SELECT`), not to be confused with `database`. @default 0 */
  readonly db?: number | undefined;
  /**
   * An existing ioredis `Redis` or `Cluster` client to use instead of opening one. The provider
   * never closes it. Its own `keyPrefix` option must be unset (the provider lays out its keys
   * itself, and Lua scripts build key names). Give it `enableOfflineQueue: false` and a
   * `commandTimeout` for fast failures; the provider also bounds every call by `commandTimeoutMs`.
   */
  readonly client?: Redis | Cluster | undefined;
  /** The first part of every key; must not contain `{` or `}`. @default "av" */
  readonly keyPrefix?: string | undefined;
  /** The AgentVault database this instance is bound to. @default "default" */
  readonly database?: string | undefined;
  /**
   * How long one call may wait for Redis (connecting included) before failing with
   * `ProviderUnavailableError`.
   * @default 2000
   */
  readonly commandTimeoutMs?: number | undefined;
  /** How long opening the TCP connection may take. @default commandTimeoutMs */
  readonly connectTimeoutMs?: number | undefined;
  /** Batch commands issued in the same tick into one network write (ioredis). @default true */
  readonly enableAutoPipelining?: boolean | undefined;
  /** Publish every write on the database's change channel (see `watch`). @default true */
  readonly publishChanges?: boolean | undefined;
  /** The vector metric of collections without an entry in `vectorMetrics`. @default "cosine" */
  readonly vectorMetric?: VectorMetric | undefined;
  /** Per-collection vector metrics, for example `{ images: "euclidean" }`. @default {} */
  readonly vectorMetrics?: { readonly [collection: string]: VectorMetric } | undefined;
  /**
   * The clock for timestamps and expiry checks. Redis also expires records by its own clock
   * (`PXAT`); a record counts as expired as soon as either says so.
   * @default systemClock
   */
  readonly clock?: Clock | undefined;
}

/** Options with every default filled in. */
export interface ResolvedRedisOptions {
  readonly url: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly db: number;
  readonly client: Redis | Cluster | undefined;
  readonly keyPrefix: string;
  readonly database: string;
  readonly commandTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly enableAutoPipelining: boolean;
  readonly publishChanges: boolean;
  readonly vectorMetric: VectorMetric;
  readonly vectorMetrics: { readonly [collection: string]: VectorMetric };
  readonly clock: Clock;
}

const source = "redis";
const defaultUrl = "redis://127.0.0.1:6379";

function positive(value: number | undefined, fallback: number, option: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new ValidationError(`${option} must be a positive number`, option, { source });
  }
  return value;
}

/**
 * Checks a database name: 1 to 1,024 characters without control characters. Any other
 * character is allowed; key names escape what they must.
 */
export function validateDatabaseName(database: unknown): string {
  if (typeof database !== "string" || database === "" || database.length > 1024) {
    throw new ValidationError("A database name must be 1-1024 characters", "database", { source });
  }
  if (/\p{Cc}/u.test(database)) {
    throw new ValidationError("A database name cannot contain control characters", "database", {
      source,
    });
  }
  return database;
}

function validateKeyPrefix(prefix: unknown): string {
  if (typeof prefix !== "string" || prefix === "" || prefix.length > 200) {
    throw new ValidationError("keyPrefix must be 1-200 characters", "keyPrefix", { source });
  }
  if (/[{}\p{Cc}]/u.test(prefix)) {
    throw new ValidationError(
      "keyPrefix cannot contain '{', '}' or control characters (they would break the hash tag)",
      "keyPrefix",
      { source },
    );
  }
  return prefix;
}

function clientKeyPrefix(client: Redis | Cluster): unknown {
  const options = (client as { options?: { keyPrefix?: unknown } }).options;
  return options?.keyPrefix;
}

/** Checks the options and fills in the defaults. */
export function resolveRedisOptions(options: RedisProviderOptions = {}): ResolvedRedisOptions {
  if (options === null || typeof options !== "object") {
    throw new ValidationError("Options must be an object", "options", { source });
  }
  if (options.client !== undefined) {
    const prefix = clientKeyPrefix(options.client);
    if (prefix !== undefined && prefix !== "") {
      throw new ValidationError(
        "The given client has its own keyPrefix; use the provider's keyPrefix option instead",
        "client",
        { source },
      );
    }
  }
  if (options.url !== undefined && (typeof options.url !== "string" || options.url === "")) {
    throw new ValidationError("url must be a non-empty string", "url", { source });
  }
  const port = options.port ?? 6379;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new ValidationError("port must be an integer from 1 to 65535", "port", { source });
  }
  const db = options.db ?? 0;
  if (!Number.isInteger(db) || db < 0) {
    throw new ValidationError("db must be a non-negative integer", "db", { source });
  }
  const commandTimeoutMs = positive(options.commandTimeoutMs, 2000, "commandTimeoutMs");
  const useEnvironment = options.url === undefined && options.host === undefined;
  return {
    url: options.url ?? (useEnvironment ? (process.env.REDIS_URL ?? defaultUrl) : undefined),
    host: options.host ?? "127.0.0.1",
    port,
    username: options.username,
    password: options.password,
    db,
    client: options.client,
    keyPrefix: validateKeyPrefix(options.keyPrefix ?? "av"),
    database: validateDatabaseName(options.database ?? "default"),
    commandTimeoutMs,
    connectTimeoutMs: positive(options.connectTimeoutMs, commandTimeoutMs, "connectTimeoutMs"),
    enableAutoPipelining: options.enableAutoPipelining ?? true,
    publishChanges: options.publishChanges ?? true,
    vectorMetric: options.vectorMetric ?? "cosine",
    vectorMetrics: options.vectorMetrics ?? {},
    clock: options.clock ?? systemClock,
  };
}
