/**
 * Key-value stores, export and import through a real AgentVault server on each persistent
 * backend (SQLite, PostgreSQL, Redis): the client's answers match an embedded store's, and an
 * export taken over HTTP from one backend's server imports over HTTP into another's.
 */

import { randomBytes } from "node:crypto";
import { createVault, type StorageProvider, type Vault } from "@agentvault/core";
import { afterAll, describe, expect, it } from "vitest";
// The client and server from source, as a deployment would pair them.
import { createVaultClient, type VaultClient } from "../../client/src/index.js";
import {
  type AgentVaultServer,
  createLogger,
  createServer,
  tenantDatabaseName,
} from "../../server/src/index.js";
import { available, type BackendKind, Backends, titled } from "./backends.js";

const kinds = ["sqlite", "postgres", "redis"] as const satisfies readonly BackendKind[];
const backends = new Backends();
const servers: {
  server: AgentVaultServer;
  root: StorageProvider;
  prefix: string;
  tenant: string;
}[] = [];
const label = randomBytes(3).toString("hex");

afterAll(async () => {
  for (const { server, root, prefix, tenant } of servers) {
    await server.close();
    await root
      .withDatabase(tenantDatabaseName(prefix, tenant))
      .dropDatabase()
      .catch(() => {});
    await root
      .withDatabase(`${prefix}system`)
      .dropDatabase()
      .catch(() => {});
  }
  await backends.cleanup();
});

/** Starts a server on `kind` and returns a tenant admin client. */
async function serve(kind: BackendKind): Promise<VaultClient> {
  const root = await backends.open(kind, "kvhttp");
  // Each server its own system database, so each generates its own root key.
  const prefix = `avkvit${label}${servers.length}_`;
  const server = createServer({
    provider: root,
    databasePrefix: prefix,
    processMetrics: false,
    redisUrl: "",
    logger: createLogger({ level: "silent" }),
    limits: { rate: { points: 100_000 }, maxResultDocuments: 30 },
  });
  const rootKey = (await server.broker.ensureRootKey()) as string;
  const { url } = await server.listen(0, "127.0.0.1");
  const tenant = `t${randomBytes(3).toString("hex")}`;
  servers.push({ server, root, prefix, tenant });
  const created = await createVaultClient({ url, apiKey: rootKey }).admin.createTenant(tenant);
  return createVaultClient({ url, apiKey: created.apiKey });
}

/** Calls over a store; returns what they answered. */
async function exercise(vault: Vault) {
  const store = await vault.kv("app.state");
  await store.setMany(Array.from({ length: 75 }, (_, index) => [`k${index}`, { index }]));
  await store.set("when", new Date("2025-06-01T00:00:00.000Z"));
  const results: Record<string, unknown> = {
    size: await store.size(),
    keys: await store.keys(),
    popped: await store.pop("k3"),
    missing: await store.pop("k3", "none"),
    kept: await store.setDefault("k4", "other"),
    added: await store.setDefault("fresh", "value"),
    first: await store.popItem(),
  };
  await store.update({ k5: "five", extra: [1, 2] });
  results.snapshot = await store.snapshot();
  results.cleared = await store.clear();
  return results;
}

describe.each(kinds)("kv, export and import over HTTP on %s", (kind) => {
  it.skipIf(!available(kind))(
    titled("answers like an embedded store on the same backend", kind),
    async () => {
      const remote = await serve(kind);
      const embedded = createVault({
        provider: await backends.open(kind, `kvembedded${randomBytes(3).toString("hex")}`),
      });
      expect(await exercise(remote)).toEqual(await exercise(embedded));
    },
  );

  it.skipIf(!available(kind) || !available("sqlite"))(
    titled("moves an export from a SQLite server to this backend's server", kind, "sqlite"),
    async () => {
      const from = await serve("sqlite");
      const to = await serve(kind);
      for (let index = 0; index < 70; index++) {
        await from.store("app.events", { index, at: new Date(Date.UTC(2025, 0, 1, index)) });
      }
      await (await from.kv("app.flags")).set("beta", true);
      const lines: string[] = [];
      for await (const line of from.export()) lines.push(line);
      expect(await to.import(lines)).toBe(72);
      expect(await to.query("app.events", {}, { sort: { index: 1 } })).toEqual(
        await from.query("app.events", {}, { sort: { index: 1 } }),
      );
      expect(await (await to.kv("app.flags", { mustExist: true })).get("beta")).toBe(true);
    },
  );
});
