import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import {
  broadcastChannelInvalidation,
  type ChangeListener,
  cached,
  createVault,
  encrypted,
  memoryProvider,
  type StorageProvider,
  ValidationError,
} from "../src/index.js";

function manualClock(start = Date.UTC(2025, 0, 1)) {
  let now = start;
  return Object.assign(() => now, {
    advance(milliseconds: number) {
      now += milliseconds;
    },
  });
}

/** A provider that counts its calls by method name, and can hold `get` answers back. */
function instrumented(inner: StorageProvider) {
  const calls = new Map<string, number>();
  let gate: Promise<void> | undefined;
  const provider = new Proxy(inner, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        calls.set(String(property), (calls.get(String(property)) ?? 0) + 1);
        const result = await value.apply(target, args);
        if (property === "get" && gate !== undefined) await gate;
        return result;
      };
    },
  });
  return {
    provider,
    count: (method: string) => calls.get(method) ?? 0,
    hold() {
      let release = () => {};
      gate = new Promise((resolve) => {
        release = resolve;
      });
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

describe("cached: read-through", () => {
  it("serves repeated reads from memory and returns copies", async () => {
    const backend = instrumented(memoryProvider());
    const vault = createVault({ provider: cached(backend.provider) });
    await vault.store("notes", { text: "a", list: [1] }, { key: "n" });
    const first = await vault.retrieve("notes", "n");
    (first!.list as number[]).push(2);
    for (let index = 0; index < 5; index++) {
      expect(await vault.retrieve("notes", "n")).toEqual({ _id: "n", text: "a", list: [1] });
    }
    expect(backend.count("get")).toBe(1);
    expect(await vault.retrieve("notes", "missing")).toBeNull();
    expect(await vault.retrieve("notes", "missing")).toBeNull();
    expect(backend.count("get")).toBe(3);
  });

  it("evicts on every kind of write", async () => {
    const vault = createVault({ provider: cached(memoryProvider()) });
    await vault.store("c", { v: 1 }, { key: "a" });
    await vault.store("c", { v: 1, tag: "x" }, { key: "b" });
    const read = async () => [await vault.retrieve("c", "a"), await vault.retrieve("c", "b")];
    await read();
    await vault.store("c", { v: 2 }, { key: "a" });
    expect((await read())[0]).toEqual({ _id: "a", v: 2 });
    await vault.update("c", "a", { $inc: { v: 1 } });
    expect((await read())[0]).toEqual({ _id: "a", v: 3 });
    await vault.updateMany("c", { tag: "x" }, { $set: { v: 9 } });
    expect((await read())[1]).toEqual({ _id: "b", v: 9, tag: "x" });
    await vault.deleteMany("c", { v: 9 });
    expect((await read())[1]).toBeNull();
    await vault.delete("c", "a");
    expect(await read()).toEqual([null, null]);
    await vault.store("c", { v: 1 }, { key: "a" });
    await read();
    await vault.clear("c");
    expect(await read()).toEqual([null, null]);
  });

  it("never serves an expired record, and honours maxEntries and ttlMs", async () => {
    const clock = manualClock();
    const backend = instrumented(memoryProvider({ clock }));
    const vault = createVault({
      provider: cached(backend.provider, { clock, maxEntries: 2 }),
      now: clock,
    });
    await vault.store("c", { v: 1 }, { key: "short", ttl: 10 });
    await vault.retrieve("c", "short");
    clock.advance(10_000);
    expect(await vault.retrieve("c", "short")).toBeNull();
    for (const key of ["a", "b", "c"]) await vault.store("c", { key }, { key });
    for (const key of ["a", "b", "c"]) await vault.retrieve("c", key);
    const before = backend.count("get");
    await vault.retrieve("c", "c");
    await vault.retrieve("c", "a");
    expect(backend.count("get") - before).toBe(1);

    const aging = instrumented(memoryProvider());
    const short = createVault({ provider: cached(aging.provider, { ttlMs: 20 }) });
    await short.store("c", { v: 1 }, { key: "a" });
    await short.retrieve("c", "a");
    await short.retrieve("c", "a");
    await sleep(40);
    await short.retrieve("c", "a");
    expect(aging.count("get")).toBe(2);
    expect(() => cached(memoryProvider(), { maxEntries: 0 })).toThrow(ValidationError);
  });

  it("does not cache a read that raced a write", async () => {
    const backend = instrumented(memoryProvider());
    const provider = cached(backend.provider);
    await provider.put("c", { key: "a", value: { v: "old" } });
    const release = backend.hold();
    const racing = provider.get("c", "a");
    await sleep(5);
    await provider.put("c", { key: "a", value: { v: "new" } });
    release();
    expect((await racing)?.value).toEqual({ v: "old" });
    expect((await provider.get("c", "a"))?.value).toEqual({ v: "new" });
  });

  it("serves getMany from the cache and the backend together", async () => {
    const backend = instrumented(memoryProvider());
    const provider = cached(backend.provider);
    await provider.putMany("c", [
      { key: "a", value: 1 },
      { key: "b", value: 2 },
    ]);
    await provider.get("c", "a");
    const records = await provider.getMany("c", ["a", "missing", "b"]);
    expect(records.map((record) => record?.value ?? null)).toEqual([1, null, 2]);
    expect((await provider.getMany("c", ["b", "a"])).map((record) => record?.value)).toEqual([
      2, 1,
    ]);
    expect(backend.count("getMany")).toBe(1);
  });
});

describe("cached: other writers", () => {
  it("hears writes of other caches through an invalidation channel", async () => {
    const backend = memoryProvider();
    const name = `agentvault-test-${randomBytes(4).toString("hex")}`;
    const channel = broadcastChannelInvalidation(name);
    const reader = createVault({ provider: cached(backend, { invalidation: channel }) });
    const writer = createVault({ provider: cached(backend, { invalidation: channel }) });
    const blind = createVault({ provider: cached(backend) });
    try {
      await writer.store("c", { v: 1 }, { key: "a" });
      expect(await reader.retrieve("c", "a")).toEqual({ _id: "a", v: 1 });
      expect(await blind.retrieve("c", "a")).toEqual({ _id: "a", v: 1 });
      await writer.update("c", "a", { v: 2 });
      await sleep(20);
      expect(await reader.retrieve("c", "a")).toEqual({ _id: "a", v: 2 });
      // Without a channel or feed, a cache keeps what it read until evicted.
      expect(await blind.retrieve("c", "a")).toEqual({ _id: "a", v: 1 });
    } finally {
      channel.close();
    }
  });

  it("listens to the backend's change feed before caching", async () => {
    const listeners = new Set<ChangeListener>();
    const inner = memoryProvider();
    const withFeed: StorageProvider = new Proxy(inner, {
      get(target, property) {
        if (property === "capabilities") return { ...target.capabilities, watch: true };
        if (property === "watch") {
          return async (_collection: string, listener: ChangeListener) => {
            listeners.add(listener);
            return async () => {
              listeners.delete(listener);
            };
          };
        }
        const value = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const provider = cached(withFeed);
    await inner.put("c", { key: "a", value: 1 });
    expect((await provider.get("c", "a"))?.value).toBe(1);
    expect(listeners.size).toBe(1);
    await inner.put("c", { key: "a", value: 2 });
    expect((await provider.get("c", "a"))?.value).toBe(1);
    for (const listener of listeners) listener({ type: "put", collection: "c", key: "a" });
    expect((await provider.get("c", "a"))?.value).toBe(2);
    await inner.put("c", { key: "a", value: 3 });
    for (const listener of listeners) listener({ type: "clear", collection: "c" });
    expect((await provider.get("c", "a"))?.value).toBe(3);
    await provider.close();
    expect(listeners.size).toBe(0);
  });
});

describe("cached: transactions and composition", () => {
  it("bypasses the cache inside a transaction and evicts what it touched", async () => {
    const vault = createVault({ provider: cached(memoryProvider()) });
    await vault.store("c", { v: 1 }, { key: "a" });
    await vault.retrieve("c", "a");
    await expect(
      vault.transaction(async (tx) => {
        await tx.update("c", "a", { v: 2 });
        expect(await tx.retrieve("c", "a")).toEqual({ _id: "a", v: 2 });
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect(await vault.retrieve("c", "a")).toEqual({ _id: "a", v: 1 });
    await vault.transaction(async (tx) => {
      await tx.update("c", "a", { v: 3 });
    });
    expect(await vault.retrieve("c", "a")).toEqual({ _id: "a", v: 3 });
  });

  it("composes as encrypted(cached(...)), caching ciphertext", async () => {
    const backend = instrumented(memoryProvider());
    const keys = [{ id: "k", key: randomBytes(32) }];
    const vault = createVault({ provider: encrypted(cached(backend.provider), { keys }) });
    await vault.store("c", { secret: "s" }, { key: "a" });
    await vault.retrieve("c", "a");
    await vault.update("c", "a", { $set: { secret: "t" } });
    expect(await vault.retrieve("c", "a")).toEqual({ _id: "a", secret: "t" });
    expect(await vault.retrieve("c", "a")).toEqual({ _id: "a", secret: "t" });
    // One read fills the cache and serves the update's read; the update evicts it; one more.
    expect(backend.count("get")).toBe(2);
  });
});
