/**
 * Every provider these tests can reach, opened the same way: memory, SQLite and filesystem in
 * temporary folders, PostgreSQL and Redis on the shared servers (a random schema prefix and key
 * prefix per test file, removed afterwards), and S3 on an s3rver started in a child process.
 * PostgreSQL and Redis are skipped, with the reason, when their server does not answer.
 */

import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { probeService } from "@agentvault/conformance";
import { memoryProvider, type StorageProvider } from "@agentvault/core";
import { filesystemProvider } from "@agentvault/provider-filesystem";
import { postgresProvider } from "@agentvault/provider-postgres";
import { redisProvider } from "@agentvault/provider-redis";
import { s3Provider } from "@agentvault/provider-s3";
import { sqliteProvider } from "@agentvault/provider-sqlite";
import { Redis } from "ioredis";
// The S3 package's own s3rver launcher (a child process with its read-after-write fix).
import { startS3Server, type TestS3Server } from "../../providers/s3/test/s3rver-server.js";

/** The providers of the matrix. */
export const backendKinds = ["memory", "sqlite", "filesystem", "postgres", "redis", "s3"] as const;
export type BackendKind = (typeof backendKinds)[number];

export const postgresProbe = await probeService("POSTGRES_URL");
export const redisProbe = await probeService("REDIS_URL");

/** Why a backend's tests are skipped, or "" when it is available. */
export function skipReason(kind: BackendKind): string {
  if (kind === "postgres") return postgresProbe.skipReason;
  if (kind === "redis") return redisProbe.skipReason;
  return "";
}

/** A test title that says why it is skipped, when it is. */
export function titled(title: string, ...kinds: BackendKind[]): string {
  const reasons = kinds.map(skipReason).filter((reason) => reason !== "");
  return reasons.length === 0 ? title : `${title} (${[...new Set(reasons)].join("; ")})`;
}

/** Whether every named backend can run. */
export function available(...kinds: BackendKind[]): boolean {
  return kinds.every((kind) => skipReason(kind) === "");
}

const bucket = "agentvault-integration";

async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) await client.unlink(...keys);
    } while (cursor !== "0");
  } finally {
    client.disconnect();
  }
}

/** Opens providers of every kind on demand and removes everything they wrote at the end. */
export class Backends {
  readonly #label = randomBytes(4).toString("hex");
  readonly #roots = new Map<BackendKind, Promise<StorageProvider>>();
  readonly #opened: StorageProvider[] = [];
  readonly #folders: string[] = [];
  #s3: Promise<TestS3Server> | undefined;

  /** The key prefix of this file's Redis keys, for tests that open Redis with other options. */
  get redisKeyPrefix(): string {
    return `avtest-it-${this.#label}`;
  }

  /** The folder of a file-based backend, for tests that look at what is on disk. */
  folder(kind: "sqlite" | "filesystem"): string {
    return join(tmpdir(), `agentvault-it-${kind}-${this.#label}`);
  }

  async #root(kind: BackendKind): Promise<StorageProvider> {
    switch (kind) {
      case "memory":
        return memoryProvider();
      case "sqlite":
        this.#folders.push(this.folder("sqlite"));
        return sqliteProvider({ directory: this.folder("sqlite") });
      case "filesystem":
        this.#folders.push(this.folder("filesystem"));
        return filesystemProvider({ basePath: this.folder("filesystem"), fsync: false });
      case "postgres":
        return postgresProvider({
          connectionString: postgresProbe.url,
          schemaPrefix: `avit${this.#label}`,
          poolSize: 4,
        });
      case "redis":
        return redisProvider({ url: redisProbe.url, keyPrefix: this.redisKeyPrefix });
      case "s3": {
        this.#s3 ??= startS3Server(bucket);
        const server = await this.#s3;
        return s3Provider({
          bucket,
          prefix: `it-${this.#label}`,
          endpoint: server.endpoint,
          forcePathStyle: true,
          credentials: server.credentials,
        });
      }
    }
  }

  /** A provider of `kind` bound to `database`. */
  async open(kind: BackendKind, database: string): Promise<StorageProvider> {
    let root = this.#roots.get(kind);
    if (root === undefined) {
      root = this.#root(kind);
      this.#roots.set(kind, root);
    }
    const provider = (await root).withDatabase(database);
    this.#opened.push(provider);
    return provider;
  }

  /** A second, independent provider of `kind` (its own connection), like another process. */
  async openSeparate(kind: BackendKind, database: string): Promise<StorageProvider> {
    const provider = (await this.#root(kind)).withDatabase(database);
    this.#opened.push(provider);
    return provider;
  }

  /** Drops every database opened, closes every provider, and removes folders and servers. */
  async cleanup(): Promise<void> {
    for (const provider of this.#opened) await provider.dropDatabase().catch(() => {});
    for (const provider of this.#opened) await provider.close().catch(() => {});
    for (const root of this.#roots.values()) await (await root).close().catch(() => {});
    if (this.#roots.has("redis") && redisProbe.url !== undefined) {
      await deleteRedisKeys(redisProbe.url, this.redisKeyPrefix);
    }
    await (await this.#s3)?.stop();
    for (const folder of this.#folders) await rm(folder, { recursive: true, force: true });
  }
}
