/**
 * Transactions: where the provider declares them, a throw inside `vault.transaction` rolls back
 * every write made in it and a normal return commits; where it does not, the call fails with
 * `UnsupportedCapabilityError` without running the function.
 */

import { UnsupportedCapabilityError } from "@agentvault/core";
import type { AreaContext } from "../area-context.js";
import { expectErrorKind, idSet } from "../assertions.js";

class Abort extends Error {}

/** Registers the transaction tests. */
export function transactionsTests(context: AreaContext): void {
  const { it, expect } = context.runner;
  const supported = () => context.provider().capabilities.transactions;
  const notSupported = "the provider does not declare transactions";

  it("without the capability, transaction fails with UnsupportedCapabilityError", async (test) => {
    if (supported()) return test.skip("the provider declares transactions");
    let ran = false;
    await expectErrorKind(
      expect,
      () =>
        context.vault().transaction(async () => {
          ran = true;
        }),
      UnsupportedCapabilityError,
    );
    expect(ran).toBe(false);
    const store = await context.vault().kv(context.collectionName("kv"));
    await expectErrorKind(
      expect,
      () => store.transaction(async () => 1),
      UnsupportedCapabilityError,
    );
  });

  it("a normal return commits every write and returns the function's value", async (test) => {
    if (!supported()) return test.skip(notSupported);
    const vault = context.vault();
    const collection = context.collectionName("commit");
    await vault.store(collection, { n: 1 }, { key: "existing" });
    const result = await vault.transaction(async (tx) => {
      await tx.store(collection, { n: 2 }, { key: "added" });
      await tx.update(collection, "existing", { $inc: { n: 10 } });
      return "done";
    });
    expect(result).toBe("done");
    expect(await vault.retrieve(collection, "added")).toEqual({ _id: "added", n: 2 });
    expect(await vault.retrieve(collection, "existing")).toEqual({ _id: "existing", n: 11 });
  });

  it("a throw rolls back stores, updates, deletes and clears, and is rethrown", async (test) => {
    if (!supported()) return test.skip(notSupported);
    const vault = context.vault();
    const collection = context.collectionName("rollback");
    const other = context.collectionName("rollback_other");
    await vault.store(collection, { n: 1 }, { key: "kept" });
    await vault.store(collection, { n: 2 }, { key: "deleted" });
    await vault.store(other, { n: 3 }, { key: "cleared" });
    const failure = new Abort("stop");
    let thrown: unknown;
    try {
      await vault.transaction(async (tx) => {
        await tx.store(collection, { n: 4 }, { key: "added" });
        await tx.update(collection, "kept", { $set: { n: 100 } });
        await tx.updateMany(collection, {}, { $inc: { n: 1 } });
        await tx.delete(collection, "deleted");
        await tx.clear(other);
        expect(await tx.retrieve(collection, "added")).toEqual({ _id: "added", n: 5 });
        throw failure;
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBe(failure);
    expect(idSet(await vault.retrieve(collection))).toEqual(["deleted", "kept"]);
    expect(await vault.retrieve(collection, "kept")).toEqual({ _id: "kept", n: 1 });
    expect(await vault.retrieve(collection, "deleted")).toEqual({ _id: "deleted", n: 2 });
    expect(await vault.retrieve(other, "cleared")).toEqual({ _id: "cleared", n: 3 });
  });

  it("a key-value transaction rolls back on a throw", async (test) => {
    if (!supported()) return test.skip(notSupported);
    const store = await context.vault().kv(context.collectionName("kv_tx"));
    await store.set("a", 1);
    await expect(
      store.transaction(async (tx) => {
        await tx.set("a", 2);
        await tx.set("b", 3);
        throw new Abort("stop");
      }),
    ).rejects.toBeInstanceOf(Abort);
    expect(await store.snapshot()).toEqual({ a: 1 });
    await store.transaction(async (tx) => {
      await tx.set("b", 4);
    });
    expect(await store.snapshot()).toEqual({ a: 1, b: 4 });
  });

  it("provider: a transaction's writes are visible inside it and vanish after a throw", async (test) => {
    if (!supported()) return test.skip(notSupported);
    const provider = context.provider();
    const collection = context.collectionName("provider_tx");
    await expect(
      provider.transaction!(async (tx) => {
        await tx.put(collection, { key: "k", value: { v: 1 } });
        expect((await tx.get(collection, "k"))?.value).toEqual({ v: 1 });
        throw new Abort("stop");
      }),
    ).rejects.toBeInstanceOf(Abort);
    expect(await provider.get(collection, "k")).toBeNull();
  });
}
