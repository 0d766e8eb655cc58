/**
 * Seeds 002 and 003: key-value stores opened with `vault.kv(name)`, used the way those users
 * do: a dictionary, counters, sessions, configuration defaults, snapshots and backups, TTLs.
 */

import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NotFoundError, type Vault } from "../src/index.js";
import { backends, type OpenedBackend } from "./backends.js";

describe.each(backends)("seeds 002/003 key-value patterns on $name", (backend) => {
  let opened: OpenedBackend;
  let vault: Vault;
  beforeEach(async () => {
    opened = await backend.open();
    vault = opened.vault;
  });
  afterEach(() => opened.cleanup());

  it("behaves like a dictionary", async () => {
    const users = await vault.kv("users");
    await users.set("alice", { role: "admin", active: true });
    await users.set("bob", { role: "user", active: false });
    expect(await users.get("alice")).toEqual({ role: "admin", active: true });
    expect(await users.get("charlie", {})).toEqual({});
    expect(await users.has("alice")).toBe(true);
    expect(await users.keys()).toEqual(["alice", "bob"]);
    const iterated: string[] = [];
    for await (const [key] of users) iterated.push(key);
    expect(iterated).toEqual(["alice", "bob"]);
    await users.delete("bob");
    expect(await users.size()).toBe(1);
    expect(await users.pop("alice")).toEqual({ role: "admin", active: true });
    await expect(users.popItem()).rejects.toThrow(NotFoundError);
  });

  it("counts up and down", async () => {
    const counter = await vault.kv<number>("counter");
    const increment = async (name: string) => {
      await counter.set(name, (await counter.get(name, 0)) + 1);
      return counter.get(name);
    };
    const decrement = async (name: string) => {
      await counter.set(name, (await counter.get(name, 0)) - 1);
      return counter.get(name);
    };
    expect(await increment("visits")).toBe(1);
    expect(await increment("visits")).toBe(2);
    expect(await decrement("visits")).toBe(1);
    expect(await decrement("errors")).toBe(-1);
  });

  it("creates and validates sessions", async () => {
    const sessions = await vault.kv("sessions");
    const create = async (userId: string) => {
      const id = crypto.randomUUID();
      await sessions.set(id, { user_id: userId, created: 1, last_activity: 1 }, { ttl: 3600 });
      return id;
    };
    const validate = async (id: string) => {
      const data = (await sessions.get(id)) as
        | { user_id: string; last_activity: number }
        | undefined;
      if (data === undefined) return null;
      const touched = { ...data, last_activity: data.last_activity + 1 };
      await sessions.set(id, touched, { ttl: 3600 });
      return touched;
    };
    const id = await create("user_123");
    expect(await validate(id)).toMatchObject({ user_id: "user_123", last_activity: 2 });
    expect(await validate(id)).toMatchObject({ last_activity: 3 });
    expect(await validate("unknown")).toBeNull();
  });

  it("loads configuration defaults without overwriting set values", async () => {
    const config = await vault.kv("app_config");
    await config.set("debug", true);
    await config.setDefault("debug", false);
    await config.setDefault("max_connections", 100);
    await config.setDefault("api_url", "https://api.example.com");
    expect(await config.snapshot()).toEqual({
      api_url: "https://api.example.com",
      debug: true,
      max_connections: 100,
    });
  });

  it("backs a store up to JSON and restores it into a new store", async () => {
    const source = await vault.kv("kimera");
    await source.update({
      api_key: "sk-test",
      model_config: { temperature: 0.7, max_tokens: 1000 },
      flags: [true, false],
    });
    await source.set("__proto__", "an ordinary key");
    const backup = JSON.stringify({ timestamp: "2024-12-19", data: await source.snapshot() });

    const restored = await vault.kv("kimera_restored");
    await restored.update(JSON.parse(backup).data);
    expect(await restored.snapshot()).toEqual(await source.snapshot());
    expect(await restored.get("__proto__")).toBe("an ordinary key");
    expect(await restored.size()).toBe(4);
  });

  it("forgets entries whose time to live has passed", async () => {
    const cache = await vault.kv("cache");
    await cache.set("short", "gone soon", { ttl: 0.05 });
    await cache.set("long", "stays", { ttl: 3600 });
    await sleep(120);
    expect(await cache.get("short")).toBeUndefined();
    expect(await cache.has("short")).toBe(false);
    expect(await cache.get("long")).toBe("stays");
    expect(await cache.keys()).toEqual(["long"]);
  });

  it("refuses to open a store that must exist but does not", async () => {
    await expect(vault.kv("missing", { mustExist: true })).rejects.toThrow(NotFoundError);
    const created = await vault.kv("transaction_test");
    await created.update({ step1: "done", step2: "done" });
    const reopened = await vault.kv("transaction_test", { mustExist: true });
    expect(await reopened.get("step1")).toBe("done");
    await reopened.drop();
    await expect(vault.kv("transaction_test", { mustExist: true })).rejects.toThrow(NotFoundError);
  });

  it.runIf(backend.persistent)(
    "keeps stores across restarts (persistent backends only)",
    async () => {
      const notes = await vault.kv("notes");
      await notes.set("note", "Remember to backup weekly");
      await vault.close();
      const again = await opened.reopen();
      const reopened = await again.kv("notes", { mustExist: true });
      expect(await reopened.get("note")).toBe("Remember to backup weekly");
    },
  );
});
