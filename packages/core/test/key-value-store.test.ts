import { describe, expect, it } from "vitest";
import {
  type KeyValueStore,
  memoryProvider,
  NotFoundError,
  openKeyValueStore,
  type StorageProvider,
  UnsupportedCapabilityError,
  ValidationError,
} from "../src/index.js";

function manualClock(start = Date.UTC(2025, 0, 1)) {
  let now = start;
  const clock = () => now;
  return Object.assign(clock, {
    advance(milliseconds: number) {
      now += milliseconds;
    },
  });
}

async function freshStore(name = "items") {
  const clock = manualClock();
  const provider = memoryProvider({ clock });
  const store = await openKeyValueStore(provider, name, { clock });
  return { clock, provider, store };
}

/** The same provider without transactions, as a backend lacking them would be. */
function withoutTransactions(provider: StorageProvider): StorageProvider {
  return new Proxy(provider, {
    get(target, property) {
      if (property === "transaction") return undefined;
      if (property === "capabilities") return { ...target.capabilities, transactions: false };
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("key-value store: dictionary protocol", () => {
  it("sets, gets, checks, lists and deletes entries", async () => {
    const { store } = await freshStore();
    await store.set("alice", { role: "admin", active: true });
    await store.set("bob", { role: "user", active: false });
    expect(await store.get("alice")).toEqual({ role: "admin", active: true });
    expect(await store.get("charlie")).toBeUndefined();
    expect(await store.get("charlie", {})).toEqual({});
    expect(await store.has("alice")).toBe(true);
    expect(await store.has("charlie")).toBe(false);
    expect(await store.keys()).toEqual(["alice", "bob"]);
    expect(await store.values()).toEqual([
      { role: "admin", active: true },
      { role: "user", active: false },
    ]);
    expect(await store.size()).toBe(2);
    expect(await store.delete("bob")).toBe(true);
    expect(await store.delete("bob")).toBe(false);
    expect(await store.entries()).toEqual([["alice", { role: "admin", active: true }]]);
    expect(await store.clear()).toBe(1);
    expect(await store.size()).toBe(0);
  });

  it("round-trips every kind of value", async () => {
    const { store } = await freshStore();
    const values = {
      string: "hello",
      integer: 42,
      float: 2.5e-7,
      boolean: true,
      none: null,
      list: [1, 2, 3, "four"],
      nested: { nested: { data: "structure" } },
      when: new Date("2024-12-19T10:30:00Z"),
      bytes: new Uint8Array([0, 1, 254, 255]),
      unicode: "привет 👋",
      large: "x".repeat(100_000),
      special: "!@#$%^&*()_+-=[]{}|;':\",./<>?",
    };
    await store.update(values);
    for (const [key, value] of Object.entries(values)) {
      expect(await store.get(key), key).toEqual(value);
    }
  });

  it("accepts any printable key and rejects empty or control-character keys", async () => {
    const { store } = await freshStore();
    for (const key of ["a/b/../c", "with space", "ключ", "constructor", "session:abc"]) {
      await store.set(key, key.length);
      expect(await store.get(key), key).toBe(key.length);
    }
    await expect(store.set("", 1)).rejects.toThrow(ValidationError);
    await expect(store.set("bad\u0000key", 1)).rejects.toThrow(ValidationError);
  });

  it("keeps stores apart", async () => {
    const { provider, clock } = await freshStore();
    const first = await openKeyValueStore(provider, "first", { clock });
    const second = await openKeyValueStore(provider, "second", { clock });
    await first.set("shared", 1);
    expect(await second.has("shared")).toBe(false);
    expect(await second.size()).toBe(0);
  });

  it("iterates [key, value] pairs in key order, across many pages", async () => {
    const { store } = await freshStore();
    const expected: [string, number][] = [];
    for (let index = 0; index < 600; index++)
      expected.push([`k${String(index).padStart(4, "0")}`, index]);
    await store.setMany([...expected].reverse());
    const seen: [string, number][] = [];
    for await (const entry of store) seen.push(entry as [string, number]);
    expect(seen).toEqual(expected);
  });
});

describe("key-value store: pop, popItem, setDefault, bulk writes", () => {
  it("pops values, with a default or a NotFoundError", async () => {
    const { store } = await freshStore();
    await store.set("session", "abc123");
    expect(await store.pop("session")).toBe("abc123");
    expect(await store.get("session")).toBeUndefined();
    expect(await store.pop("session", "gone")).toBe("gone");
    expect(await store.pop("session", undefined)).toBeUndefined();
    await expect(store.pop("session")).rejects.toThrow(NotFoundError);
  });

  it("pops every item once, then reports the store empty", async () => {
    const { store } = await freshStore();
    await store.update({ task1: { data: "first" }, task2: { data: "second" } });
    const popped = [await store.popItem(), await store.popItem()];
    expect(popped.sort()).toEqual([
      ["task1", { data: "first" }],
      ["task2", { data: "second" }],
    ]);
    await expect(store.popItem()).rejects.toThrow(NotFoundError);
  });

  it("gives each of many concurrent popItem callers its own entry while entries remain", async () => {
    const { store } = await freshStore();
    const entries = Array.from({ length: 24 }, (_, index) => [`job${index}`, index] as const);
    await store.setMany(entries);
    const popped = await Promise.all(entries.map(() => store.popItem()));
    expect(popped.map(([key]) => key).sort()).toEqual(entries.map(([key]) => key).sort());
    expect(await store.size()).toBe(0);
    await expect(store.popItem()).rejects.toThrow(NotFoundError);
  });

  it("gives concurrent pops of one key to exactly one caller", async () => {
    const { store } = await freshStore();
    await store.set("job", "only-once");
    const results = await Promise.all(Array.from({ length: 10 }, () => store.pop("job", null)));
    expect(results.filter((result) => result === "only-once")).toHaveLength(1);
  });

  it("stores a default only when the key is absent", async () => {
    const { store } = await freshStore();
    expect(await store.setDefault("debug", false)).toBe(false);
    expect(await store.setDefault("debug", true)).toBe(false);
    expect(await store.get("debug")).toBe(false);
  });

  it("resolves concurrent setDefault calls to one value", async () => {
    const { store } = await freshStore();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) => store.setDefault("winner", index)),
    );
    const stored = await store.get("winner");
    expect(results.every((result) => result === stored)).toBe(true);
  });

  it("writes all entries of update/setMany or none", async () => {
    const { store } = await freshStore();
    await store.setMany([
      ["a", 1],
      ["b", 2],
      ["a", 3],
    ]);
    expect(await store.snapshot()).toEqual({ a: 3, b: 2 });
    await expect(
      store.setMany([
        ["c", 1],
        ["", 2],
      ]),
    ).rejects.toThrow(ValidationError);
    await expect(store.update({ d: 1, e: undefined as never })).rejects.toThrow(ValidationError);
    expect(await store.keys()).toEqual(["a", "b"]);
  });
});

describe("key-value store: TTL", () => {
  it("hides entries once their time to live has passed", async () => {
    const { store, clock } = await freshStore();
    await store.set("token", "t-1", { ttl: 60 });
    await store.set("forever", "f");
    await store.setMany([["batch", 1]], { ttl: 30 });
    clock.advance(31_000);
    expect(await store.has("batch")).toBe(false);
    expect(await store.get("token")).toBe("t-1");
    clock.advance(30_000);
    expect(await store.get("token")).toBeUndefined();
    expect(await store.get("token", "expired")).toBe("expired");
    expect(await store.keys()).toEqual(["forever"]);
    expect(await store.size()).toBe(1);
    expect(await store.snapshot()).toEqual({ forever: "f" });
    await expect(store.pop("token")).rejects.toThrow(NotFoundError);
    expect(await store.setDefault("token", "t-2")).toBe("t-2");
  });

  it("rejects a ttl that is not a positive number", async () => {
    const { store } = await freshStore();
    for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(store.set("k", 1, { ttl }), String(ttl)).rejects.toThrow(ValidationError);
    }
  });
});

describe("key-value store: snapshots", () => {
  it("returns a plain object where __proto__ is an ordinary key", async () => {
    const { store, provider, clock } = await freshStore();
    await store.update(JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1, "x": 2}'));
    const snapshot = await store.snapshot();
    expect(Object.getPrototypeOf(snapshot)).toBe(Object.prototype);
    expect(Object.hasOwn(snapshot, "__proto__")).toBe(true);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.keys(snapshot).sort()).toEqual(["__proto__", "constructor", "x"]);

    // Backup to JSON and restore into a new store.
    const backup = JSON.stringify({ data: snapshot });
    const restored = await openKeyValueStore(provider, "restored", { clock });
    await restored.update(JSON.parse(backup).data);
    expect(await restored.get("__proto__")).toEqual({ polluted: true });
    expect(await restored.snapshot()).toEqual(snapshot);
  });
});

describe("key-value store: lifecycle", () => {
  it("fails to open a store that must exist but was never created", async () => {
    const provider = memoryProvider();
    await expect(openKeyValueStore(provider, "missing", { mustExist: true })).rejects.toThrow(
      NotFoundError,
    );
    await openKeyValueStore(provider, "missing");
    const reopened = await openKeyValueStore(provider, "missing", { mustExist: true });
    expect(await reopened.size()).toBe(0);
  });

  it("keeps entries across handles and removes everything on drop", async () => {
    const provider = memoryProvider();
    const first = await openKeyValueStore(provider, "transaction_test");
    await first.update({ step1: "done", step2: "done" });
    const second = await openKeyValueStore(provider, "transaction_test", { mustExist: true });
    expect(await second.get("step1")).toBe("done");
    await second.drop();
    await expect(second.get("step1")).rejects.toThrow(NotFoundError);
    await expect(
      openKeyValueStore(provider, "transaction_test", { mustExist: true }),
    ).rejects.toThrow(NotFoundError);
    const recreated = await openKeyValueStore(provider, "transaction_test");
    expect(await recreated.size()).toBe(0);
  });

  it("validates store names", async () => {
    const provider = memoryProvider();
    for (const name of ["", "_avsecret", "a/b", ".hidden", "x".repeat(115)]) {
      await expect(openKeyValueStore(provider, name), name).rejects.toThrow(ValidationError);
    }
    await expect(openKeyValueStore(provider, "x".repeat(114))).resolves.toBeDefined();
  });

  it("runs transactions on the provider, or says it cannot", async () => {
    const provider = memoryProvider();
    const store: KeyValueStore = await openKeyValueStore(provider, "accounts");
    expect(provider.capabilities.transactions).toBe(true);
    await store.transaction(async (tx) => {
      await tx.set("a", 1);
      await tx.set("b", 2);
    });
    await expect(
      store.transaction(async (tx) => {
        await tx.set("c", 3);
        expect(await tx.get("c")).toBe(3);
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect(await store.keys()).toEqual(["a", "b"]);
    const limited = await openKeyValueStore(withoutTransactions(provider), "accounts");
    await expect(limited.transaction(async () => 1)).rejects.toThrow(UnsupportedCapabilityError);
  });
});
