/**
 * Export and import over HTTP: a real server on SQLite with a small result limit (so both go
 * through several pages), files that move between the server and an embedded vault on SQLite
 * in both directions, tenant-admin-only access, and damaged or forbidden files refused before
 * anything is written.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createVault,
  exportRecords,
  IntegrityError,
  memoryProvider,
  PermissionDeniedError,
  type Vault,
} from "@agentvault/core";
import { sqliteProvider } from "@agentvault/provider-sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VaultClient } from "../src/index.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

const maxResultDocuments = 25;

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const line of lines) all.push(line);
  return all;
}

/** Everything a vault holds in the given collections and store, sorted. */
async function contents(vault: Vault, collections: string[], store: string) {
  const result: Record<string, unknown> = {};
  for (const collection of collections) {
    result[collection] = await vault.query(collection, {}, { sort: { _id: 1 } });
  }
  result[`kv:${store}`] = await (await vault.kv(store, { mustExist: true })).entries();
  return result;
}

/** Fills a vault with documents of two collections and a key-value store. */
async function fill(vault: Vault): Promise<void> {
  for (let index = 0; index < 60; index++) {
    await vault.store(
      "shop.orders",
      {
        item: `item-${index}`,
        quantity: index,
        placedAt: new Date(Date.UTC(2025, 0, 1, 0, index)),
        blob: new Uint8Array([index, 255 - index]),
        note: index % 7 === 0 ? 'naïve café ☕ 𝄞 "quoted"\n' : null,
      },
      { key: `order-${String(index).padStart(3, "0")}` },
    );
  }
  await vault.store("shop.tmp", { gone: "soon" }, { key: "short", ttl: 3600 });
  const settings = await vault.kv("shop.settings");
  await settings.setMany([
    ["theme", "dark"],
    ["limits", { daily: 10 }],
  ]);
}

describe("export and import over HTTP", () => {
  let server: TestServer;
  let directory: string;
  let embedded: Vault;
  let admin: VaultClient;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "agentvault-transfer-http-"));
    server = await startTestServer({
      provider: sqliteProvider({ directory: join(directory, "server") }),
      closeProvider: true,
      limits: { maxResultDocuments },
    });
    admin = server.admin;
    embedded = createVault({
      provider: sqliteProvider({ directory: join(directory, "embedded") }),
    });
  });
  afterAll(async () => {
    await server.close();
    await embedded.close();
    await rm(directory, { recursive: true, force: true });
  });

  it("exports the server's data as a file an embedded vault imports exactly", async () => {
    await fill(admin);
    const lines = await collect(admin.export());
    const header = JSON.parse(lines[0] as string);
    const trailer = JSON.parse(lines.at(-1) as string);
    expect(header).toMatchObject({ format: "agentvault-export", version: 2 });
    expect(trailer).toMatchObject({ trailer: true, records: 61 + 2 + 1 });
    // The server's own bookkeeping (registry, grants, audit log) is not part of it.
    const exported = Object.keys(header.collections).sort();
    expect(exported).toEqual(["_avkv", "_avkv.shop.settings", "shop.orders", "shop.tmp"]);

    expect(await embedded.import(lines)).toBe(64);
    const collections = ["shop.orders", "shop.tmp"];
    expect(await contents(embedded, collections, "shop.settings")).toEqual(
      await contents(admin, collections, "shop.settings"),
    );
    expect(await embedded.retrieve("shop.orders", "order-007")).toMatchObject({
      placedAt: new Date(Date.UTC(2025, 0, 1, 0, 7)),
      blob: new Uint8Array([7, 248]),
      note: 'naïve café ☕ 𝄞 "quoted"\n',
    });
  });

  it("imports an embedded vault's export into another tenant, page by page", async () => {
    const source = createVault({ provider: memoryProvider() });
    await fill(source);
    const lines = await collect(source.export());
    const created = await server.root.admin.createTenant(`copy-${Date.now().toString(36)}`);
    const copy = server.client(created.apiKey);
    expect(await copy.import(lines)).toBe(64);
    const collections = ["shop.orders", "shop.tmp"];
    expect(await contents(copy, collections, "shop.settings")).toEqual(
      await contents(source, collections, "shop.settings"),
    );
    // Importing the same file again overwrites by key: nothing doubles.
    expect(await copy.import(lines)).toBe(64);
    expect(await copy.count("shop.orders")).toBe(60);
    // And the copy exports again as a valid file.
    const again = await collect(copy.export());
    expect(await createVault({ provider: memoryProvider() }).import(again)).toBe(64);
  });

  it("is for tenant admin keys only", async () => {
    const service = await server.clientFor("shop");
    await expect(collect(service.export())).rejects.toBeInstanceOf(PermissionDeniedError);
    const lines = await collect(admin.export());
    await expect(service.import(lines)).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  it("refuses a damaged file before writing anything", async () => {
    const source = createVault({ provider: memoryProvider() });
    await source.store("shop.items", { name: "lamp" }, { key: "lamp" });
    await source.store("shop.items", { name: "desk" }, { key: "desk" });
    const lines = await collect(source.export());
    const created = await server.root.admin.createTenant(`bad-${Date.now().toString(36)}`);
    const target = server.client(created.apiKey);
    const edited = lines.map((line) => line.replace('"lamp"}', '"LAMP"}'));
    expect(edited).not.toEqual(lines);
    await expect(target.import(edited)).rejects.toBeInstanceOf(IntegrityError);
    await expect(target.import(lines.slice(0, -1))).rejects.toBeInstanceOf(IntegrityError);
    expect(await target.count("shop.items")).toBe(0);
  });

  it("refuses files that would write the server's registry, grants or audit log", async () => {
    const forged = memoryProvider();
    await forged.put("shop.items", { key: "a", value: { ok: true } });
    await forged.put("_av_grants", {
      key: "shop.items intruder",
      value: { collection: "shop.items", principal: "intruder", permission: "admin" },
    });
    const lines = await collect(exportRecords(forged, { now: Date.now }));
    await expect(admin.import(lines)).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(await admin.count("shop.items")).toBe(0);
    expect(await admin.admin.listGrants("shop.items")).toMatchObject({
      grants: [],
    });
  });
});
