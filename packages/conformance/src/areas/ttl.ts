/**
 * Expiry: a record stored with a TTL is never returned once it has expired, by any read
 * (retrieve, query, count, listCollections, key-value reads). With `ttl: "clock"` the suite moves
 * the provider's clock forward; with `ttl: "real"` (backends that expire records themselves) it
 * waits for a short real TTL, polling, within a bound.
 */

import { ValidationError } from "@agentvault/core";
import type { AreaContext } from "../area-context.js";
import { expectErrorKind, idSet, sleep } from "../assertions.js";

function ttlMode(context: AreaContext): "clock" | "real" {
  return context.limits.ttl ?? (context.provider().capabilities.nativeTtl ? "real" : "clock");
}

/** Registers the TTL tests. */
export function ttlTests(context: AreaContext): void {
  const { it, expect } = context.runner;

  it("rejects a TTL that is not a positive number of seconds", async () => {
    const vault = context.vault();
    const collection = context.collectionName("bad_ttl");
    for (const ttl of [0, -5, Number.NaN, Number.POSITIVE_INFINITY, "10"]) {
      await expectErrorKind(
        expect,
        () => vault.store(collection, { a: 1 }, { ttl: ttl as number }),
        ValidationError,
      );
    }
    const store = await vault.kv(context.collectionName("bad_ttl_kv"));
    await expectErrorKind(expect, () => store.set("k", 1, { ttl: -1 }), ValidationError);
    expect(await vault.count(collection)).toBe(0);
  });

  it("clock: expired records disappear from every read", async (test) => {
    if (ttlMode(context) !== "clock") return test.skip("the provider expires records in real time");
    const vault = context.vault();
    const collection = context.collectionName("expiring");
    const lonely = context.collectionName("lonely");
    await vault.store(collection, { n: 1 }, { key: "short", ttl: 10 });
    await vault.store(collection, { n: 2 }, { key: "long", ttl: 1000 });
    await vault.store(collection, { n: 3 }, { key: "forever" });
    await vault.store(lonely, { n: 4 }, { key: "only", ttl: 10 });
    const kv = await vault.kv(context.collectionName("kv"));
    await kv.set("short", "s", { ttl: 10 });
    await kv.set("kept", "k");

    context.clock.advance(9_000);
    expect(await vault.retrieve(collection, "short")).not.toBeNull();
    expect(await vault.count(collection)).toBe(3);
    expect(await kv.get("short")).toBe("s");

    context.clock.advance(1_001);
    expect(await vault.retrieve(collection, "short")).toBeNull();
    expect(idSet(await vault.retrieve(collection))).toEqual(["forever", "long"]);
    expect(idSet(await vault.query(collection, { n: { $gte: 1 } }))).toEqual(["forever", "long"]);
    expect(await vault.count(collection)).toBe(2);
    expect(await vault.count(collection, { n: 1 })).toBe(0);
    expect(await vault.retrieve(lonely, "only")).toBeNull();
    expect(await vault.listCollections()).not.toContain(lonely);
    expect(await vault.listCollections()).toContain(collection);
    expect(await kv.get("short")).toBeUndefined();
    expect(await kv.has("short")).toBe(false);
    expect(await kv.keys()).toEqual(["kept"]);
    expect(await kv.size()).toBe(1);
    expect(await kv.snapshot()).toEqual({ kept: "k" });

    context.clock.advance(1_000_000);
    expect(await vault.retrieve(collection)).toEqual([{ _id: "forever", n: 3 }]);
  });

  it("clock: expired records are not updated, deleted or counted as changed", async (test) => {
    if (ttlMode(context) !== "clock") return test.skip("the provider expires records in real time");
    const vault = context.vault();
    const collection = context.collectionName("expired_writes");
    await vault.store(collection, { n: 1 }, { key: "a", ttl: 5 });
    await vault.store(collection, { n: 1 }, { key: "b", ttl: 5 });
    await vault.store(collection, { n: 1 }, { key: "c" });
    context.clock.advance(5_000);
    expect(await vault.update(collection, "a", { $inc: { n: 1 } })).toBe(false);
    expect(await vault.updateMany(collection, {}, { $inc: { n: 1 } })).toBe(1);
    expect(await vault.deleteMany(collection, { n: { $gte: 1 } })).toBe(1);
    expect(await vault.delete(collection, "b")).toBe(false);
    expect(await vault.retrieve(collection, "a")).toBeNull();
    expect(await vault.count(collection)).toBe(0);
  });

  it("clock: an expired key can be stored again, and then lives", async (test) => {
    if (ttlMode(context) !== "clock") return test.skip("the provider expires records in real time");
    const vault = context.vault();
    const collection = context.collectionName("restore");
    await vault.store(collection, { v: 1 }, { key: "k", ttl: 1 });
    context.clock.advance(2_000);
    await vault.store(collection, { v: 2 }, { key: "k" });
    context.clock.advance(1_000_000);
    expect(await vault.retrieve(collection, "k")).toEqual({ _id: "k", v: 2 });
  });

  it("clock: an update keeps the expiry; storing again without TTL removes it", async (test) => {
    if (ttlMode(context) !== "clock") return test.skip("the provider expires records in real time");
    const vault = context.vault();
    const collection = context.collectionName("keep_expiry");
    await vault.store(collection, { v: 1 }, { key: "updated", ttl: 10 });
    await vault.store(collection, { v: 1 }, { key: "restored", ttl: 10 });
    expect(await vault.update(collection, "updated", { $set: { v: 2 } })).toBe(true);
    await vault.store(collection, { v: 2 }, { key: "restored" });
    context.clock.advance(11_000);
    expect(await vault.retrieve(collection, "updated")).toBeNull();
    expect(await vault.retrieve(collection, "restored")).toEqual({ _id: "restored", v: 2 });
  });

  it("clock: the record envelope carries expiresAt", async (test) => {
    if (ttlMode(context) !== "clock") return test.skip("the provider expires records in real time");
    const vault = context.vault();
    const collection = context.collectionName("envelope");
    const before = context.clock.now();
    await vault.store(collection, { v: 1 }, { key: "k", ttl: 30 });
    const record = await context.provider().get(collection, "k");
    expect(record?.expiresAt).toBeGreaterThanOrEqual(before + 30_000);
    expect(record?.expiresAt).toBeLessThanOrEqual(context.clock.now() + 30_000);
  });

  it("real: records expire after a short real TTL", async (test) => {
    if (ttlMode(context) !== "real") return test.skip("the TTL is tested with the suite's clock");
    const vault = context.vault();
    const collection = context.collectionName("real");
    const lonely = context.collectionName("real_lonely");
    const ttl = context.limits.realTtlSeconds;
    const stored = Date.now();
    await vault.store(collection, { n: 1 }, { key: "short", ttl });
    await vault.store(collection, { n: 2 }, { key: "kept" });
    await vault.store(lonely, { n: 3 }, { key: "only", ttl });
    const kv = await vault.kv(context.collectionName("real_kv"));
    await kv.set("short", "s", { ttl });
    const lastStored = Date.now();
    const expiresAt = stored + ttl * 1000;
    if (Date.now() < expiresAt - 300) {
      expect(await vault.retrieve(collection, "short")).not.toBeNull();
      expect(await kv.get("short")).toBe("s");
    }
    // Wait for the expiry of the record stored last, not the first: on a loaded machine the
    // stores above can be hundreds of milliseconds apart.
    const lastExpiresAt = lastStored + ttl * 1000;
    await sleep(Math.max(0, lastExpiresAt - Date.now()));
    const deadline = Date.now() + context.limits.ttlGraceMs;
    const allGone = async () =>
      (await vault.retrieve(collection, "short")) === null &&
      (await vault.retrieve(lonely, "only")) === null &&
      (await kv.get("short")) === undefined;
    while (!(await allGone()) && Date.now() < deadline) {
      await sleep(50);
    }
    expect(await vault.retrieve(collection, "short")).toBeNull();
    expect(idSet(await vault.retrieve(collection))).toEqual(["kept"]);
    expect(idSet(await vault.query(collection, { n: { $gte: 1 } }))).toEqual(["kept"]);
    expect(await vault.count(collection)).toBe(1);
    expect(await vault.retrieve(lonely, "only")).toBeNull();
    expect(await vault.listCollections()).not.toContain(lonely);
    expect(await kv.get("short")).toBeUndefined();
    expect(await kv.size()).toBe(0);
  }, 30_000);
}
