/**
 * Caches in front of a backend shared with other writers: the Redis change feed evicts what
 * another connection wrote, and on SQLite an explicit invalidation channel does the same.
 */

import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { broadcastChannelInvalidation, cached, createVault, type Vault } from "@agentvault/core";
import { redisProvider } from "@agentvault/provider-redis";
import { afterAll, describe, expect, it } from "vitest";
import { available, Backends, redisProbe, titled } from "./backends.js";

const backends = new Backends();
afterAll(() => backends.cleanup());

/** Reads until the document equals `expected`, for at most two seconds; returns the last read. */
async function eventually(vault: Vault, key: string, expected: unknown): Promise<unknown> {
  const deadline = Date.now() + 2000;
  let document: unknown;
  do {
    document = await vault.retrieve("c", key);
    if (JSON.stringify(document) === JSON.stringify(expected)) return document;
    await sleep(20);
  } while (Date.now() < deadline);
  return document;
}

describe("cached over a shared backend", () => {
  it.skipIf(!available("redis"))(
    titled("sees another connection's writes through the Redis change feed", "redis"),
    async () => {
      const reader = createVault({ provider: cached(await backends.open("redis", "feed")) });
      const writer = createVault({ provider: await backends.openSeparate("redis", "feed") });
      // A writer that publishes nothing shows the reader really serves from its cache.
      const quiet = redisProvider({
        url: redisProbe.url,
        keyPrefix: backends.redisKeyPrefix,
        database: "feed",
        publishChanges: false,
      });
      await writer.store("c", { v: 1 }, { key: "a" });
      await writer.store("c", { v: 1 }, { key: "b" });
      expect(await reader.retrieve("c", "a")).toEqual({ _id: "a", v: 1 });
      expect(await reader.retrieve("c", "b")).toEqual({ _id: "b", v: 1 });
      await quiet.put("c", { key: "a", value: { v: "unannounced" } });
      await quiet.close();
      await sleep(100);
      expect(await reader.retrieve("c", "a")).toEqual({ _id: "a", v: 1 });
      await writer.update("c", "a", { v: 2 });
      expect(await eventually(reader, "a", { _id: "a", v: 2 })).toEqual({ _id: "a", v: 2 });
      await writer.delete("c", "a");
      expect(await eventually(reader, "a", null)).toBeNull();
      await writer.clear("c");
      expect(await eventually(reader, "b", null)).toBeNull();
    },
  );

  it("sees another connection's writes on SQLite through an invalidation channel", async () => {
    const channel = broadcastChannelInvalidation(`it-${randomBytes(4).toString("hex")}`);
    try {
      const reader = createVault({
        provider: cached(await backends.open("sqlite", "channel"), { invalidation: channel }),
      });
      const writer = createVault({
        provider: cached(await backends.openSeparate("sqlite", "channel"), {
          invalidation: channel,
        }),
      });
      await writer.store("c", { v: 1 }, { key: "a" });
      expect(await reader.retrieve("c", "a")).toEqual({ _id: "a", v: 1 });
      await writer.updateMany("c", {}, { $set: { v: 3 } });
      expect(await eventually(reader, "a", { _id: "a", v: 3 })).toEqual({ _id: "a", v: 3 });
    } finally {
      channel.close();
    }
  });
});
