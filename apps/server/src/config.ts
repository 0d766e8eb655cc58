/**
 * The service's configuration, read from the environment once at start.
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | `AGENTVAULT_PORT` | `8787` | HTTP port (`0` picks a free one) |
 * | `AGENTVAULT_HOST` | `0.0.0.0` | interface to listen on |
 * | `AGENTVAULT_DATA_DIR` | `./data` | where the default SQLite files live |
 * | `AGENTVAULT_STORAGE_URL` | SQLite in the data dir | any `openVault` URL naming a provider |
 * | `AGENTVAULT_ROOT_KEY` | generated on first start | the root key |
 * | `AGENTVAULT_DATABASE_PREFIX` | `agentvault_` | prefix of every database name |
 * | `AGENTVAULT_RATE_LIMIT` | `1000` | calls per key per window |
 * | `AGENTVAULT_RATE_WINDOW_SECONDS` | `10` | the rate window |
 * | `REDIS_URL` | none (in-memory) | shares the per-key rate limit across instances |
 */

import { resolve } from "node:path";

/** The configuration. */
export interface ServiceConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** The storage URL; undefined means SQLite files in `dataDir`. */
  readonly storageUrl: string | undefined;
  readonly rootKey: string | undefined;
  readonly databasePrefix: string;
  readonly redisUrl: string | undefined;
  /** Calls per key per window; undefined keeps the server default. */
  readonly ratePoints: number | undefined;
  /** The rate window in seconds; undefined keeps the server default. */
  readonly rateWindowSeconds: number | undefined;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = nonEmpty(env[name]);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got "${text}"`);
  }
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** Reads the configuration from `env`, resolving relative paths against `cwd`. */
export function readServiceConfig(
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): ServiceConfig {
  const portText = nonEmpty(env.AGENTVAULT_PORT) ?? "8787";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`AGENTVAULT_PORT must be a port number, got "${portText}"`);
  }
  const rootKey = nonEmpty(env.AGENTVAULT_ROOT_KEY);
  if (rootKey !== undefined && rootKey.length < 32) {
    throw new Error("AGENTVAULT_ROOT_KEY must be at least 32 characters of random text");
  }
  return {
    port,
    host: nonEmpty(env.AGENTVAULT_HOST) ?? "0.0.0.0",
    dataDir: resolve(cwd, nonEmpty(env.AGENTVAULT_DATA_DIR) ?? "./data"),
    storageUrl: nonEmpty(env.AGENTVAULT_STORAGE_URL),
    rootKey,
    databasePrefix: nonEmpty(env.AGENTVAULT_DATABASE_PREFIX) ?? "agentvault_",
    redisUrl: nonEmpty(env.REDIS_URL),
    ratePoints: positiveInteger(env, "AGENTVAULT_RATE_LIMIT"),
    rateWindowSeconds: positiveInteger(env, "AGENTVAULT_RATE_WINDOW_SECONDS"),
  };
}
