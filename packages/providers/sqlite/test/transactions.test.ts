/**
 * The transaction model: `transaction(fn)` runs in `BEGIN IMMEDIATE` across awaits, rolls back
 * everything on a throw, queues behind other transactions, and holds every other operation on
 * the database until it ends.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ConflictError,
  createVault,
  ProviderUnavailableError,
  type StorageProvider,
} from "@agentvault/core";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { sqliteProvider } from "../src/index.js";

let directory = "";
const directories: string[] = [];
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "agentvault-sqlite-tx-"));
  directories.push(directory);
});
afterAll(() => {
  for (const each of directories) rmSync(each, { recursive: true, force: true });
});

const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

describe("transactions", () => {
  it("commit everything, or on a throw roll back everything (new collections included)", async () => {
    const vault = createVault({ provider: sqliteProvider({ directory }) });
    await vault.store("accounts", { balance: 10 }, { key: "a" });
    await expect(
      vault.transaction(async (tx) => {
        await tx.update("accounts", "a", { $inc: { balance: -5 } });
        await tx.store("ledger", { amount: 5 }, { key: "entry" });
        await pause(5);
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect(await vault.retrieve("accounts", "a")).toEqual({ _id: "a", balance: 10 });
    expect(await vault.listCollections()).toEqual(["accounts"]);
    expect(await vault.retrieve("ledger", "entry")).toBeNull();
    const result = await vault.transaction(async (tx) => {
      await tx.update("accounts", "a", { $inc: { balance: -5 } });
      await tx.store("ledger", { amount: 5 }, { key: "entry" });
      return "done";
    });
    expect(result).toBe("done");
    expect(await vault.retrieve("accounts", "a")).toEqual({ _id: "a", balance: 5 });
    expect(await vault.query("ledger", { amount: 5 })).toHaveLength(1);
    await vault.close();
  });

  it("holds other reads and writes until it ends, so they never see uncommitted work", async () => {
    const provider = sqliteProvider({ directory });
    await provider.put("c", { key: "k", value: { n: 0 } });
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const running = provider.transaction(async (tx) => {
      await tx.put("c", { key: "k", value: { n: 1 } });
      events.push("tx wrote");
      await gate;
      events.push("tx ends");
    });
    await pause(5);
    const outsideRead = provider.get("c", "k").then((record) => {
      events.push(`read ${JSON.stringify(record?.value)}`);
    });
    const outsideWrite = provider.put("c", { key: "k2", value: { n: 2 } }).then(() => {
      events.push("outside wrote");
    });
    await pause(20);
    expect(events).toEqual(["tx wrote"]);
    release();
    await Promise.all([running, outsideRead, outsideWrite]);
    expect(events.slice(0, 2)).toEqual(["tx wrote", "tx ends"]);
    expect(events).toContain('read {"n":1}');
    await provider.close();
  });

  it("calls through the outer provider inside fn join the transaction instead of deadlocking", async () => {
    const vault = createVault({ provider: sqliteProvider({ directory }) });
    await expect(
      vault.transaction(async () => {
        // The outer vault, not the tx one: this flow belongs to the transaction.
        await vault.store("c", { n: 1 }, { key: "joined" });
        expect(await vault.retrieve("c", "joined")).toEqual({ _id: "joined", n: 1 });
        await vault.transaction(async (inner) => {
          await inner.store("c", { n: 2 }, { key: "nested" });
        });
        throw new Error("undo all");
      }),
    ).rejects.toThrow("undo all");
    expect(await vault.retrieve("c", "joined")).toBeNull();
    expect(await vault.retrieve("c", "nested")).toBeNull();
    await vault.close();
  });

  it("queues transactions one after another", async () => {
    const provider = sqliteProvider({ directory });
    const order: string[] = [];
    const first = provider.transaction(async () => {
      order.push("first starts");
      await pause(20);
      order.push("first ends");
    });
    const second = provider.transaction(async () => {
      order.push("second starts");
    });
    await Promise.all([first, second]);
    expect(order).toEqual(["first starts", "first ends", "second starts"]);
    await provider.close();
  });

  it("nested transactions are savepoints: an inner failure undoes only the inner work", async () => {
    const provider = sqliteProvider({ directory });
    await provider.transaction(async (tx) => {
      await tx.put("c", { key: "outer", value: 1 });
      await tx.transaction!(async (inner) => {
        await inner.put("c", { key: "inner", value: 2 });
        throw new Error("inner fails");
      }).catch(() => undefined);
      await tx.put("c", { key: "after", value: 3 });
    });
    const keys = (await provider.find("c", { filter: { type: "and", children: [] } })).map(
      (r) => r.key,
    );
    expect(keys.sort()).toEqual(["after", "outer"]);
    await provider.close();
  });

  it("a finished transaction's provider refuses further calls", async () => {
    const provider = sqliteProvider({ directory });
    let escaped: StorageProvider | undefined;
    await provider.transaction(async (tx) => {
      escaped = tx;
    });
    await expect(escaped!.put("c", { key: "k", value: 1 })).rejects.toBeInstanceOf(
      ProviderUnavailableError,
    );
    await provider.close();
  });

  it("putMany is all or nothing, even when a late record fails at write time", async () => {
    const provider = sqliteProvider({ directory });
    await provider.ensureIndexes("c", [{ fields: ["value.email"], type: "unique" }]);
    await expect(
      provider.putMany("c", [
        { key: "first", value: { email: "a@x" } },
        { key: "second", value: { email: "b@x" } },
        { key: "third", value: { email: "a@x" } },
      ]),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(await provider.getMany("c", ["first", "second", "third"])).toEqual([null, null, null]);
    await provider.close();
  });
});
