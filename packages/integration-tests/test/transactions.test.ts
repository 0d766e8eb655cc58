/**
 * Transactions on real backends: a transaction that throws leaves no trace on SQLite and
 * PostgreSQL; across providers, the best-effort mode undoes what it wrote and reports it.
 */

import {
  createDataManager,
  createVault,
  type StorageProvider,
  TransactionRolledBackError,
  UnsupportedCapabilityError,
} from "@agentvault/core";
import { afterAll, describe, expect, it } from "vitest";
import { available, type BackendKind, Backends, titled } from "./backends.js";
import { contents } from "./dataset.js";

const backends = new Backends();
afterAll(() => backends.cleanup());

/** Everything in the provider's database, collection by collection. */
async function snapshot(provider: StorageProvider) {
  return contents(provider, await provider.listCollections());
}

describe("vault.transaction", () => {
  for (const kind of ["sqlite", "postgres"] as const) {
    it.skipIf(!available(kind))(
      titled(`that throws leaves no trace on ${kind}`, kind),
      async () => {
        const provider = await backends.open(kind, "tx");
        const vault = createVault({ provider });
        await vault.store("orders", { total: 10, at: new Date(3) }, { key: "o1" });
        await vault.store("orders", { total: 20 }, { key: "o2", metadata: { by: "ann" } });
        await (await vault.kv("counters")).set("orders", 2);
        const before = await snapshot(provider);
        await expect(
          vault.transaction(async (tx) => {
            await tx.store("orders", { total: 30 }, { key: "o3" });
            await tx.update("orders", "o1", { $inc: { total: 5 } });
            await tx.delete("orders", "o2");
            await tx.store("invoices", { order: "o3" }, { key: "i1" });
            await tx.updateMany("orders", {}, { $set: { touched: true } });
            await (await tx.kv("counters")).set("orders", 3);
            expect(await tx.count("orders")).toBe(2);
            throw new Error("payment failed");
          }),
        ).rejects.toThrow("payment failed");
        expect(await snapshot(provider)).toEqual(before);
        expect(await vault.listCollections()).toEqual(["orders"]);
        const committed = await vault.transaction(async (tx) => {
          await tx.store("orders", { total: 30 }, { key: "o3" });
          return tx.count("orders");
        });
        expect(committed).toBe(3);
        expect(await vault.count("orders")).toBe(3);
      },
    );
  }

  it.skipIf(!available("redis"))(
    titled("is refused with UnsupportedCapabilityError on redis", "redis"),
    async () => {
      const vault = createVault({ provider: await backends.open("redis", "tx") });
      await expect(vault.transaction(async () => 1)).rejects.toThrow(UnsupportedCapabilityError);
    },
  );
});

describe("dataManager.transaction", () => {
  const kinds: BackendKind[] = ["sqlite", "redis", "filesystem", "s3"];
  it.skipIf(!available(...kinds))(
    titled("best-effort undoes writes across four providers and reports what it undid", ...kinds),
    async () => {
      const manager = createDataManager();
      for (const kind of kinds) manager.registerProvider(kind, await backends.open(kind, "be"));
      await manager.store({ balance: 100 }, { provider: "sqlite", key: "wallet" });
      await manager.store("cached", { provider: "redis", key: "session", ttl: 600 });
      await manager.store({ pages: 3 }, { provider: "filesystem", key: "doc", metadata: { v: 1 } });
      const before = new Map<BackendKind, unknown>();
      for (const kind of kinds) before.set(kind, await snapshot(manager.getProvider(kind)));

      const error = await manager
        .transaction(
          async (tx) => {
            await tx.store({ balance: 40 }, { provider: "sqlite", key: "wallet" });
            await tx.store("receipt", { provider: "s3", key: "receipt-1" });
            await tx.deleteByKey("redis", "session");
            await tx.store({ pages: 4 }, { provider: "filesystem", key: "doc" });
            throw new Error("shipping failed");
          },
          { mode: "best-effort" },
        )
        .catch((caught: unknown) => caught);
      expect(TransactionRolledBackError.isInstance(error)).toBe(true);
      const { report } = error as TransactionRolledBackError;
      expect(report.failed).toEqual([]);
      expect(report.undone.map((step) => `${step.provider}/${step.key}:${step.undo}`)).toEqual([
        "filesystem/doc:restore",
        "redis/session:restore",
        "s3/receipt-1:delete",
        "sqlite/wallet:restore",
      ]);
      for (const kind of kinds) {
        expect(await snapshot(manager.getProvider(kind))).toEqual(before.get(kind));
      }
    },
  );

  it.skipIf(!available("postgres"))(
    titled("atomic on postgres leaves no trace when it throws", "postgres"),
    async () => {
      const manager = createDataManager();
      const provider = await backends.open("postgres", "atomic");
      manager.registerProvider("pg", provider);
      await manager.store({ n: 1 }, { provider: "pg", key: "a" });
      const before = await snapshot(provider);
      await expect(
        manager.transaction(
          async (tx) => {
            await tx.store({ n: 2 }, { provider: "pg", key: "a" });
            await tx.store({ n: 3 }, { provider: "pg", key: "b", collection: "other" });
            throw new Error("abort");
          },
          { provider: "pg" },
        ),
      ).rejects.toThrow("abort");
      expect(await snapshot(provider)).toEqual(before);
    },
  );
});
