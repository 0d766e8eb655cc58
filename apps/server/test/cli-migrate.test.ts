import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { probeService } from "@agentvault/conformance";
import { createVault, type EncryptionKey, encrypted, type StorageProvider } from "@agentvault/core";
import { postgresProvider } from "@agentvault/provider-postgres";
import { sqliteProvider } from "@agentvault/provider-sqlite";
import { SystemStore, tenantDatabaseName } from "@agentvault/server";
import { afterAll, describe, expect, it } from "vitest";
import { cli, filesUnder } from "./cli-helpers.js";

const postgres = await probeService("POSTGRES_URL");
const folders: string[] = [];
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

async function dataDir(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), "agentvault-migrate-"));
  folders.push(folder);
  return folder;
}

const createdAt = new Date("2025-11-12T13:14:15.000Z");
const payload = new Uint8Array([0, 1, 2, 250, 255]);

/**
 * Seeds a service layout on `provider`: tenants in the system database, then per tenant a
 * document with a date, binary, metadata and a TTL, and a key-value entry.
 */
async function seed(provider: StorageProvider, prefix: string, tenants: readonly string[]) {
  const system = new SystemStore(provider.withDatabase(`${prefix}system`), undefined, Date.now);
  for (const tenant of tenants) {
    await system.createTenant(tenant);
    await system.createKey(tenant, "admin", "admin");
    const vault = createVault({
      provider: provider.withDatabase(tenantDatabaseName(prefix, tenant)),
    });
    await vault.store(
      "notes",
      { owner: tenant, createdAt, payload, nested: { list: [1, "two", null] } },
      { key: "note-1", metadata: { source: "seed" }, ttl: 3_600_000 },
    );
    await vault.store("notes", { owner: tenant, n: 2 }, { key: "note-2" });
    const kv = await vault.kv("settings");
    await kv.set("theme", "dark");
  }
}

/** The records of a tenant database, as the provider returns them, by collection. */
async function snapshot(provider: StorageProvider, database: string) {
  const scoped = provider.withDatabase(database);
  const result: Record<string, unknown[]> = {};
  for (const collection of (await scoped.listCollections()).sort()) {
    const records = await scoped.find(collection, {
      filter: { type: "and", children: [] },
      sort: [{ field: { path: "_id", segments: ["_id"] }, direction: 1 }],
    } as never);
    result[collection] = records.map(({ key, value, metadata, expiresAt }) => ({
      key,
      value,
      metadata,
      expiresAt,
    }));
  }
  return result;
}

describe("cli migrate", () => {
  it("refuses bad and missing URLs with a clear message and copies nothing", async () => {
    const folder = await dataDir();
    const env = { AGENTVAULT_DATA_DIR: folder };
    const unknown = await cli(["migrate", "--to", "nosuch://host/db"], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^--to: Unsupported storage URL/);
    const server = await cli(["migrate", "--to", "https://vault.example.com"], env);
    expect(server.stderr).toMatch(/^--to: https: URLs name a hosted server, not a storage backend/);
    const from = await cli(["migrate", "--from", "cassandra://x", "--to", "memory:"], env);
    expect(from.stderr).toMatch(/^--from: Unsupported storage URL/);
    const missing = await cli(["migrate"], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^migrate needs --to <storage url>\n\nUsage:/);
    const tenant = await cli(
      ["migrate", "--to", `sqlite:${folder}/copy/x.db`, "--tenant", "ghost"],
      env,
    );
    expect(tenant.stderr).toMatch(/No such tenant in the source's system database: ghost/);
  }, 60_000);

  it.skipIf(!postgres.available)(
    "copies every tenant from SQLite to PostgreSQL with dates, binary, metadata and TTLs",
    async () => {
      const folder = await dataDir();
      const prefix = `mig${randomBytes(4).toString("hex")}_`;
      const source = sqliteProvider({ directory: folder });
      await seed(source, prefix, ["acme", "globex"]);
      const databases = [
        `${prefix}system`,
        tenantDatabaseName(prefix, "acme"),
        tenantDatabaseName(prefix, "globex"),
      ];
      const target = postgresProvider({ connectionString: postgres.url });
      cleanups.push(async () => {
        for (const database of databases) await target.withDatabase(database).dropDatabase();
        await target.close();
      });

      const env = { AGENTVAULT_DATA_DIR: folder, AGENTVAULT_DATABASE_PREFIX: prefix };
      const result = await cli(["migrate", "--to", postgres.url as string], env);
      expect(result.stderr).toMatch(
        new RegExp(`${prefix}acme_vault: \\d+ records in \\d+ collections`),
      );
      expect(result.stderr).toMatch(
        /Migrated \d+ records of 2 tenants \(3 databases\), each page read back/,
      );
      expect(result.code).toBe(0);

      for (const database of databases) {
        expect(await snapshot(target, database)).toEqual(await snapshot(source, database));
      }
      const acme = createVault({
        provider: target.withDatabase(tenantDatabaseName(prefix, "acme")),
      });
      expect(await acme.retrieve("notes", "note-1")).toEqual({
        _id: "note-1",
        owner: "acme",
        createdAt,
        payload,
        nested: { list: [1, "two", null] },
      });
      const copied = await target
        .withDatabase(tenantDatabaseName(prefix, "acme"))
        .get("notes", "note-1");
      const original = await source
        .withDatabase(tenantDatabaseName(prefix, "acme"))
        .get("notes", "note-1");
      expect(copied?.expiresAt).toBeGreaterThan(Date.now());
      expect(copied?.expiresAt).toBe(original?.expiresAt);
      expect(copied?.metadata).toEqual({ source: "seed" });
      expect(await (await acme.kv("settings")).get("theme")).toBe("dark");
      await source.close();

      // The target now serves the same tenants and keys to the CLI.
      const onTarget = {
        AGENTVAULT_STORAGE_URL: postgres.url as string,
        AGENTVAULT_DATABASE_PREFIX: prefix,
      };
      expect((await cli(["tenants", "list"], onTarget)).stdout).toBe("acme\nglobex\n");
      expect((await cli(["keys", "list", "globex"], onTarget)).stdout).toContain(
        "\tadmin\tadmin\t",
      );
    },
    120_000,
  );

  it("copies one encrypted tenant as ciphertext, readable on the target with the same keys", async () => {
    const folder = await dataDir();
    const copyFolder = await dataDir();
    const key: EncryptionKey = { id: "k1", key: randomBytes(32) };
    const keys = `k1:${Buffer.from(key.key).toString("base64")}`;
    const secret = `secret-${randomBytes(6).toString("hex")}`;
    const source = encrypted(sqliteProvider({ directory: folder }), { keys: [key] });
    await seed(source, "agentvault_", ["acme", "other"]);
    await createVault({
      provider: source.withDatabase(tenantDatabaseName("agentvault_", "acme")),
    }).store("secrets", { text: secret }, { key: "s" });
    await source.close();

    const result = await cli(
      ["migrate", "--to", `sqlite:${join(copyFolder, "default.db")}`, "--tenant", "acme"],
      { AGENTVAULT_DATA_DIR: folder, AGENTVAULT_ENCRYPTION_KEYS: keys },
    );
    expect(result.stderr).toMatch(/Migrated \d+ records of 1 tenant \(1 database\)/);
    expect(result.stderr).toMatch(/API keys .* were not copied/);
    expect(result.code).toBe(0);
    const files = [...(await filesUnder(copyFolder))];
    expect(files.map(([path]) => path).some((path) => path.endsWith("acme_vault.db"))).toBe(true);
    expect(files.some(([path]) => path.includes("other"))).toBe(false);
    expect(files.filter(([, bytes]) => bytes.includes(secret))).toEqual([]);

    const onCopy = { AGENTVAULT_DATA_DIR: copyFolder, AGENTVAULT_ENCRYPTION_KEYS: keys };
    expect((await cli(["tenants", "list"], onCopy)).stdout).toBe("acme\n");
    const exported = await cli(["export", "acme"], onCopy);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(secret);
  }, 120_000);
});
