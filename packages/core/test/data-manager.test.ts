import { describe, expect, it } from "vitest";
import {
  ConflictError,
  createDataManager,
  getDataManager,
  memoryProvider,
  ProviderNotRegisteredError,
  type StorageProvider,
  ValidationError,
} from "../src/index.js";

function manualClock(start = Date.UTC(2025, 0, 15)) {
  let now = start;
  return Object.assign(() => now, {
    advance(milliseconds: number) {
      now += milliseconds;
    },
  });
}

function setup() {
  const clock = manualClock();
  const manager = createDataManager({ clock });
  manager.registerProvider("memory", memoryProvider({ clock }));
  return { clock, manager };
}

describe("data manager: store and retrieve", () => {
  it("stores any JSON value and returns a reference", async () => {
    const { manager } = setup();
    const values = [{ user: "alice", preferences: { theme: "dark" } }, "text", 42, true, [1, "a"]];
    for (const value of values) {
      const reference = await manager.store(value, { provider: "memory" });
      expect(reference.provider).toBe("memory");
      expect(reference.collection).toBe("data");
      expect(reference.key).toMatch(/^data_[A-Za-z0-9_-]{12,}$/);
      expect(reference.metadata).toEqual({});
      expect(reference.uri).toBe(`agentvault://memory/data/${reference.key}`);
      expect(await manager.retrieve(reference)).toEqual(value);
    }
  });

  it("resolves references by object, by URI and by key", async () => {
    const { manager } = setup();
    const reference = await manager.store(
      { user_id: 123, action: "login" },
      { provider: "memory", key: "events/2025 01/#1", collection: "events", metadata: { v: 1 } },
    );
    expect(reference.metadata).toEqual({ v: 1 });
    const roundTripped = JSON.parse(JSON.stringify(reference));
    expect(await manager.retrieve(roundTripped)).toEqual({ user_id: 123, action: "login" });
    expect(await manager.retrieve(reference.uri)).toEqual({ user_id: 123, action: "login" });
    expect(
      await manager.retrieveByKey("memory", "events/2025 01/#1", { collection: "events" }),
    ).toEqual({ user_id: 123, action: "login" });
    expect(await manager.retrieveByKey("memory", "events/2025 01/#1")).toBeNull();
  });

  it("overwrites a stored key", async () => {
    const { manager } = setup();
    await manager.store({ version: 1 }, { provider: "memory", key: "config" });
    await manager.store({ version: 2 }, { provider: "memory", key: "config" });
    expect(await manager.retrieveByKey("memory", "config")).toEqual({ version: 2 });
  });

  it("deletes by reference, URI and key", async () => {
    const { manager } = setup();
    const first = await manager.store("a", { provider: "memory" });
    const second = await manager.store("b", { provider: "memory", key: "b" });
    const third = await manager.store("c", { provider: "memory" });
    expect(await manager.delete(first)).toBe(true);
    expect(await manager.delete(first)).toBe(false);
    expect(await manager.deleteByKey("memory", "b")).toBe(true);
    expect(await manager.delete(third.uri)).toBe(true);
    for (const reference of [first, second, third]) {
      expect(await manager.retrieve(reference)).toBeNull();
    }
  });

  it("expires values stored with a TTL", async () => {
    const { manager, clock } = setup();
    const reference = await manager.store(
      { session_id: "abc123" },
      { provider: "memory", ttl: 3600, metadata: { kind: "session" } },
    );
    expect(reference.expiresAt).toBe(clock() + 3_600_000);
    clock.advance(3_599_000);
    expect(await manager.retrieve(reference)).toEqual({ session_id: "abc123" });
    clock.advance(1_000);
    expect(await manager.retrieve(reference)).toBeNull();
    expect(await manager.query("memory", { "metadata.kind": "session" })).toEqual([]);
  });

  it("rejects values, metadata, keys and options it cannot store", async () => {
    const { manager } = setup();
    const attempts = [
      manager.store(undefined as never, { provider: "memory" }),
      manager.store((() => 1) as never, { provider: "memory" }),
      manager.store({}, { provider: "memory", metadata: ["x"] as never }),
      manager.store({}, { provider: "memory", key: "" }),
      manager.store({}, { provider: "memory", collection: "_avkv" }),
      manager.store({}, { provider: "memory", ttl: -5 }),
      manager.retrieve("https://not-a-reference"),
    ];
    for (const attempt of attempts) await expect(attempt).rejects.toThrow(ValidationError);
  });
});

describe("data manager: providers", () => {
  it("names the registered providers when one is unknown", async () => {
    const { manager } = setup();
    manager.registerProvider("cache", memoryProvider());
    const calls = [
      () => manager.store({}, { provider: "postgresql" }),
      () => manager.retrieve({ provider: "postgresql", collection: "data", key: "k" }),
      () => manager.retrieve("agentvault://postgresql/data/k"),
      () => manager.deleteByKey("postgresql", "k"),
      () => manager.query("postgresql", {}),
      () => manager.search("postgresql", [1, 0]),
    ];
    for (const call of calls) {
      await expect(call()).rejects.toSatisfy(
        (error: unknown) =>
          ProviderNotRegisteredError.isInstance(error) &&
          error.provider === "postgresql" &&
          error.message.includes("registered: memory, cache"),
      );
    }
  });

  it("registers, lists and unregisters providers", () => {
    const manager = createDataManager();
    const provider = memoryProvider();
    manager.registerProvider("filesystem", provider);
    manager.registerProvider("filesystem", provider);
    manager.registerProvider("redis", memoryProvider());
    expect(manager.providers()).toEqual(["filesystem", "redis"]);
    expect(manager.getProvider("filesystem")).toBe(provider);
    expect(() => manager.registerProvider("filesystem", memoryProvider())).toThrow(ConflictError);
    expect(() => manager.registerProvider("bad name", memoryProvider())).toThrow(ValidationError);
    expect(() => manager.registerProvider("x", {} as StorageProvider)).toThrow(ValidationError);
    expect(manager.unregisterProvider("filesystem")).toBe(true);
    expect(manager.unregisterProvider("filesystem")).toBe(false);
    expect(manager.providers()).toEqual(["redis"]);
  });

  it("shares one default manager per process", () => {
    expect(getDataManager()).toBe(getDataManager());
    expect(getDataManager()).not.toBe(createDataManager());
  });

  it("registers providers from the environment", async () => {
    const manager = createDataManager();
    const names = await manager.configureFromEnv({
      env: { AGENTVAULT_SQLITE_PATH: "/tmp/x.db" },
      factories: { sqlite: () => memoryProvider() },
    });
    expect(names).toEqual(["sqlite"]);
    const reference = await manager.store({ ok: true }, { provider: "sqlite" });
    expect(await manager.retrieve(reference)).toEqual({ ok: true });
  });

  it("closes and forgets every provider on close", async () => {
    const manager = createDataManager();
    manager.registerProvider("memory", memoryProvider());
    await manager.close();
    expect(manager.providers()).toEqual([]);
    await expect(manager.store(1, { provider: "memory" })).rejects.toThrow(
      ProviderNotRegisteredError,
    );
  });
});
