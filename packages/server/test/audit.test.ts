import type { StorageProvider } from "@agentvault/core";
import type { Value } from "@agentvault/query";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditBlockKey, auditCollection } from "../src/index.js";
import {
  call,
  createKey,
  createTenant,
  ok,
  type StartedServer,
  startServer,
} from "./support/test-server.js";

interface Entry {
  index: number;
  principal: string;
  operation: string;
  collection: string | null;
  filterShape: string | null;
  resultCount: number | null;
  outcome: string;
  requestId: string;
  hash: string;
}

describe("audit log", () => {
  let server: StartedServer;
  let admin: string;
  let svcKey: string;
  let tenantDb: StorageProvider;

  beforeEach(async () => {
    server = await startServer();
    admin = await createTenant(server, "acme");
    svcKey = (await createKey(server, admin, "svc")).apiKey;
    tenantDb = server.provider.withDatabase("agentvault_acme_vault");
    // One call at a time: one block per entry, so each entry can be tampered with alone.
    for (const n of [1, 2, 3, 4]) {
      await ok(
        server.url,
        "vault.store",
        { collection: "events", doc: { n, secret: `value-${n}` } },
        svcKey,
      );
    }
    await ok(
      server.url,
      "vault.query",
      { collection: "events", filter: { n: { $gte: 2 }, secret: "value-3" } },
      svcKey,
    );
  });
  afterEach(async () => {
    await server.close();
  });

  async function entries(): Promise<Entry[]> {
    return (await ok<{ entries: Entry[] }>(server.url, "admin.audit", { limit: 1000 }, admin))
      .entries;
  }

  async function verify(): Promise<{ ok: boolean; firstBadIndex?: number }> {
    return ok(server.url, "admin.verifyAudit", undefined, admin);
  }

  it("records every call with principal, operation, collection, filter shape and count", async () => {
    const log = await entries();
    const query = log.find((entry) => entry.operation === "vault.query");
    expect(query).toMatchObject({
      principal: "svc",
      collection: "svc.events",
      filterShape: "and(n:gte,secret:eq)",
      resultCount: 1,
      outcome: "allowed",
    });
    expect(JSON.stringify(log)).not.toContain("value-3");
    expect(log.filter((entry) => entry.operation === "vault.store")).toHaveLength(4);
    expect(log.map((entry) => entry.index)).toEqual(log.map((_, position) => position));
    expect(await verify()).toMatchObject({ ok: true });
  });

  it("counts a key-value lookup as 1 when found and 0 when not", async () => {
    await ok(server.url, "kv.open", { store: "cache" }, svcKey);
    await ok(server.url, "kv.set", { store: "cache", key: "a", value: { n: 1 } }, svcKey);
    await ok(server.url, "kv.set", { store: "cache", key: "b", value: { n: 2 } }, svcKey);
    expect(await ok(server.url, "kv.get", { store: "cache", key: "a" }, svcKey)).toMatchObject({
      found: true,
    });
    await ok(server.url, "kv.get", { store: "cache", key: "missing" }, svcKey);
    await ok(server.url, "kv.pop", { store: "cache", key: "a" }, svcKey);
    await ok(server.url, "kv.pop", { store: "cache", key: "a" }, svcKey);
    await ok(server.url, "kv.popItem", { store: "cache" }, svcKey);
    const counts = (await entries())
      .filter((entry) => ["kv.get", "kv.pop", "kv.popItem"].includes(entry.operation))
      .map((entry) => [entry.operation, entry.resultCount]);
    expect(counts).toEqual([
      ["kv.get", 1],
      ["kv.get", 0],
      ["kv.pop", 1],
      ["kv.pop", 0],
      ["kv.popItem", 1],
    ]);
  });

  it("records denied calls, including those of revoked keys", async () => {
    const other = await createKey(server, admin, "stranger");
    const denied = await call(
      server.url,
      "vault.query",
      { collection: "svc.events" },
      other.apiKey,
    );
    expect(denied.status).toBe(403);
    await ok(server.url, "admin.revokeKey", { id: other.id }, admin);
    const revoked = await call(
      server.url,
      "vault.count",
      { collection: "stranger.x" },
      other.apiKey,
    );
    expect(revoked.status).toBe(401);
    const log = await entries();
    const strangers = log.filter((entry) => entry.principal === "stranger");
    expect(strangers.map((entry) => [entry.operation, entry.outcome])).toEqual([
      ["vault.query", "denied"],
      ["vault.count", "denied"],
    ]);
    expect(await verify()).toMatchObject({ ok: true });
  });

  async function block(index: number): Promise<Value> {
    const record = await tenantDb.get(auditCollection, auditBlockKey(index));
    if (record === null) throw new Error(`no block ${index}`);
    return record.value;
  }

  it("detects an edited entry", async () => {
    const value = (await block(2)) as unknown as { entries: Entry[] };
    const edited = { entries: value.entries.map((entry) => ({ ...entry, outcome: "denied" })) };
    await tenantDb.put(auditCollection, {
      key: auditBlockKey(2),
      value: edited as unknown as Value,
    });
    expect(await verify()).toEqual({ ok: false, firstBadIndex: 2, entries: expect.any(Number) });
  });

  it("detects a deleted entry", async () => {
    await tenantDb.delete(auditCollection, auditBlockKey(1));
    expect(await verify()).toMatchObject({ ok: false, firstBadIndex: 1 });
  });

  it("detects reordered entries", async () => {
    const [second, third] = [await block(1), await block(2)];
    await tenantDb.put(auditCollection, { key: auditBlockKey(1), value: third });
    await tenantDb.put(auditCollection, { key: auditBlockKey(2), value: second });
    expect(await verify()).toMatchObject({ ok: false, firstBadIndex: 1 });
  });

  it("keeps a consistent chain under concurrent calls (group commit)", async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, n) =>
        ok(server.url, "vault.store", { collection: "events", doc: { n: 100 + n } }, svcKey),
      ),
    );
    const result = await verify();
    expect(result).toMatchObject({ ok: true });
    const all = await entries();
    expect(all.length).toBeGreaterThanOrEqual(45);
    // Paging reads from inside multi-entry blocks.
    const page = await ok<{ entries: Entry[]; head: { index: number } }>(
      server.url,
      "admin.audit",
      { after: 10, limit: 5 },
      admin,
    );
    expect(page.entries.map((entry) => entry.index)).toEqual([11, 12, 13, 14, 15]);
    // The head also counts the audit call that listed `all`.
    expect(page.head.index).toBe(all.length);
  });
});

describe("secrets at rest and in logs", () => {
  it("never writes an API key to the log or, in plain text, to the database", async () => {
    const server = await startServer();
    try {
      const admin = await createTenant(server, "acme");
      const svc = await createKey(server, admin, "svc");
      await ok(server.url, "vault.store", { collection: "events", doc: { n: 1 } }, svc.apiKey);
      await call(server.url, "vault.count", { collection: "events" }, `${svc.apiKey}x`);
      await fetch(`${server.url}/trpc/vault.count?key=${svc.apiKey}`);
      const keys = [server.rootKey, admin, svc.apiKey];
      const log = server.logLines.join("\n");
      expect(log).toContain("request");
      for (const key of keys) expect(log).not.toContain(key.slice(4));
      const databases = ["agentvault_system", "agentvault_acme_vault"];
      for (const database of databases) {
        const provider = server.provider.withDatabase(database);
        for (const collection of await provider.listCollections()) {
          const records = await provider.find(collection, {
            filter: { type: "and", children: [] },
          });
          const text = JSON.stringify(records);
          for (const key of keys) expect(text).not.toContain(key.slice(4));
        }
      }
    } finally {
      await server.close();
    }
  });
});
