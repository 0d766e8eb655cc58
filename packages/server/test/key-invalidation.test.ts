import { randomBytes } from "node:crypto";
import { probeService } from "@agentvault/conformance";
import { memoryProvider } from "@agentvault/core";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { publishKeyRevocation, redisKeyInvalidation } from "../src/key-invalidation.js";
import { RevokedKeyError, SystemStore } from "../src/system-store.js";

const redis = await probeService("REDIS_URL");

async function until(condition: () => boolean): Promise<void> {
  const deadline = performance.now() + 2000;
  while (!condition() && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.skipIf(!redis.available)(`key revocations over Redis pub/sub ${redis.skipReason}`, () => {
  const prefix = `test${randomBytes(4).toString("hex")}_`;
  const clients: Redis[] = [];
  const closers: (() => void)[] = [];

  function client(): Redis {
    const opened = new Redis(redis.url ?? "");
    clients.push(opened);
    return opened;
  }

  afterAll(() => {
    for (const close of closers) close();
    for (const opened of clients) opened.disconnect();
  });

  it("reach a store that cached the key, and a store whose subscription is down does not cache", async () => {
    const provider = memoryProvider().withDatabase("agentvault_system");
    const revoker = new SystemStore(provider, undefined, Date.now, 60_000);
    await revoker.createTenant("acme");
    const { id, apiKey } = await revoker.createKey("acme", "svc", "service");

    const subscribed = redisKeyInvalidation(client(), prefix);
    closers.push(() => subscribed.close());
    await until(() => subscribed.live);
    expect(subscribed.live).toBe(true);
    const listening = new SystemStore(provider, undefined, Date.now, 60_000, subscribed);
    // Not subscribed yet (closed at once): every call reads the store.
    const deaf = redisKeyInvalidation(client(), prefix);
    deaf.close();
    const unsubscribed = new SystemStore(provider, undefined, Date.now, 60_000, deaf);

    await listening.authenticate(apiKey);
    await unsubscribed.authenticate(apiKey);
    const publisher = redisKeyInvalidation(client(), prefix);
    closers.push(() => publisher.close());
    const announcer = new SystemStore(provider, undefined, Date.now, 60_000, publisher);
    expect(await announcer.revokeKey("acme", id)).toBe(true);

    await expect(unsubscribed.authenticate(apiKey)).rejects.toBeInstanceOf(RevokedKeyError);
    let refused = false;
    for (let attempt = 0; attempt < 100 && !refused; attempt++) {
      refused = await listening.authenticate(apiKey).then(
        () => false,
        (error) => error instanceof RevokedKeyError,
      );
      if (!refused) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(refused).toBe(true);
  });

  it("reach a running store from a process that only publishes (the CLI)", async () => {
    const provider = memoryProvider().withDatabase("agentvault_system");
    const cli = new SystemStore(provider, undefined, Date.now);
    await cli.createTenant("acme");
    const { id, apiKey } = await cli.createKey("acme", "svc", "service");
    const subscribed = redisKeyInvalidation(client(), prefix);
    closers.push(() => subscribed.close());
    await until(() => subscribed.live);
    const running = new SystemStore(provider, undefined, Date.now, 60_000, subscribed);
    await running.authenticate(apiKey);
    expect(await cli.revokeKey("acme", id)).toBe(true);
    // Without the announcement the running store keeps trusting its cache.
    await expect(running.authenticate(apiKey)).resolves.toMatchObject({ principal: "svc" });
    expect(await publishKeyRevocation(redis.url ?? "", prefix, id)).toBeGreaterThanOrEqual(1);
    let refused = false;
    for (let attempt = 0; attempt < 100 && !refused; attempt++) {
      refused = await running.authenticate(apiKey).then(
        () => false,
        (error) => error instanceof RevokedKeyError,
      );
      if (!refused) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(refused).toBe(true);
  });
});
