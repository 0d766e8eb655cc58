/**
 * Key-value stores over HTTP: a real server on SQLite, the same scenario run against an
 * embedded vault on SQLite and against the remote one, and the server's security model
 * (permissions, tenants, audit) applied to stores.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createVault,
  type KeyValueStore,
  LimitExceededError,
  NotFoundError,
  PermissionDeniedError,
  UnsupportedCapabilityError,
  ValidationError,
  type Vault,
} from "@agentvault/core";
import { sqliteProvider } from "@agentvault/provider-sqlite";
import type { Value } from "@agentvault/query";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { toAgentVaultError, type VaultClient } from "../src/index.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

/** The server answers at most this many entries per call, so paging and splitting show. */
const maxResultDocuments = 40;
// Near the real time: SQLite also drops entries past their expiry by the system clock.
const start = Date.now();
let clockMs = start;
const now = () => clockMs;

/** What a call answered, or the class of what it threw (messages name where they arose). */
async function outcome<T>(call: () => Promise<T>): Promise<T | { threw: string }> {
  try {
    return await call();
  } catch (error) {
    return { threw: (error as Error).name };
  }
}

/** Every KeyValueStore method, through `vault.kv`; returns everything it answered. */
async function exercise(vault: Vault, name: string) {
  const missingBefore = await outcome(() => vault.kv(name, { mustExist: true }));
  const store = await vault.kv(name);
  const reopened = await vault.kv(name, { mustExist: true });
  const results: Record<string, unknown> = { missingBefore, reopenedSize: await reopened.size() };
  await store.set("profile", {
    name: "Ada",
    joined: new Date("2025-01-15T10:00:00.123Z"),
    avatar: new Uint8Array([0, 1, 254, 255]),
    tags: ["a", "b"],
    note: "naïve café ☕ 𝄞",
  });
  await store.set("count", 1);
  await store.set("nothing", null);
  await store.set("__proto__", "not a prototype");
  results.profile = await store.get("profile");
  results.nothing = await store.get("nothing", "default");
  results.absent = await store.get("absent");
  results.absentDefault = await store.get("absent", 42);
  results.hasCount = await store.has("count");
  results.hasAbsent = await store.has("absent");
  results.deleted = await store.delete("count");
  results.deletedAgain = await store.delete("count");
  results.keys = await store.keys();
  results.values = await store.values();
  results.entries = await store.entries();
  results.size = await store.size();
  results.popped = await store.pop("nothing");
  results.poppedDefault = await store.pop("nothing", "gone");
  results.popMissing = await outcome(() => store.pop("nothing"));
  results.setDefaultNew = await store.setDefault("theme", "dark");
  results.setDefaultOld = await store.setDefault("theme", "light");
  await store.update({ a: 1, b: [true, { deep: "x" }], theme: "blue" });
  await store.setMany([
    ["c", 3],
    ["a", 10],
    ["c", 30],
  ]);
  results.badKey = await outcome(() =>
    store.setMany([
      ["ok", 1],
      ["", 2],
    ]),
  );
  results.afterBadKey = await store.has("ok");
  results.badTtl = await outcome(() => store.set("x", 1, { ttl: -1 }));
  results.snapshot = await store.snapshot();
  results.snapshotProto = Object.getPrototypeOf(await store.snapshot()) === Object.prototype;
  const iterated: [string, Value][] = [];
  for await (const entry of store) iterated.push(entry);
  results.iterated = iterated;
  results.popItem = await store.popItem();
  // Many entries: more than one call may carry or return on the server.
  const many = Array.from({ length: 3 * maxResultDocuments + 7 }, (_, index) => [
    `n${String(index).padStart(4, "0")}`,
    index,
  ]) as [string, number][];
  await store.setMany(many);
  results.manySize = await store.size();
  results.manyKeys = await store.keys();
  results.manySnapshotSize = Object.keys(await store.snapshot()).length;
  await store.update(Object.fromEntries(many.map(([key, value]) => [key, value * 2])));
  results.manyUpdated = (await store.values()).slice(-3);
  // TTL: entries disappear once their time has passed.
  await store.set("short", "soon gone", { ttl: 5 });
  await store.setMany(
    [
      ["batch1", 1],
      ["batch2", 2],
    ],
    { ttl: 60 },
  );
  results.ttlBefore = [await store.get("short"), await store.has("batch1")];
  clockMs += 10_000;
  results.ttlShortGone = [await store.get("short"), await store.has("short")];
  results.ttlBatchLive = await store.get("batch2");
  clockMs += 60_000;
  results.ttlBatchGone = await store.has("batch1");
  results.ttlKeysSkipExpired = (await store.keys()).filter((key) => key.startsWith("batch"));
  results.cleared = await store.clear();
  results.afterClear = [await store.size(), await store.keys()];
  results.popItemEmpty = await outcome(() => store.popItem());
  await store.drop();
  results.afterDrop = await outcome(() => vault.kv(name, { mustExist: true }));
  results.handleAfterDrop = await outcome(() => store.get("a"));
  return results;
}

describe("key-value stores over HTTP", () => {
  let server: TestServer;
  let shop: VaultClient;
  let directory: string;
  let embeddedProvider: ReturnType<typeof sqliteProvider>;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "agentvault-kv-http-"));
    embeddedProvider = sqliteProvider({ directory: join(directory, "embedded") });
    server = await startTestServer({
      provider: sqliteProvider({ directory: join(directory, "server") }),
      closeProvider: true,
      now,
      limits: { maxResultDocuments },
    });
    shop = await server.clientFor("shop");
  });
  afterAll(async () => {
    await server.close();
    await embeddedProvider.close();
    await rm(directory, { recursive: true, force: true });
  });

  it("answers every KeyValueStore method as an embedded store on SQLite does", async () => {
    clockMs = start;
    const embedded = await exercise(
      createVault({ provider: embeddedProvider, now }),
      "shop.settings",
    );
    clockMs = start;
    const remote = await exercise(shop, "settings");
    expect(remote).toEqual(embedded);
    // Spot checks, so the comparison cannot pass with both sides wrong in the same way.
    expect(remote.profile).toEqual({
      name: "Ada",
      joined: new Date("2025-01-15T10:00:00.123Z"),
      avatar: new Uint8Array([0, 1, 254, 255]),
      tags: ["a", "b"],
      note: "naïve café ☕ 𝄞",
    });
    expect(remote.popMissing).toMatchObject({ threw: "NotFoundError" });
    expect(remote.badKey).toMatchObject({ threw: "ValidationError" });
    expect(remote.afterBadKey).toBe(false);
    expect(remote.manySize).toBe(3 * maxResultDocuments + 7 + 5);
    expect(remote.ttlBefore).toEqual(["soon gone", true]);
    expect(remote.ttlShortGone).toEqual([undefined, false]);
    expect(remote.ttlBatchLive).toBe(2);
    expect(remote.ttlBatchGone).toBe(false);
    expect(remote.popItemEmpty).toMatchObject({ threw: "NotFoundError" });
    expect(remote.afterDrop).toMatchObject({ threw: "NotFoundError" });
    expect(remote.handleAfterDrop).toMatchObject({ threw: "NotFoundError" });
  });

  it("keeps pop, popItem and setDefault atomic under concurrent callers", async () => {
    const store = await shop.kv("races");
    const other = await (await server.clientFor("shop")).kv("races", { mustExist: true });
    await store.set("prize", "won");
    const pops = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        (index % 2 === 0 ? store : other).pop("prize", "lost"),
      ),
    );
    expect(pops.filter((value) => value === "won")).toHaveLength(1);
    expect(pops.filter((value) => value === "lost")).toHaveLength(11);

    const defaults = await Promise.all(
      Array.from({ length: 12 }, (_, index) => store.setDefault("first", `caller-${index}`)),
    );
    expect(new Set(defaults).size).toBe(1);
    expect(await store.get("first")).toBe(defaults[0]);

    // Six callers (fewer than the core's eight attempts each): every entry goes to exactly one.
    await store.clear();
    await store.setMany(Array.from({ length: 6 }, (_, index) => [`item-${index}`, index]));
    const items = await Promise.all(
      Array.from({ length: 6 }, (_, index) => (index % 2 === 0 ? store : other).popItem()),
    );
    expect(items.map(([key]) => key).sort()).toEqual(
      Array.from({ length: 6 }, (_, index) => `item-${index}`),
    );
    expect(await store.size()).toBe(0);

    // Many agents sharing one store as a work queue: every item goes to exactly one of them.
    // More callers at once than the core's popItem tries: the server keeps going while any remain.
    const queue = await shop.kv("queue");
    await queue.setMany(Array.from({ length: 16 }, (_, index) => [`job-${index}`, index]));
    const worker = await (await server.clientFor("shop")).kv("queue");
    const jobs = await Promise.all(Array.from({ length: 16 }, () => worker.popItem()));
    expect(jobs.map(([, value]) => value).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: 16 }, (_, index) => index),
    );
    await expect(queue.popItem()).rejects.toBeInstanceOf(NotFoundError);
  });

  it("fails every handle of a dropped store with NotFoundError, not only the dropping one", async () => {
    const first = await shop.kv("dropped");
    const second = await shop.kv("dropped", { mustExist: true });
    await first.set("a", 1);
    await first.drop();
    // An embedded handle opened before the drop would still write; a remote one cannot.
    await expect(second.set("a", 2)).rejects.toBeInstanceOf(NotFoundError);
    await expect(second.keys()).rejects.toBeInstanceOf(NotFoundError);
    await expect(shop.kv("dropped", { mustExist: true })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("names a store like a collection: the key's namespace, unless the name has one", async () => {
    const store = await shop.kv("carts");
    expect(store.name).toBe("shop.carts");
    await store.set("u1", ["lamp"]);
    const same = await shop.kv("shop.carts", { mustExist: true });
    expect(await same.get("u1")).toEqual(["lamp"]);
    await expect(shop.kv("_avkv")).rejects.toBeInstanceOf(ValidationError);
    await expect(shop.query("_avkv.shop.carts")).rejects.toBeInstanceOf(ValidationError);
  });

  it("fails mustExist on a missing store with NotFoundError, creating nothing", async () => {
    await expect(shop.kv("never-made", { mustExist: true })).rejects.toBeInstanceOf(NotFoundError);
    await expect(shop.kv("never-made", { mustExist: true })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("refuses keys without permission with PermissionDeniedError, and honours grants", async () => {
    const owned = await shop.kv("prices");
    await owned.set("lamp", 40);
    const other = await server.clientFor("billing");
    await expect(other.kv("shop.prices")).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(other.kv("shop.prices", { mustExist: true })).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
    // Not even creating a store in someone else's namespace.
    await expect(other.kv("shop.fresh")).rejects.toBeInstanceOf(PermissionDeniedError);

    await server.admin.admin.grant({
      collection: "shop.prices",
      principal: "billing",
      permission: "read",
    });
    const read = await other.kv("shop.prices", { mustExist: true });
    expect(await read.get("lamp")).toBe(40);
    expect(await read.keys()).toEqual(["lamp"]);
    await expect(read.set("lamp", 1)).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(read.pop("lamp")).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(read.clear()).rejects.toBeInstanceOf(PermissionDeniedError);

    await server.admin.admin.grant({
      collection: "shop.prices",
      principal: "billing",
      permission: "write",
    });
    await read.set("desk", 250);
    expect(await read.setDefault("desk", 1)).toBe(250);
    await expect(read.drop()).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(await owned.snapshot()).toEqual({ desk: 250, lamp: 40 });

    const reader = await server.clientFor("shop", "reader");
    const readOnly = await reader.kv("prices");
    expect(await readOnly.get("desk")).toBe(250);
    await expect(readOnly.delete("desk")).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(reader.kv("reader-made")).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(await owned.size()).toBe(2);
  });

  it("keeps each tenant's stores to itself", async () => {
    const store = await shop.kv("secrets");
    await store.set("token", "s3cr3t");
    const created = await server.root.admin.createTenant(`other-${Date.now().toString(36)}`);
    const stranger = server.client(created.apiKey);
    await expect(stranger.kv("shop.secrets", { mustExist: true })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    // Its own store of the same name is a different, empty one.
    const own = await stranger.kv("shop.secrets");
    expect(await own.get("token")).toBeUndefined();
    expect(await own.size()).toBe(0);
    await own.set("token", "theirs");
    expect(await store.get("token")).toBe("s3cr3t");
  });

  it("audits kv calls, allowed and denied, with the store's full name", async () => {
    const store = await shop.kv("audited");
    await store.set("k", 1);
    const outsider = await server.clientFor("intruder");
    await expect(outsider.kv("shop.audited")).rejects.toBeInstanceOf(PermissionDeniedError);
    const { entries } = await server.admin.admin.audit({ collection: "shop.audited" });
    const seen = entries.map((entry) => [entry.operation, entry.principal, entry.outcome]);
    expect(seen).toEqual(
      expect.arrayContaining([
        ["kv.open", "shop", "allowed"],
        ["kv.set", "shop", "allowed"],
        ["kv.open", "intruder", "denied"],
      ]),
    );
  });

  it("keeps transactions unsupported over HTTP, on the vault and on a store", async () => {
    const store = await shop.kv("tx");
    await expect(store.transaction(async () => 1)).rejects.toBeInstanceOf(
      UnsupportedCapabilityError,
    );
    await expect(shop.transaction(async () => 1)).rejects.toBeInstanceOf(
      UnsupportedCapabilityError,
    );
  });

  it("bounds what one call may carry on the server", async () => {
    const store = await shop.kv("bounded");
    // Splitting happens on the client; one raw call over the limit is refused.
    const runner = (shop as unknown as { runner: { state: { trpc: unknown } } }).runner;
    const trpc = runner.state.trpc as {
      kv: { setMany: { mutate(input: unknown): Promise<unknown> } };
    };
    const entries = Array.from({ length: maxResultDocuments + 1 }, (_, i) => [`k${i}`, i]);
    const refused = await trpc.kv.setMany.mutate({ store: store.name, entries }).catch((e) => e);
    const error = toAgentVaultError(refused);
    expect(error).toBeInstanceOf(LimitExceededError);
    expect((error as LimitExceededError).limit).toBe("resultSize");
    expect(await store.size()).toBe(0);
    // The same write through the store is split into calls the server accepts.
    await store.setMany(entries as [string, number][]);
    expect(await store.size()).toBe(maxResultDocuments + 1);
  });

  it("types the store by its value type", async () => {
    expectTypeOf(shop.kv<number>).returns.resolves.toEqualTypeOf<KeyValueStore<number>>();
    const counters = await shop.kv<number>("counters");
    expectTypeOf(counters.get("a")).resolves.toEqualTypeOf<number | undefined>();
    expectTypeOf(counters.get("a", "none")).resolves.toEqualTypeOf<number | string>();
    expectTypeOf(counters.pop("a", null)).resolves.toEqualTypeOf<number | null>();
    await counters.set("a", 1);
    expect(await counters.get("a", "none")).toBe(1);
  });
});

describe("key-value writes larger than the server's body limit", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ limits: { maxBodyBytes: 64_000 } });
  });
  afterAll(() => server.close());

  it("splits setMany and update into calls the server accepts", async () => {
    const vault = await server.clientFor("bulk");
    const store = await vault.kv<string>("blobs");
    const entries = Array.from(
      { length: 100 },
      (_, index) => [`k${String(index).padStart(3, "0")}`, `${index}`.padEnd(2000, "x")] as const,
    );
    await store.setMany(entries);
    expect(await store.size()).toBe(100);
    expect(await store.snapshot()).toEqual(Object.fromEntries(entries));
    await store.update(Object.fromEntries(entries.map(([key]) => [key, "y".repeat(2000)])));
    expect(new Set(await store.values())).toEqual(new Set(["y".repeat(2000)]));
  });
});
