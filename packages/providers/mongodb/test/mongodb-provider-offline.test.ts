/**
 * The provider with the real driver and no server: port 1 on the loopback refuses connections,
 * so every call that needs MongoDB fails the way it does when the server is down. Nothing here
 * imitates a server.
 */

import { createVault, ProviderUnavailableError, ValidationError } from "@agentvault/core";
import { parseFilter } from "@agentvault/query";
import { MongoClient } from "mongodb";
import { describe, expect, it, vi } from "vitest";
import { mongodbProvider } from "../src/mongodb-provider.js";

const unreachable = "mongodb://agentvault:secret-password@127.0.0.1:1/?directConnection=true";
const timeoutMs = 300;

function offlineProvider(options: { database?: string } = {}) {
  return mongodbProvider({
    url: unreachable,
    serverSelectionTimeoutMs: timeoutMs,
    healthTimeoutMs: 2000,
    ...options,
  });
}

async function failure(
  call: () => Promise<unknown>,
): Promise<{ error: unknown; elapsedMs: number }> {
  const started = performance.now();
  try {
    await call();
  } catch (error) {
    return { error, elapsedMs: performance.now() - started };
  }
  throw new Error("expected the call to fail");
}

describe("mongodbProvider without a reachable server", () => {
  it("names its MongoDB database after the tenant and declares native capabilities", async () => {
    const provider = offlineProvider({ database: "acme" });
    expect(provider.name).toBe("mongodb");
    expect(provider.database).toBe("acme");
    expect(provider.mongoDatabaseName).toBe("agentvault_acme_vault");
    expect(provider.capabilities).toEqual({
      nativeTtl: true,
      transactions: true,
      vectorSearch: true,
      watch: false,
      indexes: true,
      nativeFilters: true,
    });
    const sibling = provider.withDatabase("agentvault_globex_vault");
    expect(sibling.database).toBe("agentvault_globex_vault");
    expect((sibling as typeof provider).mongoDatabaseName).toBe("agentvault_globex_vault");
    await provider.close();
  });

  it("fails a read with ProviderUnavailableError within the selection timeout, leaking no URL", async () => {
    const provider = offlineProvider();
    const { error, elapsedMs } = await failure(() => provider.get("notes", "k"));
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as Error).message).toBe(
      "[agentvault] [mongodb] MongoDB is unavailable or did not answer in time (connect)",
    );
    expect((error as Error).message).not.toMatch(/secret|127\.0\.0\.1/);
    expect(elapsedMs).toBeLessThan(timeoutMs + 5000);
    await provider.close();
  });

  it("every kind of call surfaces the same clear error through a Vault", async () => {
    const vault = createVault({ provider: offlineProvider() });
    const calls: (() => Promise<unknown>)[] = [
      () => vault.store("notes", { a: 1 }),
      () => vault.query("notes", { a: { $gt: 1 } }),
      () => vault.update("notes", "k", { $inc: { n: 1 } }),
      () => vault.count("notes"),
      () => vault.listCollections(),
      () => vault.transaction(async () => 1),
    ];
    const errors = await Promise.all(calls.map(async (call) => (await failure(call)).error));
    for (const error of errors) expect(error).toBeInstanceOf(ProviderUnavailableError);
    await vault.close();
  });

  it("health() reports the failure instead of throwing", async () => {
    const provider = offlineProvider();
    const health = await provider.health();
    expect(health.ok).toBe(false);
    expect(typeof health.latencyMs).toBe("number");
    expect(health.message).not.toMatch(/secret|127\.0\.0\.1/);
    await provider.close();
  });

  it("checks input before touching the network", async () => {
    const provider = offlineProvider();
    const started = performance.now();
    await expect(provider.put("notes", { key: "", value: 1 })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(provider.put("bad name!", { key: "k", value: 1 })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(provider.find("notes", { filter: parseFilter({}), limit: 0 })).resolves.toEqual(
      [],
    );
    await expect(provider.getMany("notes", [])).resolves.toEqual([]);
    await expect(provider.ensureIndexes("notes", [{ fields: ["price"] }])).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(performance.now() - started).toBeLessThan(timeoutMs);
    await provider.close();
  });

  it("close() is idempotent, shared by siblings, and later calls fail clearly", async () => {
    const provider = offlineProvider();
    const sibling = provider.withDatabase("other");
    await provider.close();
    await provider.close();
    for (const target of [provider, sibling]) {
      const { error } = await failure(() => target.get("notes", "k"));
      expect(error).toBeInstanceOf(ProviderUnavailableError);
      expect((error as Error).message).toBe(
        "[agentvault] [mongodb] The mongodb provider is closed",
      );
      expect((await target.health()).ok).toBe(false);
    }
  });

  it("never closes a client it was given", async () => {
    const client = new MongoClient(unreachable, { serverSelectionTimeoutMS: timeoutMs });
    const close = vi.spyOn(client, "close");
    const provider = mongodbProvider({ client });
    await provider.close();
    expect(close).not.toHaveBeenCalled();
    await client.close();
  });

  it("refuses a malformed connection string at once, without echoing it", () => {
    let caught: unknown;
    try {
      mongodbProvider({ url: "mongodb://user:secret-password@/nohost" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as Error).message).not.toContain("secret");
  });
});
