import {
  createDataManager,
  type DataManager,
  getDataManager,
  memoryProvider,
  PermissionDeniedError,
  ProviderNotRegisteredError,
} from "@agentvault/core";
import { beforeEach, describe, expect, it } from "vitest";
import { type StorageContext, storageEnabled } from "../src/index.js";

interface Spore {
  readonly user: string;
  readonly action: string;
}

describe("storageEnabled on plain functions", () => {
  let manager: DataManager;

  beforeEach(() => {
    manager = createDataManager();
    manager.registerProvider("records", memoryProvider());
    manager.registerProvider("cache", memoryProvider());
    manager.registerProvider("secrets", memoryProvider());
  });

  it("passes the storage as a context argument and as fn.storage", async () => {
    const handleData = storageEnabled(
      { providers: ["records"], dataManager: manager },
      async (spore: Spore, { storage }: StorageContext) =>
        storage.store(
          { user: spore.user, action: spore.action },
          { provider: "records", metadata: { kind: "event" } },
        ),
    );
    const reference = await handleData({ user: "alice", action: "login" });
    expect(reference).toMatchObject({ provider: "records", collection: "data" });
    expect(await handleData.storage.retrieve(reference)).toEqual({
      user: "alice",
      action: "login",
    });
    // The same data, seen through the data manager itself.
    const found = await manager.query("records", { "metadata.kind": "event" });
    expect(found.map((result) => result.data)).toEqual([{ user: "alice", action: "login" }]);
    const denied = await handleData.storage
      .query("cache", {})
      .catch((error: unknown) => (error as Error).message);
    expect(denied).toBe(
      '[agentvault] [agent] Agent "agent" did not declare the provider "cache" (declared: records)',
    );
  });

  it("fills missing optional arguments so the context lands in its own parameter", async () => {
    const tagged = storageEnabled(
      { providers: ["records"], dataManager: manager },
      (text: string, tag: string | undefined, context: StorageContext) =>
        `${text}:${tag ?? "none"}:${context.storage.providers.join(",")}`,
    );
    // Plain JavaScript callers may leave optional arguments out entirely.
    expect((tagged as (...args: unknown[]) => string)("a")).toBe("a:none:records");
    expect(tagged("a", "b")).toBe("a:b:records");
  });

  it("reaches only the declared providers", async () => {
    const agent = storageEnabled(
      { providers: ["records", "cache"], dataManager: manager },
      (context: StorageContext) => context.storage,
    );
    const storage = agent();
    await storage.store("hot", { provider: "cache", key: "k" });
    await expect(storage.store("x", { provider: "secrets" })).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
    await expect(storage.retrieveByKey("secrets", "k")).rejects.toSatisfy(
      PermissionDeniedError.isInstance,
    );
    await expect(storage.query("secrets", {})).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(() => storage.vault("secrets")).toThrow(PermissionDeniedError);
    await expect(storage.retrieve("agentvault://secrets/data/k")).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
    // Nothing reached the undeclared provider.
    expect(await manager.getProvider("secrets").listCollections()).toEqual([]);
  });

  it("reaches only the declared collections, through every API", async () => {
    const agent = storageEnabled(
      { providers: ["records"], collections: ["orders", "data"], dataManager: manager },
      (context: StorageContext) => context.storage,
    );
    const storage = agent();
    const vault = storage.vault();
    await vault.store("orders", { item: "lamp" }, { key: "o1" });
    await storage.store({ note: 1 }, { provider: "records" });
    for (const attempt of [
      () => vault.store("payroll", { salary: 1 }),
      () => vault.query("payroll", {}),
      () => vault.retrieve("payroll"),
      () => vault.count("payroll"),
      () => vault.clear("payroll"),
      () => vault.kv("payroll"),
      () => storage.store({}, { provider: "records", collection: "payroll" }),
      () => storage.query("records", {}, { collection: "payroll" }),
      () => storage.retrieveByKey("records", "o1", { collection: "payroll" }),
      async () => vault.collection("payroll"),
      async () => vault.export(),
    ]) {
      await expect(attempt()).rejects.toBeInstanceOf(PermissionDeniedError);
    }
    const direct = createDataManager();
    direct.registerProvider("records", manager.getProvider("records"));
    await direct.store({ salary: 1 }, { provider: "records", collection: "payroll" });
    expect(await vault.listCollections()).toEqual(["data", "orders"]);
  });

  it("keeps read-only collections read-only, per collection or with a default", async () => {
    const writer = storageEnabled(
      { providers: ["records"], dataManager: manager },
      (context: StorageContext) => context.storage.vault(),
    )();
    await writer.store("prices", { sku: "a", price: 1 }, { key: "a" });
    await (await writer.kv<number>("limits")).set("daily", 5);

    const reader = storageEnabled(
      {
        providers: ["records"],
        dataManager: manager,
        permissions: { prices: "read", limits: "read", "*": "write" },
      },
      (context: StorageContext) => context.storage.vault(),
    )();
    expect(await reader.retrieve("prices", "a")).toMatchObject({ price: 1 });
    await expect(reader.update("prices", "a", { price: 2 })).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
    await expect(reader.deleteMany("prices", {})).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(reader.store("notes", { ok: true })).resolves.toEqual(expect.any(String));
    const limits = await reader.kv<number>("limits");
    expect(await limits.get("daily")).toBe(5);
    await expect(limits.set("daily", 6)).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(limits.drop()).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(reader.import([])).rejects.toBeInstanceOf(PermissionDeniedError);
    expect((await writer.retrieve("prices", "a"))?.price).toBe(1);
    expect(await (await writer.kv<number>("limits")).get("daily")).toBe(5);
  });

  it("checks inside transactions too", async () => {
    const vault = storageEnabled(
      { providers: ["records"], collections: ["ledger"], dataManager: manager },
      (context: StorageContext) => context.storage.vault(),
    )();
    await expect(
      vault.transaction(async (tx) => {
        await tx.store("ledger", { amount: 5 });
        await tx.store("audit", { amount: 5 });
      }),
    ).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(await vault.count("ledger")).toBe(0);
  });

  it("resolves providers at each call, from the shared data manager by default", async () => {
    const name = `late-${Math.random().toString(36).slice(2)}`;
    const agent = storageEnabled({ providers: [name] }, (context: StorageContext) =>
      context.storage.store("value", { provider: name, key: "k" }),
    );
    await expect(agent()).rejects.toBeInstanceOf(ProviderNotRegisteredError);
    getDataManager().registerProvider(name, memoryProvider());
    try {
      await agent();
      expect(await getDataManager().retrieveByKey(name, "k")).toBe("value");
    } finally {
      getDataManager().unregisterProvider(name);
    }
  });

  it("refuses malformed declarations when the agent is defined", () => {
    const noop = (_context: StorageContext) => undefined;
    expect(() => storageEnabled({ providers: [] }, noop)).toThrow(/providers/);
    expect(() =>
      storageEnabled({ providers: ["a"], permissions: "admin" as "read" }, noop),
    ).toThrow(/permission/);
  });
});

describe("storageEnabled as a standard decorator", () => {
  it("injects the context into a class method and keeps `this`", async () => {
    const manager = createDataManager();
    manager.registerProvider("main", memoryProvider());

    class SupportAgent {
      readonly prefix = "note:";

      @storageEnabled({
        providers: ["main"],
        collections: ["customer_memory"],
        dataManager: manager,
      })
      async remember(customer: string, text: string, context?: StorageContext) {
        const memory = context!.storage.collection<{ customer: string; text: string }>(
          "customer_memory",
        );
        return memory.store({ customer, text: this.prefix + text });
      }

      @storageEnabled({
        providers: ["main"],
        collections: ["customer_memory"],
        dataManager: manager,
      })
      async forbidden(context?: StorageContext) {
        return context!.storage.vault().query("payroll", {});
      }
    }

    const agent = new SupportAgent();
    const key = await agent.remember("c1", "prefers email");
    const memory = await manager.getProvider("main").get("customer_memory", key);
    expect(memory?.value).toEqual({ customer: "c1", text: "note:prefers email" });
    await expect(agent.forbidden()).rejects.toBeInstanceOf(PermissionDeniedError);
    const attached = (SupportAgent.prototype.remember as unknown as { storage: unknown }).storage;
    expect(attached).toMatchObject({ providers: ["main"], collections: ["customer_memory"] });
  });
});
