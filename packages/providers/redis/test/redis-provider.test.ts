import {
  ConflictError,
  createVault,
  ProviderUnavailableError,
  ValidationError,
} from "@agentvault/core";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisProvider } from "../src/index.js";
import {
  deleteKeysUnder,
  keysUnder,
  randomPrefix,
  rawClient,
  redisProbe,
  redisUrl,
  serviceTitle,
} from "./redis-test-setup.js";

const keyPrefix = randomPrefix("provider");
const everything = { type: "and", children: [] } as const;

describe("redis provider options", () => {
  it("refuses a key prefix that would break the hash tag", () => {
    for (const prefix of ["a{b", "a}b", "", "bad\nprefix"]) {
      expect(() => redisProvider({ keyPrefix: prefix })).toThrow(ValidationError);
    }
  });

  it("refuses non-positive timeouts and bad database names", () => {
    expect(() => redisProvider({ commandTimeoutMs: 0 })).toThrow(ValidationError);
    expect(() => redisProvider({ connectTimeoutMs: -1 })).toThrow(ValidationError);
    expect(() => redisProvider({ database: "" })).toThrow(ValidationError);
    expect(() => redisProvider().withDatabase("tab\there")).toThrow(ValidationError);
  });

  it("connects lazily: creating a provider for an unreachable server does not fail", async () => {
    const provider = redisProvider({ url: "redis://127.0.0.1:1", commandTimeoutMs: 300 });
    await expect(provider.get("c", "k")).rejects.toBeInstanceOf(ProviderUnavailableError);
    await provider.close();
  });
});

describe.skipIf(!redisProbe.available)(serviceTitle("redis provider"), () => {
  const raw = rawClient();
  const provider = redisProvider({ url: redisUrl, keyPrefix, database: "main" });

  beforeAll(() => raw.connect());
  afterAll(async () => {
    await provider.close();
    await deleteKeysUnder(keyPrefix);
    raw.disconnect();
  });

  it("stores a record as one JSON string and lets Redis expire it (PXAT)", async () => {
    const expiresAt = Date.now() + 60_000;
    await provider.put("ttl", { key: "k", value: { a: 1 }, expiresAt });
    const names = (await keysUnder(raw, keyPrefix)).filter((name) => name.endsWith(":r:k"));
    expect(names).toHaveLength(1);
    const name = names[0]!;
    expect(await raw.type(name)).toBe("string");
    expect(JSON.parse((await raw.get(name))!)).toMatchObject({ k: "k", v: { a: 1 }, e: expiresAt });
    const remaining = await raw.pttl(name);
    expect(remaining).toBeGreaterThan(55_000);
    expect(remaining).toBeLessThanOrEqual(60_000);
  });

  it("records expire in real time from every read, each at its own expiry", async () => {
    const vault = createVault({ provider });
    const kv = await vault.kv("real_ttl_kv");
    await vault.store("real_ttl", { n: 1 }, { key: "short", ttl: 0.4 });
    await vault.store("real_ttl", { n: 2 }, { key: "kept" });
    await vault.store("real_ttl_lonely", { n: 3 }, { key: "only", ttl: 0.4 });
    await kv.set("short", "s", { ttl: 0.4 });
    const lastExpiry = Date.now() + 400;
    expect(await vault.count("real_ttl")).toBe(2);
    expect(await vault.listCollections()).toContain("real_ttl_lonely");
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastExpiry - Date.now()) + 20));
    expect(await vault.retrieve("real_ttl", "short")).toBeNull();
    expect(await vault.retrieve("real_ttl")).toEqual([{ _id: "kept", n: 2 }]);
    expect(await vault.query("real_ttl", { n: { $gte: 1 } })).toEqual([{ _id: "kept", n: 2 }]);
    expect(await vault.count("real_ttl")).toBe(1);
    expect(await vault.count("real_ttl", { n: 1 })).toBe(0);
    expect(await vault.retrieve("real_ttl_lonely", "only")).toBeNull();
    expect(await vault.listCollections()).not.toContain("real_ttl_lonely");
    expect(await kv.get("short")).toBeUndefined();
    expect(await kv.size()).toBe(0);
    expect(await vault.update("real_ttl", "short", { n: 5 })).toBe(false);
    expect(await vault.delete("real_ttl", "short")).toBe(false);
  });

  it("keeps createdAt when a record is replaced, and moves updatedAt", async () => {
    await provider.put("stamps", { key: "k", value: 1, createdAt: 1000, updatedAt: 1000 });
    await provider.put("stamps", { key: "k", value: 2, createdAt: 5000, updatedAt: 6000 });
    const record = await provider.get("stamps", "k");
    expect(record).toMatchObject({ value: 2, createdAt: 1000, updatedAt: 6000 });
  });

  it("putMany writes nothing when one record is refused", async () => {
    await expect(
      provider.putMany("all_or_nothing", [
        { key: "a", value: 1, vector: [1, 2] },
        { key: "b", value: 2 },
        { key: "c", value: 3, vector: [1, 2, 3] },
      ]),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await provider.count("all_or_nothing", everything)).toBe(0);
    expect(await provider.listCollections()).not.toContain("all_or_nothing");
  });

  it("put with ifAbsent refuses a live key but takes an expired one's place", async () => {
    await provider.put("absent", { key: "k", value: 1 }, { ifAbsent: true });
    await expect(
      provider.put("absent", { key: "k", value: 2 }, { ifAbsent: true }),
    ).rejects.toBeInstanceOf(ConflictError);
    await provider.put("absent", { key: "old", value: 1, expiresAt: Date.now() - 1 });
    await provider.put("absent", { key: "old", value: 2 }, { ifAbsent: true });
    expect((await provider.get("absent", "old"))?.value).toBe(2);
  });

  it("keys with braces, colons and unicode stay inside their collection", async () => {
    const keys = ["{a}", "a:b", "}{", "r:x", "日本 😀", "*?[", "__proto__"];
    for (const key of keys) await provider.put("odd_keys", { key, value: key });
    for (const key of keys) expect((await provider.get("odd_keys", key))?.value).toBe(key);
    const found = await provider.find("odd_keys", { filter: everything });
    expect(found.map((record) => record.key).sort()).toEqual([...keys].sort());
    expect(await provider.count("odd_keys_other", everything)).toBe(0);
  });

  it("databases are isolated and share one connection and one close", async () => {
    const other = provider.withDatabase("other:{db}");
    await other.put("shared_name", { key: "k", value: "other" });
    await provider.put("shared_name", { key: "k", value: "main" });
    expect((await other.get("shared_name", "k"))?.value).toBe("other");
    expect((await provider.get("shared_name", "k"))?.value).toBe("main");
    await other.dropDatabase();
    expect(await other.listCollections()).toEqual([]);
    expect((await provider.get("shared_name", "k"))?.value).toBe("main");
  });

  it("dropping a collection and a database leaves no key behind", async () => {
    const scratch = provider.withDatabase("scratch");
    await scratch.ensureIndexes("indexed", [{ fields: ["value.n", "metadata.tag"] }]);
    await scratch.putMany(
      "indexed",
      Array.from({ length: 30 }, (_, n) => ({
        key: `k${n}`,
        value: { n, at: new Date(n) },
        metadata: { tag: `t${n % 3}` },
        expiresAt: n % 2 === 0 ? Date.now() + 60_000 : undefined,
      })),
    );
    await scratch.put("plain", { key: "p", value: 1 });
    expect(await scratch.dropCollection("indexed")).toBe(30);
    expect(
      (await keysUnder(raw, keyPrefix)).filter((name) => name.includes("{scratch:indexed}")),
    ).toEqual([]);
    await scratch.dropDatabase();
    expect((await keysUnder(raw, keyPrefix)).filter((name) => name.includes("scratch"))).toEqual(
      [],
    );
  });

  it("health reports ok with a latency, and not ok once closed", async () => {
    const own = redisProvider({ url: redisUrl, keyPrefix });
    const status = await own.health();
    expect(status.ok).toBe(true);
    expect(status.latencyMs).toBeGreaterThanOrEqual(0);
    await own.close();
    await own.close();
    expect((await own.health()).ok).toBe(false);
    await expect(own.get("c", "k")).rejects.toThrow(/closed/);
  });

  it("uses a client it is given and never closes it", async () => {
    const client = rawClient();
    await client.connect();
    const given = redisProvider({ client, keyPrefix, database: "given" });
    const vault = createVault({ provider: given });
    await vault.store("notes", { text: "hi" }, { key: "n1" });
    expect(await vault.retrieve("notes", "n1")).toEqual({ _id: "n1", text: "hi" });
    await given.dropDatabase();
    await vault.close();
    expect(await client.ping()).toBe("PONG");
    client.disconnect();
  });

  it("refuses a given client that has its own key prefix", () => {
    const prefixed = new Redis(redisUrl, { lazyConnect: true, keyPrefix: "x:" });
    expect(() => redisProvider({ client: prefixed })).toThrow(ValidationError);
    prefixed.disconnect();
  });
});
