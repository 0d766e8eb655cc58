import {
  createDataManager,
  type DataManager,
  type HealthStatus,
  memoryProvider,
  ProviderUnavailableError,
  type StorageProvider,
} from "@agentvault/core";
import { redisProvider } from "@agentvault/provider-redis";
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from "vitest";
import {
  type AgentStorage,
  requiresStorage,
  type StorageContext,
  StorageRequirementError,
  storageEnabled,
} from "../src/index.js";

/** A memory provider whose health is whatever `status` says, counting checks. */
function providerWithHealth(status: () => HealthStatus | Promise<HealthStatus>) {
  const inner = memoryProvider();
  const checks = { count: 0 };
  const provider = new Proxy(inner, {
    get(target, property) {
      if (property === "health") {
        return async () => {
          checks.count++;
          return status();
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as StorageProvider;
  return { provider, checks };
}

describe("requiresStorage", () => {
  let manager: DataManager;
  let closeAfter: StorageProvider[];

  beforeEach(() => {
    manager = createDataManager();
    closeAfter = [];
  });
  afterEach(async () => {
    await Promise.all(closeAfter.map((provider) => provider.close()));
  });

  it("fails before the body runs, with one error naming every missing or unhealthy provider", async () => {
    manager.registerProvider("postgresql", memoryProvider());
    manager.registerProvider(
      "search",
      providerWithHealth(() => ({ ok: false, message: "index offline" })).provider,
    );
    let ran = 0;
    const critical = requiresStorage(
      { providers: ["postgresql", "redis", "search"], dataManager: manager },
      async (input: string) => {
        ran++;
        return input;
      },
    );
    const error = await critical("x").catch((caught: unknown) => caught);
    expect(ran).toBe(0);
    expect(error).toBeInstanceOf(StorageRequirementError);
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      '[agentvault] [agent] Agent "agent" cannot start: "redis" is not registered; "search" is unhealthy (index offline)',
    );
    expect((error as StorageRequirementError).unavailable.map((item) => item.provider)).toEqual([
      "redis",
      "search",
    ]);
  });

  it("names a Redis provider pointing at a closed port as unhealthy", async () => {
    const redis = redisProvider({ url: "redis://127.0.0.1:1", connectTimeoutMs: 300 });
    closeAfter.push(redis);
    manager.registerProvider("records", memoryProvider());
    manager.registerProvider("redis", redis);
    let ran = false;
    const agent = requiresStorage(
      {
        providers: ["records", "redis"],
        dataManager: manager,
        agent: "cache-warmer",
        healthTimeoutMs: 500,
      },
      async () => {
        ran = true;
      },
    );
    const error = (await agent().catch((caught: unknown) => caught)) as StorageRequirementError;
    expect(ran).toBe(false);
    expect(StorageRequirementError.isInstance(error)).toBe(true);
    expect(error.unavailable).toEqual([
      { provider: "redis", problem: "unhealthy", message: expect.any(String) },
    ]);
    expect(error.message).toContain('Agent "cache-warmer" cannot start: "redis" is unhealthy');
  });

  it("counts a provider that does not answer within healthTimeoutMs as unhealthy", async () => {
    const hanging = providerWithHealth(() => new Promise<HealthStatus>(() => {}));
    manager.registerProvider("slow", hanging.provider);
    const agent = requiresStorage(
      { providers: ["slow"], dataManager: manager, healthTimeoutMs: 50 },
      async () => "ran",
    );
    await expect(agent()).rejects.toThrow('"slow" is unhealthy (No answer within 50 ms)');
  });

  it("checks once for many calls that start together, and not again after success", async () => {
    const healthy = providerWithHealth(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { ok: true };
    });
    manager.registerProvider("main", healthy.provider);
    const agent = requiresStorage(
      { providers: ["main"], dataManager: manager },
      async (n: number) => n * 2,
    );
    const results = await Promise.all(Array.from({ length: 25 }, (_, n) => agent(n)));
    expect(results).toEqual(Array.from({ length: 25 }, (_, n) => n * 2));
    expect(healthy.checks.count).toBe(1);
    await agent(1);
    expect(healthy.checks.count).toBe(1);
  });

  it("checks again after a failure, so an agent starts once its storage is back", async () => {
    let up = false;
    const flaky = providerWithHealth(() => ({ ok: up, message: "starting" }));
    manager.registerProvider("main", flaky.provider);
    const agent = requiresStorage({ providers: ["main"], dataManager: manager }, async () => "ok");
    const failed = await Promise.allSettled([agent(), agent(), agent()]);
    expect(failed.map((result) => result.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(flaky.checks.count).toBe(1);
    up = true;
    await expect(agent()).resolves.toBe("ok");
    expect(flaky.checks.count).toBe(2);
  });

  it("composes with storageEnabled in either order, keeping fn.storage", async () => {
    manager.registerProvider("main", memoryProvider());
    const declaration = { providers: ["main"], dataManager: manager };
    const outer = requiresStorage(
      declaration,
      storageEnabled(declaration, async (text: string, { storage }: StorageContext) =>
        storage.store(text, { provider: "main", key: "k1" }),
      ),
    );
    const inner = storageEnabled(
      declaration,
      requiresStorage(declaration, async (text: string, context: StorageContext) =>
        context.storage.store(text, { provider: "main", key: "k2" }),
      ),
    );
    await outer("one");
    await inner("two");
    expectTypeOf(outer.storage).toEqualTypeOf<AgentStorage>();
    expectTypeOf(outer).parameters.toEqualTypeOf<[text: string]>();
    expect(outer.storage.providers).toEqual(["main"]);
    expect(await manager.retrieveByKey("main", "k1")).toBe("one");
    expect(await manager.retrieveByKey("main", "k2")).toBe("two");
  });

  it("works as a standard decorator on async methods", async () => {
    manager.registerProvider("main", memoryProvider());
    const calls: string[] = [];

    class Agents {
      @requiresStorage({ providers: ["main"], dataManager: manager })
      async ready(input: string) {
        calls.push(input);
        return input;
      }

      @requiresStorage({ providers: ["main", "missing"], dataManager: manager })
      async blocked(input: string) {
        calls.push(input);
        return input;
      }
    }

    const agents = new Agents();
    await expect(agents.ready("a")).resolves.toBe("a");
    await expect(agents.blocked("b")).rejects.toThrow(
      'Agent "blocked" cannot start: "missing" is not registered',
    );
    expect(calls).toEqual(["a"]);
  });
});
