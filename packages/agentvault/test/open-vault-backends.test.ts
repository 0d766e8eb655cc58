/**
 * `openVault` against real backends: the bundled SQLite and filesystem providers, and the
 * PostgreSQL and Redis servers when they run (skipped with the reason otherwise).
 */

import { randomBytes } from "node:crypto";
import { access, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { probeService } from "@agentvault/conformance";
import { postgresProvider } from "@agentvault/provider-postgres";
import { redisProvider } from "@agentvault/provider-redis";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { openVault, type Vault } from "../src/index.js";

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), "agentvault-open-"));
});
afterEach(() => rm(folder, { recursive: true, force: true }));

/** Stores, closes, reopens with `open` and reads back. */
async function survivesReopen(open: () => Promise<Vault>) {
  const first = await open();
  await first.store("notes", { text: "Remember to back up weekly" }, { key: "n1" });
  await (await first.kv("settings")).set("theme", "dark");
  await first.close();
  const second = await open();
  try {
    expect(await second.retrieve("notes", "n1")).toEqual({
      _id: "n1",
      text: "Remember to back up weekly",
    });
    expect(await (await second.kv("settings", { mustExist: true })).get("theme")).toBe("dark");
  } finally {
    await second.close();
  }
}

describe("openVault on the bundled providers", () => {
  it("creates ./.agentvault/vault.db when given no URL", async () => {
    await survivesReopen(() => openVault(undefined, { cwd: folder }));
    await expect(access(join(folder, ".agentvault", "vault.db"))).resolves.toBeUndefined();
  });

  it("creates the folders of a sqlite: path", async () => {
    await survivesReopen(() => openVault("sqlite:nested/deeper/agents.db", { cwd: folder }));
    await expect(access(join(folder, "nested", "deeper", "agents.db"))).resolves.toBeUndefined();
  });

  it("keeps databases of one SQLite vault apart", async () => {
    const first = await openVault(undefined, { cwd: folder, database: "tenant_a" });
    const second = await openVault(undefined, { cwd: folder, database: "tenant_b" });
    await first.store("notes", { text: "a" }, { key: "n" });
    expect(await second.retrieve("notes", "n")).toBeNull();
    expect(await first.retrieve("notes", "n")).toEqual({ _id: "n", text: "a" });
    await Promise.all([first.close(), second.close()]);
  });

  it("stores JSON files under a file: folder", async () => {
    await survivesReopen(() => openVault(`file:${join(folder, "data")}`));
    expect((await readdir(join(folder, "data"))).length).toBeGreaterThan(0);
  });
});

const postgres = await probeService("POSTGRES_URL");
const redis = await probeService("REDIS_URL");
const database = `openvault_${randomBytes(6).toString("hex")}`;

describe.skipIf(!postgres.available)(`openVault on postgres:// ${postgres.skipReason}`, () => {
  afterAll(async () => {
    const provider = postgresProvider({ connectionString: postgres.url, database });
    await provider.dropDatabase();
    await provider.close();
  });

  it("stores through the PostgreSQL provider", async () => {
    await survivesReopen(() => openVault(postgres.url, { database }));
  });
});

describe.skipIf(!redis.available)(`openVault on redis:// ${redis.skipReason}`, () => {
  afterAll(async () => {
    const provider = redisProvider({ url: redis.url, database });
    await provider.dropDatabase();
    await provider.close();
  });

  it("stores through the Redis provider", async () => {
    await survivesReopen(() => openVault(redis.url, { database }));
  });
});
