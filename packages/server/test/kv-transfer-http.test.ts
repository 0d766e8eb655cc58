/**
 * The `kv.*` and `transfer.*` procedures seen from raw HTTP: strict inputs, reserved names,
 * limits, and the server's own bookkeeping kept out of export and import.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  createKey,
  createTenant,
  ok,
  type StartedServer,
  startServer,
} from "./support/test-server.js";

const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();
const maxResultDocuments = 10;

describe("kv and transfer procedures over raw HTTP", () => {
  let server: StartedServer;
  let admin: string;
  let service: string;

  beforeAll(async () => {
    server = await startServer({ limits: { rate: { points: 100_000 }, maxResultDocuments } });
    admin = await createTenant(server, "acme");
    service = (await createKey(server, admin, "svc")).apiKey;
    await ok(server.url, "kv.open", { store: "settings" }, service);
  });
  afterAll(async () => {
    await server.close();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("rejects unknown fields, missing fields and bad types with 400", async () => {
    for (const [path, input] of [
      ["kv.set", { store: "settings", key: "a", value: 1, extra: true }],
      ["kv.set", { store: "settings", key: "a" }],
      ["kv.get", { store: "settings", key: 5 }],
      ["kv.setMany", { store: "settings", entries: [["a"]] }],
      ["kv.update", { store: "settings", entries: [1, 2] }],
      ["kv.open", { store: "settings", mustExist: "yes" }],
    ] as const) {
      const result = await call(server.url, path, input, service);
      expect(result.status, path).toBe(400);
      expect(result.error?.data.agentVaultCode, path).toBe("VALIDATION_FAILED");
    }
  });

  it("refuses reserved store names, so kv cannot reach the server's bookkeeping", async () => {
    for (const store of ["_av_grants", "_av_registry", "_avkv.svc.settings", "_avkv"]) {
      const result = await call(server.url, "kv.get", { store, key: "x" }, admin);
      expect(result.status, store).toBe(400);
    }
  });

  it("keeps __proto__ keys as entries, never as a prototype", async () => {
    const response = await fetch(`${server.url}/trpc/kv.update`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${service}` },
      body: '{"store":"settings","entries":{"__proto__":{"polluted":true},"plain":1}}',
    });
    expect(response.status).toBe(200);
    const page = await ok<{ entries: [string, unknown][] }>(
      server.url,
      "kv.entries",
      { store: "settings" },
      service,
    );
    expect(page.entries).toEqual([
      ["__proto__", { polluted: true }],
      ["plain", 1],
    ]);
  });

  it("bounds entries per write and per page by maxResultDocuments", async () => {
    const entries = Array.from({ length: maxResultDocuments + 1 }, (_, i) => [`k${i}`, i]);
    const refused = await call(server.url, "kv.setMany", { store: "settings", entries }, service);
    expect(refused.status).toBe(400);
    expect(refused.error?.data.agentVaultCode).toBe("LIMIT_EXCEEDED");
    await ok(server.url, "kv.setMany", { store: "settings", entries: entries.slice(1) }, service);
    const page = await ok<{ entries: unknown[]; done: boolean; last: string }>(
      server.url,
      "kv.entries",
      { store: "settings", limit: 1000 },
      service,
    );
    expect(page.entries).toHaveLength(maxResultDocuments);
    expect(page.done).toBe(false);
    const rest = await ok<{ entries: unknown[]; done: boolean }>(
      server.url,
      "kv.entries",
      { store: "settings", after: page.last },
      service,
    );
    expect(rest.done).toBe(true);
    expect(page.entries.length + rest.entries.length).toBe(maxResultDocuments + 2);
  });

  it("serves export and import to tenant admin keys only", async () => {
    expect((await call(server.url, "transfer.exportStart", undefined, service)).status).toBe(403);
    const page = await call(server.url, "transfer.exportPage", { collection: "svc.x" }, service);
    expect(page.status).toBe(403);
    const line = JSON.stringify({ c: "svc.x", k: "a", v: 1 });
    const imported = await call(server.url, "transfer.importPage", { lines: [line] }, service);
    expect(imported.status).toBe(403);
  });

  it("never exports or imports the registry, grants or audit log", async () => {
    const start = await ok<{ collections: Record<string, number> }>(
      server.url,
      "transfer.exportStart",
      undefined,
      admin,
    );
    expect(Object.keys(start.collections).sort()).toEqual(["_avkv", "_avkv.svc.settings"]);
    for (const collection of ["_av_registry", "_av_grants", "_av_audit"]) {
      const result = await call(server.url, "transfer.exportPage", { collection }, admin);
      expect(result.status, collection).toBe(403);
    }
    const good = JSON.stringify({ c: "svc.imported", k: "a", v: 1 });
    const forged = JSON.stringify({
      c: "_av_registry",
      k: "svc.settings",
      v: { owner: "intruder", createdAt: "2020-01-01T00:00:00.000Z" },
    });
    const result = await call(server.url, "transfer.importPage", { lines: [good, forged] }, admin);
    expect(result.status).toBe(403);
    // The whole page was checked before anything was written.
    expect(await ok(server.url, "vault.count", { collection: "svc.imported" }, admin)).toBe(0);
  });

  it("answers damaged import lines with 422 and too many lines with 400", async () => {
    const bad = await call(server.url, "transfer.importPage", { lines: ["{not json"] }, admin);
    expect(bad.status).toBe(422);
    expect(bad.error?.data.agentVaultCode).toBe("INTEGRITY_FAILED");
    const lines = Array.from({ length: maxResultDocuments + 1 }, (_, i) =>
      JSON.stringify({ c: "svc.many", k: `k${i}`, v: i }),
    );
    const tooMany = await call(server.url, "transfer.importPage", { lines }, admin);
    expect(tooMany.status).toBe(400);
    expect(tooMany.error?.data.agentVaultCode).toBe("LIMIT_EXCEEDED");
    expect(await ok(server.url, "transfer.importPage", { lines: lines.slice(1) }, admin)).toBe(
      maxResultDocuments,
    );
  });
});

describe("kv pages and export pages within the body limit", () => {
  let server: StartedServer;
  let admin: string;

  beforeAll(async () => {
    server = await startServer({ limits: { rate: { points: 100_000 }, maxBodyBytes: 16_384 } });
    admin = await createTenant(server, "bulky");
    await ok(server.url, "kv.open", { store: "big.values" }, admin);
    for (let index = 0; index < 12; index++) {
      const value = `${index}`.padEnd(2000, "x");
      await ok(server.url, "kv.set", { store: "big.values", key: `k${index}`, value }, admin);
    }
  });
  afterAll(() => server.close());

  it("splits kv entries into pages of about half the body limit", async () => {
    let after: string | undefined;
    const pages: number[] = [];
    for (;;) {
      const page: { entries: unknown[]; done: boolean; last?: string } = await ok(
        server.url,
        "kv.entries",
        after === undefined ? { store: "big.values" } : { store: "big.values", after },
        admin,
      );
      pages.push(page.entries.length);
      if (page.done) break;
      after = page.last;
    }
    expect(pages.length).toBeGreaterThan(1);
    expect(Math.max(...pages)).toBeLessThanOrEqual(4);
    expect(pages.reduce((sum, count) => sum + count, 0)).toBe(12);
  });

  it("splits export lines the same way", async () => {
    const page: { lines: string[]; done: boolean } = await ok(
      server.url,
      "transfer.exportPage",
      { collection: "_avkv.big.values" },
      admin,
    );
    expect(page.lines.length).toBeGreaterThan(0);
    expect(page.lines.length).toBeLessThanOrEqual(4);
    expect(page.done).toBe(false);
  });
});
