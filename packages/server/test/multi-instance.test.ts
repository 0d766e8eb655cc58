import { randomBytes } from "node:crypto";
import { probeService } from "@agentvault/conformance";
import { postgresProvider } from "@agentvault/provider-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createKey, ok, type StartedServer, startServer } from "./support/test-server.js";

const postgres = await probeService("POSTGRES_URL");
const redis = await probeService("REDIS_URL");
const available = postgres.available && redis.available;
const reason = [postgres.skipReason, redis.skipReason].filter((text) => text !== "").join("; ");

describe.skipIf(!available)(`two instances over one PostgreSQL and Redis ${reason}`, () => {
  const run = randomBytes(4).toString("hex");
  const schemaPrefix = `avsrv${run}`;
  const databasePrefix = `t${run}_`;
  let first: StartedServer;
  let second: StartedServer;
  let admin: string;

  async function instance(rootKey?: string): Promise<StartedServer> {
    // Each instance has its own pool, limiter client and caches: only the backends are shared.
    return startServer({
      provider: postgresProvider({ connectionString: postgres.url, schemaPrefix, poolSize: 4 }),
      closeProvider: true,
      databasePrefix,
      redisUrl: redis.url,
      rateKeyPrefix: `agentvault-test:${run}`,
      rootKey,
      limits: { rate: { points: 30, durationSeconds: 60 } },
      // Far longer than the test: a revocation can only reach the other instance's cache
      // through the pub/sub announcement.
      keyCacheMs: 60_000,
    });
  }

  beforeAll(async () => {
    first = await instance();
    // The second instance is given no root key: it must accept the one the first generated.
    second = await instance();
    admin = (
      await ok<{ apiKey: string }>(
        first.url,
        "admin.createTenant",
        { tenant: "acme" },
        first.rootKey,
      )
    ).apiKey;
  });

  afterAll(async () => {
    const cleanup = postgresProvider({ connectionString: postgres.url, schemaPrefix });
    for (const database of [`${databasePrefix}system`, `${databasePrefix}acme_vault`]) {
      await cleanup.withDatabase(database).dropDatabase();
    }
    await cleanup.close();
    await first?.close();
    await second?.close();
  });

  /** The status of `vault.count` with `apiKey` on `server`, polled every 100 ms (within the key's rate budget) up to 2 s until it is 401. */
  async function statusUntilRefused(server: StartedServer, apiKey: string): Promise<number> {
    const deadline = performance.now() + 2000;
    for (;;) {
      const { status } = await call(server.url, "vault.count", { collection: "x" }, apiKey);
      if (status === 401 || performance.now() >= deadline) return status;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it("share keys: a key made on one works on the other, and a revocation on one holds on both", async () => {
    expect(await ok(second.url, "admin.listTenants", undefined, first.rootKey)).toContain("acme");
    const svc = await createKey(first, admin, "svc");
    expect((await call(second.url, "vault.count", { collection: "x" }, svc.apiKey)).status).toBe(
      200,
    );
    await ok(second.url, "admin.revokeKey", { id: svc.id }, admin);
    expect((await call(first.url, "vault.count", { collection: "x" }, svc.apiKey)).status).toBe(
      401,
    );
  });

  it("refuse a key on an instance that had verified (cached) it, once another revoked it", async () => {
    const agent = await createKey(first, admin, "agent");
    // Both instances verify the key, so both hold it in their key cache.
    for (const server of [first, second, first, second]) {
      expect(
        (await call(server.url, "vault.count", { collection: "x" }, agent.apiKey)).status,
      ).toBe(200);
    }
    await ok(first.url, "admin.revokeKey", { id: agent.id }, admin);
    expect((await call(first.url, "vault.count", { collection: "x" }, agent.apiKey)).status).toBe(
      401,
    );
    expect(await statusUntilRefused(second, agent.apiKey)).toBe(401);
  });

  it("enforce a grant made on one instance on the other at once", async () => {
    const owner = await createKey(first, admin, "owner");
    const partner = await createKey(first, admin, "partner");
    await ok(first.url, "vault.store", { collection: "data", doc: { n: 1 } }, owner.apiKey);
    expect(
      (await call(second.url, "vault.query", { collection: "owner.data" }, partner.apiKey)).status,
    ).toBe(403);
    await ok(
      first.url,
      "admin.grant",
      { collection: "data", principal: "partner", permission: "read" },
      owner.apiKey,
    );
    const read = await call(
      second.url,
      "vault.query",
      { collection: "owner.data" },
      partner.apiKey,
    );
    expect(read.status).toBe(200);
    expect(read.data).toHaveLength(1);
    await ok(
      second.url,
      "admin.revoke",
      { collection: "data", principal: "partner" },
      owner.apiKey,
    );
    expect(
      (await call(first.url, "vault.query", { collection: "owner.data" }, partner.apiKey)).status,
    ).toBe(403);
  });

  it("share one rate budget per key", async () => {
    const busy = await createKey(first, admin, "busy");
    const statuses: number[] = [];
    for (let index = 0; index < 34; index++) {
      const target = index % 2 === 0 ? first : second;
      statuses.push(
        (await call(target.url, "vault.count", { collection: "x" }, busy.apiKey)).status,
      );
    }
    expect(statuses.slice(0, 30).every((status) => status === 200)).toBe(true);
    expect(statuses.slice(30)).toEqual([429, 429, 429, 429]);
  });

  it("append to one consistent audit chain from both instances at once", async () => {
    const writer = await createKey(first, admin, "writer");
    await Promise.all(
      Array.from({ length: 24 }, (_, n) =>
        ok(
          n % 2 === 0 ? first.url : second.url,
          "vault.store",
          { collection: "log", doc: { n } },
          writer.apiKey,
        ),
      ),
    );
    expect(await ok(second.url, "admin.verifyAudit", undefined, admin)).toMatchObject({ ok: true });
    const audit = await ok<{ entries: { principal: string }[] }>(
      first.url,
      "admin.audit",
      { principal: "writer", limit: 1000 },
      admin,
    );
    expect(audit.entries).toHaveLength(24);
  });
});
