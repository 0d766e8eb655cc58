/**
 * Atomic updates under contention on a real PostgreSQL: 50 concurrent `$inc` on one counter end
 * exact, through one provider and through two providers with separate pools (as two server
 * instances would be); a transaction's writes are all or nothing.
 */

import { probeService } from "@agentvault/conformance";
import { createVault } from "@agentvault/core";
import { afterAll, describe, expect, it } from "vitest";
import { postgresProvider } from "../src/index.js";
import { dropSchemasWithPrefix, randomSchemaPrefix } from "./postgres-test-support.js";

const probe = await probeService("POSTGRES_URL");
const schemaPrefix = randomSchemaPrefix();

describe.skipIf(!probe.available)(`postgres concurrent updates ${probe.skipReason}`, () => {
  const first = postgresProvider({ connectionString: probe.url, schemaPrefix, poolSize: 6 });
  const second = postgresProvider({ connectionString: probe.url, schemaPrefix, poolSize: 6 });

  afterAll(async () => {
    await first.close();
    await second.close();
    await dropSchemasWithPrefix(probe.url!, schemaPrefix);
  });

  it("50 concurrent $inc on one counter through one provider end exact", async () => {
    const vault = createVault({ provider: first });
    await vault.store("counters", { hits: 0 }, { key: "one" });
    const results = await Promise.all(
      Array.from({ length: 50 }, () => vault.update("counters", "one", { $inc: { hits: 1 } })),
    );
    expect(results.every(Boolean)).toBe(true);
    expect(await vault.retrieve("counters", "one")).toEqual({ _id: "one", hits: 50 });
  });

  it("50 concurrent $inc across two providers with separate pools end exact", async () => {
    const vaults = [createVault({ provider: first }), createVault({ provider: second })];
    await vaults[0]!.store("counters", { hits: 0, log: [] }, { key: "shared" });
    await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        vaults[index % 2]!.update("counters", "shared", {
          $inc: { hits: 1 },
          $push: { log: index },
        }),
      ),
    );
    const stored = (await vaults[1]!.retrieve("counters", "shared")) as unknown as {
      hits: number;
      log: number[];
    };
    expect(stored.hits).toBe(50);
    expect([...stored.log].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("concurrent updateMany and update on the same records lose no increment", async () => {
    const vault = createVault({ provider: first });
    await vault.store("stock", { qty: 0, kind: "a" }, { key: "x" });
    await vault.store("stock", { qty: 0, kind: "a" }, { key: "y" });
    await Promise.all([
      ...Array.from({ length: 20 }, () =>
        vault.updateMany("stock", { kind: "a" }, { $inc: { qty: 1 } }),
      ),
      ...Array.from({ length: 20 }, () => vault.update("stock", "x", { $inc: { qty: 1 } })),
    ]);
    expect(await vault.retrieve("stock", "x")).toEqual({ _id: "x", qty: 40, kind: "a" });
    expect(await vault.retrieve("stock", "y")).toEqual({ _id: "y", qty: 20, kind: "a" });
  });

  it("a failed transaction leaves nothing behind, in any collection", async () => {
    const failure = new Error("stop");
    const outcome = await first
      .transaction(async (tx) => {
        await tx.put("orders", { key: "o1", value: { total: 1 } });
        await tx.put("audit", { key: "a1", value: { order: "o1" } });
        expect(await tx.get("orders", "o1")).not.toBeNull();
        throw failure;
      })
      .catch((error: unknown) => error);
    expect(outcome).toBe(failure);
    expect(await second.get("orders", "o1")).toBeNull();
    expect(await second.get("audit", "a1")).toBeNull();
    expect(await second.listCollections()).not.toContain("audit");
  });
});
