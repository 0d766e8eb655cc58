import { generateDocuments, randomFilter } from "@agentvault/conformance";
import { createVault, toRecordFilter } from "@agentvault/core";
import { parseFilter } from "@agentvault/query";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisProvider } from "../src/index.js";
import {
  deleteKeysUnder,
  randomPrefix,
  rawClient,
  redisProbe,
  redisUrl,
  serviceTitle,
} from "./redis-test-setup.js";

const keyPrefix = randomPrefix("indexes");
const base = (collection: string) => `${keyPrefix}:{main:${collection}}:`;

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

describe.skipIf(!redisProbe.available)(serviceTitle("redis index maintenance"), () => {
  const raw = rawClient();
  const provider = redisProvider({ url: redisUrl, keyPrefix, database: "main" });
  const vault = createVault({ provider });

  beforeAll(() => raw.connect());
  afterAll(async () => {
    await provider.dropDatabase();
    await vault.close();
    await deleteKeysUnder(keyPrefix);
    raw.disconnect();
  });

  /** Sorted members of an equality set of index 0 (the first indexed path). */
  const equalitySet = (collection: string, encoded: string) =>
    raw.smembers(`${base(collection)}ix:0:e:${encoded}`).then((members) => members.sort());

  it("indexes records stored before ensureIndexes", async () => {
    await vault.store("before", { sku: "a", price: 5 }, { key: "k1" });
    await vault.store("before", { sku: "b", price: 7 }, { key: "k2" });
    expect(await provider.ensureIndexes("before", [{ fields: ["value.sku", "value.price"] }])).toBe(
      true,
    );
    expect(await equalitySet("before", '"a"')).toEqual(["k1"]);
    expect(await raw.zscore(`${base("before")}ix:1:nhi`, "k2")).toBe("7");
    expect(await vault.query("before", { sku: "b" })).toEqual([{ _id: "k2", sku: "b", price: 7 }]);
  });

  it("an update of an indexed field moves the record between sets", async () => {
    await provider.ensureIndexes("moves", [{ fields: ["value.status", "value.price"] }]);
    await vault.store("moves", { status: "open", price: 10 }, { key: "order" });
    expect(await equalitySet("moves", '"open"')).toEqual(["order"]);
    await vault.update("moves", "order", { $set: { status: "shipped" }, $inc: { price: 5 } });
    expect(await equalitySet("moves", '"open"')).toEqual([]);
    expect(await equalitySet("moves", '"shipped"')).toEqual(["order"]);
    expect(await raw.zscore(`${base("moves")}ix:1:nlo`, "order")).toBe("15");
    expect(await vault.query("moves", { status: "open" })).toEqual([]);
    expect(await vault.query("moves", { price: { $gt: 12 } })).toEqual([
      { _id: "order", status: "shipped", price: 15 },
    ]);
  });

  it("a delete removes the record from every index set", async () => {
    await provider.ensureIndexes("deletes", [{ fields: ["value.tags", "value.at"] }]);
    await vault.store("deletes", { tags: ["x", "y"], at: new Date(1000) }, { key: "gone" });
    await vault.store("deletes", { tags: ["x"], at: new Date(2000) }, { key: "kept" });
    expect(await equalitySet("deletes", '"x"')).toEqual(["gone", "kept"]);
    expect(await vault.delete("deletes", "gone")).toBe(true);
    expect(await equalitySet("deletes", '"x"')).toEqual(["kept"]);
    expect(await equalitySet("deletes", '"y"')).toEqual([]);
    expect(await raw.zscore(`${base("deletes")}ix:1:dhi`, "gone")).toBeNull();
    expect(await raw.exists(`${base("deletes")}x:gone`)).toBe(0);
    expect(await vault.query("deletes", { tags: "x" })).toEqual([
      { _id: "kept", tags: ["x"], at: new Date(2000) },
    ]);
  });

  it("a record expired by TTL is never returned by an indexed query, and is pruned", async () => {
    await provider.ensureIndexes("expiring", [{ fields: ["value.kind"] }]);
    await vault.store("expiring", { kind: "session" }, { key: "short", ttl: 0.3 });
    await vault.store("expiring", { kind: "session" }, { key: "long" });
    expect(await vault.count("expiring", { kind: "session" })).toBe(2);
    await sleep(400);
    expect(await vault.query("expiring", { kind: "session" })).toEqual([
      { _id: "long", kind: "session" },
    ]);
    expect(await vault.count("expiring", { kind: "session" })).toBe(1);
    // Redis dropped the record itself; the query that met its index entries removed them.
    expect(await equalitySet("expiring", '"session"')).toEqual(["long"]);
    expect(await raw.exists(`${base("expiring")}x:short`)).toBe(0);
    expect(await raw.zscore(`${base("expiring")}keys`, "short")).toBeNull();
  });

  it("narrows queries: a record outside the candidates is never read", async () => {
    await provider.ensureIndexes("narrowed", [{ fields: ["value.sku"] }]);
    await vault.store("narrowed", { sku: "a" }, { key: "good" });
    // A record that cannot be decoded: a scan would fail on it, a narrowed query never reads it.
    await raw.zadd(`${base("narrowed")}keys`, "+inf", "broken");
    await raw.set(`${base("narrowed")}r:broken`, "not json");
    expect(await vault.query("narrowed", { sku: "a" })).toEqual([{ _id: "good", sku: "a" }]);
    expect(await vault.retrieve("narrowed", "good")).toEqual({ _id: "good", sku: "a" });
    await expect(vault.query("narrowed", { other: 1 })).rejects.toThrow();
    await raw.zrem(`${base("narrowed")}keys`, "broken");
    await raw.del(`${base("narrowed")}r:broken`);
  });

  it("a process that missed ensureIndexes still maintains the new index", async () => {
    const other = redisProvider({ url: redisUrl, keyPrefix, database: "main" });
    try {
      // `other` writes first, so it caches "no indexes" for the collection.
      await other.put("late", { key: "early", value: { sku: "a" } });
      await provider.ensureIndexes("late", [{ fields: ["value.sku"] }]);
      await other.put("late", { key: "after", value: { sku: "a" } });
      expect(await equalitySet("late", '"a"')).toEqual(["after", "early"]);
      const found = await provider.find("late", {
        filter: toRecordFilter(parseFilter({ sku: "a" })),
      });
      expect(found.map((record) => record.key).sort()).toEqual(["after", "early"]);
    } finally {
      await other.close();
    }
  });

  it("indexed and unindexed collections return the same results for random filters", async () => {
    const documents = generateDocuments(120, 3);
    const paths = ["a", "b", "n", "s", "tags", "o.x", "items.k"];
    await provider.ensureIndexes("with_index", [{ fields: paths.map((path) => `value.${path}`) }]);
    for (const document of documents) {
      await vault.store("with_index", document);
      await vault.store("without_index", document);
    }
    const ids = (found: readonly { _id: string }[]) => found.map((document) => document._id).sort();
    for (const filter of fc.sample(randomFilter, { seed: 5, numRuns: 120 })) {
      const expected = ids(await vault.query("without_index", filter));
      expect(ids(await vault.query("with_index", filter)), JSON.stringify(filter)).toEqual(
        expected,
      );
    }
  });
});
