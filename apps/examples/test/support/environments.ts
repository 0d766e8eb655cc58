/**
 * The two places every example runs in tests: embedded (SQLite files in a temp folder, the seed
 * 001 providers in a data manager) and remote (a server started in process on port 0, over
 * SQLite in a temp folder, reached through `openVault(url)` with a service key created through
 * the admin API). Both use a fake clock starting at the same instant, so times match.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createVaultClient, type VaultClient } from "@agentvault/client";
import { createDataManager, createVault, memoryProvider } from "@agentvault/core";
import { filesystemProvider } from "@agentvault/provider-filesystem";
import { sqliteProvider } from "@agentvault/provider-sqlite";
import { createLogger, createServer } from "@agentvault/server";
import { openVault } from "agentvault";
import type { ExampleEnvironment } from "../../src/index.js";

/** A clock tests move by hand. */
export class FakeClock {
  time: number;
  constructor(start: Date) {
    this.time = start.getTime();
  }
  readonly now = (): number => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}

/** An environment plus its cleanup. */
export interface TestEnvironment {
  readonly environment: ExampleEnvironment;
  /** The server's URL and the service key, for remote environments. */
  readonly server?: { readonly url: string; readonly apiKey: string } | undefined;
  close(): Promise<void>;
}

/** The instant both environments start at. */
export const startTime = new Date("2025-06-02T12:00:00.000Z");

function timeOf(clock: FakeClock): Pick<ExampleEnvironment, "now" | "sleep"> {
  return {
    now: () => new Date(clock.now()),
    sleep: async (ms) => clock.advance(ms),
  };
}

/** Embedded: the vault and the three seed 001 providers on local backends. */
export async function embeddedEnvironment(): Promise<TestEnvironment> {
  const folder = await mkdtemp(join(tmpdir(), "av-examples-embedded-"));
  const clock = new FakeClock(startTime);
  const provider = sqliteProvider({ path: join(folder, "vault.db"), clock: clock.now });
  const vault = createVault({ provider, now: clock.now });
  const dataManager = createDataManager({ clock: clock.now });
  dataManager.registerProvider(
    "records",
    sqliteProvider({ path: join(folder, "records.db"), clock: clock.now }),
  );
  dataManager.registerProvider("cache", memoryProvider({ clock: clock.now }));
  dataManager.registerProvider(
    "files",
    filesystemProvider({ basePath: join(folder, "files"), now: clock.now, fsync: false }),
  );
  return {
    environment: { ...timeOf(clock), vault, storage: { dataManager } },
    async close() {
      await vault.close();
      await dataManager.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
}

/** Remote: a server over SQLite, a tenant and a service key, and the client from `openVault`. */
export async function remoteEnvironment(): Promise<TestEnvironment> {
  const folder = await mkdtemp(join(tmpdir(), "av-examples-remote-"));
  const clock = new FakeClock(startTime);
  const server = createServer({
    provider: sqliteProvider({ directory: folder, clock: clock.now }),
    now: clock.now,
    closeProvider: true,
    processMetrics: false,
    logger: createLogger({ level: "silent" }),
    limits: { rate: { points: 1_000_000 } },
  });
  const rootKey = (await server.broker.ensureRootKey()) as string;
  const { url } = await server.listen(0, "127.0.0.1");
  const root = createVaultClient({ url, apiKey: rootKey });
  const tenant = await root.admin.createTenant("examples");
  const tenantAdmin = createVaultClient({ url, apiKey: tenant.apiKey });
  const key = await tenantAdmin.admin.createKey({ principal: "agents", role: "service" });
  const vault = (await openVault(url, { apiKey: key.apiKey })) as VaultClient;
  return {
    environment: { ...timeOf(clock), vault, storage: { vault }, admin: vault.admin },
    server: { url, apiKey: key.apiKey },
    async close() {
      await vault.close();
      await server.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
}

const generatedKey = /(?<![A-Za-z0-9_-])[a-z0-9]{1,4}_[A-Za-z0-9_-]{16}(?![A-Za-z0-9_-])/g;

/** Replaces generated keys (random by design) wherever they appear, so two runs compare. */
export function normalise(value: unknown): unknown {
  if (typeof value === "string") return value.replace(generatedKey, "<generated key>");
  if (Array.isArray(value)) return value.map(normalise);
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Date || value instanceof Uint8Array) return value;
  return Object.fromEntries(Object.entries(value).map(([field, item]) => [field, normalise(item)]));
}
