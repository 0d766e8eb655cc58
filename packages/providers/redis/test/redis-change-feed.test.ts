import { afterAll, describe, expect, it } from "vitest";
import { type RedisChangeEvent, redisProvider } from "../src/index.js";
import {
  deleteKeysUnder,
  randomPrefix,
  redisProbe,
  redisUrl,
  serviceTitle,
} from "./redis-test-setup.js";

const keyPrefix = randomPrefix("feed");
const noChange = { kind: "operators", operations: [] } as const;

/** Waits until `events` holds `count` entries, at most two seconds. */
async function waitFor(events: readonly unknown[], count: number): Promise<void> {
  const deadline = Date.now() + 2000;
  while (events.length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.skipIf(!redisProbe.available)(serviceTitle("redis change feed"), () => {
  const writer = redisProvider({ url: redisUrl, keyPrefix });
  const watcher = redisProvider({ url: redisUrl, keyPrefix });

  afterAll(async () => {
    await writer.dropDatabase();
    await writer.close();
    await watcher.close();
    await deleteKeysUnder(keyPrefix);
  });

  it("delivers every write of another provider, for the watched collection only", async () => {
    const events: RedisChangeEvent[] = [];
    const stop = await watcher.watch("watched", (event) => events.push(event));
    await writer.put("watched", { key: "a", value: 1 });
    await writer.put("ignored", { key: "x", value: 1 });
    await writer.putMany("watched", [
      { key: "b", value: 2 },
      { key: "c:{odd}", value: 3 },
    ]);
    await writer.update("watched", "a", { value: noChange });
    await writer.delete("watched", "b");
    await writer.delete("watched", "missing");
    await writer.dropCollection("watched");
    await waitFor(events, 6);
    expect(events).toEqual([
      { type: "put", collection: "watched", key: "a" },
      { type: "put", collection: "watched", key: "b" },
      { type: "put", collection: "watched", key: "c:{odd}" },
      { type: "update", collection: "watched", key: "a" },
      { type: "delete", collection: "watched", key: "b" },
      { type: "clear", collection: "watched" },
    ]);
    await stop();
    await writer.put("watched", { key: "after", value: 1 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(events).toHaveLength(6);
  });

  it("keeps databases apart and lets two listeners unsubscribe separately", async () => {
    const first: RedisChangeEvent[] = [];
    const second: RedisChangeEvent[] = [];
    const stopFirst = await watcher.watch("shared", (event) => first.push(event));
    const stopSecond = await watcher.watch("shared", (event) => second.push(event));
    await writer.withDatabase("elsewhere").put("shared", { key: "other-db", value: 1 });
    await writer.put("shared", { key: "k1", value: 1 });
    await waitFor(second, 1);
    await stopFirst();
    await writer.put("shared", { key: "k2", value: 1 });
    await waitFor(second, 2);
    expect(first.map((event) => event.key)).toEqual(["k1"]);
    expect(second.map((event) => event.key)).toEqual(["k1", "k2"]);
    await stopSecond();
    await writer.withDatabase("elsewhere").dropDatabase();
  });

  it("publishes nothing when publishChanges is off", async () => {
    const quiet = redisProvider({ url: redisUrl, keyPrefix, publishChanges: false });
    const events: RedisChangeEvent[] = [];
    const stop = await watcher.watch("quiet", (event) => events.push(event));
    await quiet.put("quiet", { key: "k", value: 1 });
    await writer.put("quiet", { key: "loud", value: 1 });
    await waitFor(events, 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events.map((event) => event.key)).toEqual(["loud"]);
    await stop();
    await quiet.close();
  });
});
