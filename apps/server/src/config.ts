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
 * | `AGENTVAULT_ENCRYPTION_KEYS` | none (plaintext) | `id:base64,...`: encrypt at rest, first key seals |
 */

import { resolve } from "node:path";
import type { EncryptionKey } from "@agentvault/core";
import { z } from "zod";

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
  /**
   * The encryption key ring (`AGENTVAULT_ENCRYPTION_KEYS`): when set, every record is stored
   * encrypted with the first key; the others only decrypt (until `cli re-encrypt` retires them).
   */
  readonly encryptionKeys: readonly EncryptionKey[] | undefined;
}

const keyEntry = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z0-9._-]{1,128}:/,
    "expected <key id>:<base64 key>, the id of letters, digits, . _ -",
  )
  .transform((entry, context) => {
    const separator = entry.indexOf(":");
    const id = entry.slice(0, separator);
    const text = entry.slice(separator + 1).trim();
    const key = Buffer.from(text, "base64");
    // Buffer.from ignores what is not base64; a round trip shows whether anything was.
    const canonical = key.toString("base64");
    if (text.replace(/=+$/, "") !== canonical.replace(/=+$/, "") || key.byteLength !== 32) {
      context.addIssue({
        code: "custom",
        message: `key "${id}" must be 32 bytes in base64 (44 characters; generate one with: openssl rand -base64 32)`,
      });
      return z.NEVER;
    }
    return { id, key: new Uint8Array(key) } satisfies EncryptionKey;
  });

const keyRing = z
  .string()
  .transform((text) => text.split(","))
  .pipe(z.array(keyEntry).min(1))
  .superRefine((keys, context) => {
    const ids = keys.map((entry) => entry.id);
    const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
    if (repeated !== undefined) {
      context.addIssue({ code: "custom", message: `key id "${repeated}" appears twice` });
    }
  });

/**
 * Parses an encryption key ring written as `id:base64key[,id:base64key...]` (the first key
 * seals, all open). Errors name the entry and the key id, never key material.
 * @throws Error naming `variable` and what is wrong.
 */
export function parseEncryptionKeys(
  text: string,
  variable = "AGENTVAULT_ENCRYPTION_KEYS",
): EncryptionKey[] {
  const parsed = keyRing.safeParse(text);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const entry = typeof issue.path[0] === "number" ? `entry ${issue.path[0] + 1}: ` : "";
    return `${entry}${issue.message}`;
  });
  throw new Error(`${variable} is invalid: ${problems.join("; ")}`);
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
  const encryptionKeys = nonEmpty(env.AGENTVAULT_ENCRYPTION_KEYS);
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
    encryptionKeys: encryptionKeys === undefined ? undefined : parseEncryptionKeys(encryptionKeys),
  };
}
