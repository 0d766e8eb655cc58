import { describe, expect, it } from "vitest";
import {
  createDataManager,
  memoryProvider,
  ProviderNotRegisteredError,
  ProviderUnavailableError,
  type StorageProvider,
  TransactionRolledBackError,
  UnsupportedCapabilityError,
  ValidationError,
} from "../src/index.js";

/** A memory provider without transactions, whose deletes can be made to fail. */
function scanOnly() {
  const state = { failDeletes: false };
  const provider: StorageProvider = new Proxy(memoryProvider(), {
    get(target, property) {
      if (property === "transaction") return undefined;
      if (property === "capabilities") return { ...target.capabilities, transactions: false };
      if (property === "delete" && state.failDeletes) {
        return async () => {
          throw new Error("backend down");
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { provider, state };
}

async function setup() {
  const manager = createDataManager();
  const files = scanOnly();
  manager.registerProvider("db", memoryProvider());
  manager.registerProvider("files", files.provider);
  await manager.store({ plan: "basic" }, { provider: "db", key: "account", metadata: { v: 1 } });
  await manager.store("receipt-0", { provider: "files", key: "old-receipt", ttl: 3600 });
  return { manager, files };
}

describe("dataManager.transaction best-effort", () => {
  it("undoes stores and deletes across providers in reverse order and reports them", async () => {
    const { manager } = await setup();
    const before = await manager.getProvider("files").get("data", "old-receipt");
    const failure = new Error("payment declined");
    const attempt = manager.transaction(
      async (tx) => {
        await tx.store({ plan: "pro" }, { provider: "db", key: "account", metadata: { v: 2 } });
        const receipt = await tx.store("receipt-1", { provider: "files" });
        await tx.deleteByKey("files", "old-receipt");
        await tx.delete({ provider: "db", collection: "data", key: "never-existed" });
        expect(await tx.retrieve(receipt)).toBe("receipt-1");
        throw failure;
      },
      { mode: "best-effort" },
    );
    const error = await attempt.catch((caught: unknown) => caught);
    expect(TransactionRolledBackError.isInstance(error)).toBe(true);
    const rolledBack = error as TransactionRolledBackError;
    expect(rolledBack.cause).toBe(failure);
    expect(rolledBack.report.failed).toEqual([]);
    expect(
      rolledBack.report.undone.map((step) => `${step.action}:${step.provider}:${step.undo}`),
    ).toEqual(["delete:files:restore", "store:files:delete", "store:db:restore"]);
    expect(await manager.retrieveByKey("db", "account")).toEqual({ plan: "basic" });
    expect((await manager.query("db", { key: "account" }))[0]?.reference.metadata).toEqual({
      v: 1,
    });
    expect(await manager.getProvider("files").get("data", "old-receipt")).toEqual(before);
    expect(await manager.query("files", {})).toHaveLength(1);
  });

  it("reports the undo steps that fail and still runs the others", async () => {
    const { manager, files } = await setup();
    const error = await manager
      .transaction(
        async (tx) => {
          await tx.store("new", { provider: "files", key: "fresh" });
          await tx.store({ plan: "pro" }, { provider: "db", key: "account" });
          files.state.failDeletes = true;
          throw new Error("abort");
        },
        { mode: "best-effort" },
      )
      .catch((caught: unknown) => caught as TransactionRolledBackError);
    expect(error.message).toMatch(/undid 1 of 2 writes, 1 could not be undone/);
    expect(error.report.failed).toHaveLength(1);
    expect(error.report.failed[0]).toMatchObject({
      provider: "files",
      key: "fresh",
      undo: "delete",
    });
    expect(error.report.undone).toMatchObject([{ provider: "db", key: "account" }]);
    expect(await manager.retrieveByKey("db", "account")).toEqual({ plan: "basic" });
  });

  it("keeps the writes and returns the result when nothing throws", async () => {
    const { manager } = await setup();
    let escaped: Parameters<Parameters<typeof manager.transaction>[0]>[0] | undefined;
    const result = await manager.transaction(
      async (tx) => {
        escaped = tx;
        await tx.store({ plan: "pro" }, { provider: "db", key: "account" });
        return "done";
      },
      { mode: "best-effort" },
    );
    expect(result).toBe("done");
    expect(await manager.retrieveByKey("db", "account")).toEqual({ plan: "pro" });
    await expect(escaped!.store(1, { provider: "db" })).rejects.toThrow(ProviderUnavailableError);
  });
});

describe("dataManager.transaction atomic", () => {
  it("runs on one transactional provider and rolls back on a throw", async () => {
    const { manager } = await setup();
    await expect(
      manager.transaction(
        async (tx) => {
          await tx.store({ plan: "pro" }, { provider: "db", key: "account" });
          await tx.store("x", { provider: "db", key: "extra" });
          throw new Error("abort");
        },
        { provider: "db" },
      ),
    ).rejects.toThrow("abort");
    expect(await manager.retrieveByKey("db", "account")).toEqual({ plan: "basic" });
    expect(await manager.retrieveByKey("db", "extra")).toBeNull();
    await expect(
      manager.transaction((tx) => tx.store(1, { provider: "files" }), { provider: "db" }),
    ).rejects.toThrow(ProviderNotRegisteredError);
  });

  it("refuses providers without transactions, a missing provider and unknown modes", async () => {
    const { manager } = await setup();
    await expect(manager.transaction(async () => 1, { provider: "files" })).rejects.toThrow(
      UnsupportedCapabilityError,
    );
    await expect(manager.transaction(async () => 1)).rejects.toThrow(ValidationError);
    await expect(
      manager.transaction(async () => 1, { mode: "eventual" as "atomic", provider: "db" }),
    ).rejects.toThrow(ValidationError);
  });
});
