/**
 * Concurrent writes: a single-record update is atomic, so no concurrent write is ever lost,
 * whether the writers touch the same field, different fields, or different records.
 */

import type { AreaContext } from "../area-context.js";
import { idSet } from "../assertions.js";

/** Registers the concurrency tests. */
export function concurrencyTests(context: AreaContext): void {
  const { it, expect } = context.runner;
  const writers = () => context.limits.concurrentWrites;

  it("concurrent $inc on one counter loses no increment", async () => {
    const vault = context.vault();
    const collection = context.collectionName("counter");
    await vault.store(collection, { count: 0 }, { key: "counter" });
    const results = await Promise.all(
      Array.from({ length: writers() }, () =>
        vault.update(collection, "counter", { $inc: { count: 1 } }),
      ),
    );
    expect(results.every((result) => result === true)).toBe(true);
    expect(await vault.retrieve(collection, "counter")).toEqual({
      _id: "counter",
      count: writers(),
    });
  });

  it("concurrent updates of different fields of one document all survive", async () => {
    const vault = context.vault();
    const collection = context.collectionName("fields");
    await vault.store(collection, { base: true }, { key: "doc" });
    const count = Math.min(writers(), 20);
    await Promise.all(
      Array.from({ length: count }, (_, index) =>
        index % 2 === 0
          ? vault.update(collection, "doc", { $set: { [`field${index}`]: index } })
          : vault.update(collection, "doc", { [`field${index}`]: index }),
      ),
    );
    const expected: { [field: string]: unknown } = { _id: "doc", base: true };
    for (let index = 0; index < count; index++) expected[`field${index}`] = index;
    expect(await vault.retrieve(collection, "doc")).toEqual(expected);
  });

  it("concurrent $push on one array keeps every value", async () => {
    const vault = context.vault();
    const collection = context.collectionName("push");
    await vault.store(collection, { items: [] }, { key: "list" });
    const count = Math.min(writers(), 30);
    await Promise.all(
      Array.from({ length: count }, (_, index) =>
        vault.update(collection, "list", { $push: { items: index } }),
      ),
    );
    const stored = (await vault.retrieve(collection, "list")) as { items: number[] } | null;
    expect([...(stored?.items ?? [])].sort((a, b) => a - b)).toEqual(
      Array.from({ length: count }, (_, index) => index),
    );
  });

  it("concurrent store of distinct keys keeps every document", async () => {
    const vault = context.vault();
    const collection = context.collectionName("stores");
    const keys = await Promise.all(
      Array.from({ length: writers() }, (_, index) => vault.store(collection, { index })),
    );
    expect(new Set(keys).size).toBe(writers());
    const stored = await vault.retrieve(collection);
    expect(idSet(stored)).toEqual([...keys].sort());
    expect(await vault.count(collection)).toBe(writers());
  });

  it("concurrent updateMany $inc over a shared set of documents loses nothing", async () => {
    const vault = context.vault();
    const collection = context.collectionName("update_many");
    for (let index = 0; index < 5; index++) {
      await vault.store(collection, { n: 0 }, { key: `d${index}` });
    }
    const rounds = Math.min(writers(), 10);
    const counts = await Promise.all(
      Array.from({ length: rounds }, () => vault.updateMany(collection, {}, { $inc: { n: 1 } })),
    );
    expect(counts).toEqual(Array.from({ length: rounds }, () => 5));
    expect(await vault.count(collection, { n: rounds })).toBe(5);
  });

  it("concurrent put with ifAbsent lets exactly one writer create the key", async () => {
    const provider = context.provider();
    const collection = context.collectionName("if_absent");
    const attempts = Math.min(writers(), 10);
    const outcomes = await Promise.allSettled(
      Array.from({ length: attempts }, (_, index) =>
        provider.put(collection, { key: "once", value: { writer: index } }, { ifAbsent: true }),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
    const winner = outcomes.findIndex((outcome) => outcome.status === "fulfilled");
    expect((await provider.get(collection, "once"))?.value).toEqual({ writer: winner });
  });

  it("concurrent key-value setDefault agrees on one value", async () => {
    const store = await context.vault().kv(context.collectionName("kv"));
    const results = await Promise.all(
      Array.from({ length: Math.min(writers(), 10) }, (_, index) =>
        store.setDefault("shared", `value${index}`),
      ),
    );
    const stored = await store.get("shared");
    expect(results.every((result) => result === stored)).toBe(true);
  });
}
