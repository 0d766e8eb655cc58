/**
 * The provider on a real Redis Cluster of three masters, started by this file: the conformance
 * suite through an ioredis `Cluster` client, collections of different databases really spread
 * over the masters (each collection on one slot), exact concurrent updates from two clients,
 * the change feed across masters, native expiry, and a crashed master.
 */

import { randomBytes } from "node:crypto";
import { runConformance } from "@agentvault/conformance";
import {
  createVault,
  ProviderUnavailableError,
  toRecordFilter,
  ValidationError,
} from "@agentvault/core";
import { parseFilter } from "@agentvault/query";
import { Cluster } from "ioredis";
import * as vitest from "vitest";
import { redisProvider } from "../src/index.js";
import type { RedisChangeEvent } from "../src/redis-change-feed.js";
import {
  hasRedisServer,
  launcherTitle,
  type RedisClusterHandle,
  startCluster,
  until,
} from "./redis-server-launcher.js";

const { afterAll, beforeAll, describe, expect, it } = vitest;

const keyPrefix = `avtest-cluster-${randomBytes(6).toString("hex")}`;

/** A Cluster client as the README suggests it: fast failures, auto-pipelining across slots. */
function clusterClient(ports: readonly number[]): Cluster {
  const client = new Cluster(
    ports.map((port) => ({ host: "127.0.0.1", port })),
    {
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      redisOptions: { commandTimeout: 5000 },
    },
  );
  client.on("error", () => {});
  return client;
}

async function ready(client: Cluster): Promise<Cluster> {
  if (client.status !== "ready") {
    await new Promise<void>((resolve, reject) => {
      client.once("ready", resolve);
      client.once("end", () => reject(new Error("cluster client ended before ready")));
    });
  }
  return client;
}

/** Every key under `prefix` on each master, by the master's port. */
async function keysByMaster(client: Cluster, prefix: string): Promise<Map<number, string[]>> {
  const found = new Map<number, string[]>();
  for (const node of client.nodes("master")) {
    const keys = new Set<string>();
    let cursor = "0";
    do {
      const [next, page] = await node.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      for (const key of page) keys.add(key);
    } while (cursor !== "0");
    found.set(Number(node.options.port), [...keys].sort());
  }
  return found;
}

describe.skipIf(!hasRedisServer)(launcherTitle("redis provider on a Redis Cluster"), () => {
  let cluster: RedisClusterHandle | undefined;
  let client: Cluster;
  let other: Cluster;

  beforeAll(async () => {
    cluster = await startCluster(3);
    client = await ready(clusterClient(cluster.ports));
    other = await ready(clusterClient(cluster.ports));
  }, 60_000);

  afterAll(async () => {
    client?.disconnect();
    other?.disconnect();
    await cluster?.stop();
  });

  it("the test's cluster has three masters sharing every slot", async () => {
    expect(client.nodes("master")).toHaveLength(3);
    const slots = (await client.cluster("SLOTS")) as [number, number, ...unknown[]][];
    const covered = slots.reduce((sum, [from, to]) => sum + (to - from + 1), 0);
    expect(covered).toBe(16_384);
  });

  it("a Cluster client with ioredis's own keyPrefix is refused with ValidationError", () => {
    for (const options of [{ keyPrefix: "x:" }, { redisOptions: { keyPrefix: "x:" } }]) {
      const prefixed = new Cluster([{ host: "127.0.0.1", port: cluster!.ports[0]! }], {
        ...options,
        lazyConnect: true,
      });
      try {
        expect(() => redisProvider({ client: prefixed })).toThrow(ValidationError);
      } finally {
        prefixed.disconnect();
      }
    }
  });

  runConformance({
    ...vitest,
    name: "redis cluster",
    // As in redis-conformance.test.ts: expiry is checked with the suite's clock.
    limits: { ttl: "clock" },
    createProvider: async ({ database, clock }) =>
      redisProvider({ client, keyPrefix: `${keyPrefix}-c`, database, clock }),
  });

  it("collections of different databases land on different masters, each on one slot", async () => {
    const prefix = `${keyPrefix}-spread`;
    const provider = redisProvider({ client, keyPrefix: prefix });
    const databases = ["alpha", "beta", "gamma"];
    const collections = ["users", "orders", "events", "notes"];
    for (const database of databases) {
      const tenant = provider.withDatabase(database);
      await tenant.ensureIndexes("orders", [{ fields: ["value.status"] }]);
      for (const collection of collections) {
        await tenant.putMany(
          collection,
          Array.from({ length: 5 }, (_, index) => ({
            key: `k${index}`,
            value: { database, collection, index, status: index % 2 === 0 ? "open" : "done" },
          })),
        );
      }
    }

    const byMaster = await keysByMaster(client, prefix);
    // The slots of these twelve tags fall in all three masters' ranges (`redis-cli --cluster
    // create` gives each master a third of the slots): the data really is spread.
    const mastersWithKeys = [...byMaster.values()].filter((keys) => keys.length > 0);
    expect(mastersWithKeys).toHaveLength(3);

    // Each (database, collection) has all its keys on one master, in one slot.
    const masterOf = new Map<string, number>();
    for (const [port, keys] of byMaster) {
      for (const key of keys) {
        const tag = /\{([^}]*)\}/.exec(key)?.[1] ?? "";
        expect(masterOf.get(tag) ?? port, key).toBe(port);
        masterOf.set(tag, port);
      }
    }
    for (const database of databases) {
      for (const collection of collections) {
        const tag = `${database}:${collection}`;
        const keys = byMaster.get(masterOf.get(tag) ?? -1)?.filter((key) => key.includes(tag));
        // Five records plus the key set, and for "orders" the index's meta, sets and entries.
        expect(keys?.length ?? 0, tag).toBeGreaterThanOrEqual(6);
        const slots = new Set(
          await Promise.all((keys ?? []).map((key) => client.cluster("KEYSLOT", key))),
        );
        expect(slots.size, tag).toBe(1);
      }
    }
    const collectionMasters = new Set(
      databases.flatMap((database) =>
        collections.map((collection) => masterOf.get(`${database}:${collection}`)),
      ),
    );
    expect(collectionMasters.size).toBe(3);
    // One collection name in different databases is not tied to one master either.
    const usersMasters = new Set(databases.map((database) => masterOf.get(`${database}:users`)));
    expect(usersMasters.size).toBeGreaterThan(1);

    // Everything reads back through the cluster: lists, indexed queries, counts.
    for (const database of databases) {
      const tenant = provider.withDatabase(database);
      expect(await tenant.listCollections()).toEqual([...collections].sort());
      const open = await tenant.find("orders", {
        filter: toRecordFilter(parseFilter({ status: "open" })),
      });
      expect(open.map((record) => record.key).sort()).toEqual(["k0", "k2", "k4"]);
      expect(await tenant.count("events", { type: "and", children: [] })).toBe(5);
    }

    for (const database of databases) await provider.withDatabase(database).dropDatabase();
    const left = await keysByMaster(client, prefix);
    expect([...left.values()].flat()).toEqual([]);
    await provider.close();
  });

  it("50 concurrent $inc on one counter from two Cluster clients end exact", async () => {
    const prefix = `${keyPrefix}-inc`;
    const first = redisProvider({ client, keyPrefix: prefix });
    const second = redisProvider({ client: other, keyPrefix: prefix });
    const one = createVault({ provider: first });
    const two = createVault({ provider: second });
    try {
      await one.store("counters", { count: 0 }, { key: "shared" });
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          (index % 2 === 0 ? one : two).update("counters", "shared", { $inc: { count: 1 } }),
        ),
      );
      expect(results.every((result) => result === true)).toBe(true);
      expect(await two.retrieve("counters", "shared")).toEqual({ _id: "shared", count: 50 });
      await first.dropDatabase();
    } finally {
      await one.close();
      await two.close();
    }
  });

  it("the change feed delivers writes to collections on every master", async () => {
    const prefix = `${keyPrefix}-feed`;
    const writer = redisProvider({ client, keyPrefix: prefix });
    const watcher = redisProvider({ client: other, keyPrefix: prefix });
    const collections = ["a", "b", "c", "d", "e", "f", "g", "h"];
    const events: RedisChangeEvent[] = [];
    const stops = await Promise.all(
      collections.map((collection) => watcher.watch(collection, (event) => events.push(event))),
    );
    try {
      for (const collection of collections) {
        await writer.put(collection, { key: "k", value: 1 });
      }
      const byMaster = await keysByMaster(client, prefix);
      // The eight collections' slots cover all three masters.
      expect([...byMaster.values()].filter((keys) => keys.length > 0)).toHaveLength(3);
      expect(await until(async () => events.length >= collections.length, 5000)).toBe(true);
      expect(events.map((event) => event.collection).sort()).toEqual(collections);
      expect(events.every((event) => event.type === "put" && event.key === "k")).toBe(true);
    } finally {
      for (const stop of stops) await stop();
      await writer.dropDatabase();
      await writer.close();
      await watcher.close();
    }
  });

  it("native expiry (PXAT) removes records on their master", async () => {
    const prefix = `${keyPrefix}-ttl`;
    const provider = redisProvider({ client, keyPrefix: prefix });
    try {
      await provider.put("sessions", { key: "short", value: 1, expiresAt: Date.now() + 300 });
      await provider.put("sessions", { key: "long", value: 2, expiresAt: Date.now() + 600_000 });
      const recordKey = `${prefix}:{default:sessions}:r:short`;
      expect(await client.exists(recordKey)).toBe(1);
      // Redis itself deletes the key (not just the provider hiding it by its clock).
      expect(await until(async () => (await client.exists(recordKey)) === 0, 5000)).toBe(true);
      expect(await provider.get("sessions", "short")).toBeNull();
      expect((await provider.get("sessions", "long"))?.value).toBe(2);
      expect(await provider.count("sessions", { type: "and", children: [] })).toBe(1);
    } finally {
      await provider.dropDatabase();
      await provider.close();
    }
  });

  // Last: it leaves the cluster with a master down.
  it("a crashed master fails calls on its slots with ProviderUnavailableError; other masters keep serving", async () => {
    const prefix = `${keyPrefix}-crash`;
    const provider = redisProvider({ client, keyPrefix: prefix, commandTimeoutMs: 2000 });
    const collections = ["a", "b", "c"];
    for (const collection of collections) await provider.put(collection, { key: "k", value: 1 });
    const byMaster = await keysByMaster(client, prefix);
    const portOf = (collection: string) =>
      [...byMaster].find(([, keys]) =>
        keys.some((key) => key.includes(`{default:${collection}}`)),
      )?.[0];
    const victim = portOf("a")!;
    const survivor = collections.find((collection) => portOf(collection) !== victim)!;
    expect(survivor).toBeDefined();

    await cluster!.kill(victim);
    const error = await provider.get("a", "k").then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(ProviderUnavailableError.isInstance(error), String(error)).toBe(true);
    expect(String((error as Error).message)).not.toMatch(/127\.0\.0\.1|:\d{4,5}/);
    // The surviving masters still serve their slots (until the cluster declares itself down).
    expect((await provider.get(survivor, "k"))?.value).toBe(1);
    await provider.put(survivor, { key: "k2", value: 2 });
    expect(await provider.count(survivor, { type: "and", children: [] })).toBe(2);
    await provider.close();
  });
});
