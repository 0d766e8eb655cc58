import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { probeService } from "@agentvault/conformance";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  configureDataManagerFromEnv,
  createDataManager,
  getDataManager,
  loadProviderFactories,
  ProviderPackageMissingError,
} from "../src/index.js";

const postgres = await probeService("POSTGRES_URL");
const redis = await probeService("REDIS_URL");

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), "agentvault-env-"));
});
afterEach(() => rm(folder, { recursive: true, force: true }));

describe("configuring the data manager from the environment", () => {
  it("finds the installed provider packages", async () => {
    const factories = await loadProviderFactories();
    for (const kind of ["sqlite", "filesystem", "postgres", "redis", "s3"] as const) {
      expect(typeof factories[kind], kind).toBe("function");
    }
  });

  it("registers and uses every configured backend", async () => {
    const env: Record<string, string> = {
      AGENTVAULT_SQLITE_PATH: join(folder, "env.db"),
      AGENTVAULT_FS_PATH: join(folder, "files"),
    };
    const expected = ["filesystem", "sqlite"];
    if (postgres.available && postgres.url) {
      env.POSTGRES_URL = postgres.url;
      expected.push("postgres");
    }
    if (redis.available && redis.url) {
      env.REDIS_URL = redis.url;
      expected.push("redis");
    }
    const manager = createDataManager();
    try {
      const names = await manager.configureFromEnv({
        env,
        factories: await loadProviderFactories(),
      });
      expect(names.sort()).toEqual(expected.sort());
      const collection = `env_${randomBytes(6).toString("hex")}`;
      for (const provider of names) {
        const reference = await manager.store(
          { from: provider },
          { provider, collection, metadata: { kind: "probe" } },
        );
        expect(await manager.retrieve(reference.uri), provider).toEqual({ from: provider });
        const found = await manager.query(provider, { "metadata.kind": "probe" }, { collection });
        expect(
          found.map((result) => result.data),
          provider,
        ).toEqual([{ from: provider }]);
        expect(await manager.delete(reference), provider).toBe(true);
        // Shared servers: leave no empty table or key behind.
        await manager.getProvider(provider).dropCollection(collection);
      }
      const health = await manager.health();
      expect(Object.values(health).every((status) => status.ok)).toBe(true);
    } finally {
      await manager.close();
    }
  });

  it("configures the shared manager and names what is missing", async () => {
    const names = await configureDataManagerFromEnv({
      env: { AGENTVAULT_SQLITE_PATH: join(folder, "shared.db") },
    });
    expect(names).toEqual(["sqlite"]);
    const provider = getDataManager().getProvider("sqlite");
    getDataManager().unregisterProvider("sqlite");
    await provider.close();

    await expect(
      configureDataManagerFromEnv({
        env: { MONGODB_URL: "mongodb://127.0.0.1:1" },
        factories: { mongodb: undefined },
      }),
    ).rejects.toSatisfy(
      (error: unknown) =>
        ProviderPackageMissingError.isInstance(error) &&
        error.message.includes("@agentvault/provider-mongodb"),
    );
  });
});
