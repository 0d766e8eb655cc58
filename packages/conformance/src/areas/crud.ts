/**
 * The basic collection calls through the Vault (store, retrieve, update-free reads, delete,
 * count) and the record contract underneath them (envelopes, `getMany`, `put` with `ifAbsent`).
 */

import { ConflictError, ValidationError } from "@agentvault/core";
import type { AreaContext } from "../area-context.js";
import { expectErrorKind, idSet, withoutId } from "../assertions.js";

/** Registers the crud tests. */
export function crudTests(context: AreaContext): void {
  const { it, expect } = context.runner;

  it("store returns a key and retrieve returns the document with that key as _id", async () => {
    const vault = context.vault();
    const collection = context.collectionName("store");
    const document = { name: "Lamp", price: 40, tags: ["home", "light"], stock: { shelf: 2 } };
    const key = await vault.store(collection, document);
    expect(typeof key).toBe("string");
    const stored = await vault.retrieve(collection, key);
    expect(stored).toEqual({ _id: key, ...document });
  });

  it("stores under options.key, then under a string _id of the document", async () => {
    const vault = context.vault();
    const collection = context.collectionName("explicit");
    expect(await vault.store(collection, { a: 1 }, { key: "chosen" })).toBe("chosen");
    expect(await vault.store(collection, { _id: "from-doc", a: 2 })).toBe("from-doc");
    expect(await vault.retrieve(collection, "chosen")).toEqual({ _id: "chosen", a: 1 });
    expect(await vault.retrieve(collection, "from-doc")).toEqual({ _id: "from-doc", a: 2 });
  });

  it("rejects a non-string _id with ValidationError and writes nothing", async () => {
    const vault = context.vault();
    const collection = context.collectionName("bad_id");
    await expectErrorKind(expect, () => vault.store(collection, { _id: 7, a: 1 }), ValidationError);
    expect(await vault.count(collection)).toBe(0);
  });

  it("store on an existing key replaces the whole document", async () => {
    const vault = context.vault();
    const collection = context.collectionName("replace");
    await vault.store(collection, { a: 1, b: 2 }, { key: "k" });
    await vault.store(collection, { c: 3 }, { key: "k" });
    expect(await vault.retrieve(collection, "k")).toEqual({ _id: "k", c: 3 });
    expect(await vault.count(collection)).toBe(1);
  });

  it("retrieve of a missing key or collection returns null, and retrieve() of one []", async () => {
    const vault = context.vault();
    const collection = context.collectionName("missing");
    expect(await vault.retrieve(collection, "nope")).toBeNull();
    expect(await vault.retrieve(collection)).toEqual([]);
    await vault.store(collection, { a: 1 }, { key: "there" });
    expect(await vault.retrieve(collection, "nope")).toBeNull();
  });

  it("retrieve(collection) returns every document", async () => {
    const vault = context.vault();
    const collection = context.collectionName("all");
    const keys: string[] = [];
    for (let index = 0; index < 7; index++) keys.push(await vault.store(collection, { index }));
    const all = await vault.retrieve(collection);
    expect(idSet(all)).toEqual([...keys].sort());
    for (const document of all) {
      expect(document).toEqual({ _id: document._id, index: keys.indexOf(document._id) });
    }
  });

  it("delete returns true once, then false, and the document is gone", async () => {
    const vault = context.vault();
    const collection = context.collectionName("delete");
    await vault.store(collection, { a: 1 }, { key: "gone" });
    await vault.store(collection, { a: 2 }, { key: "kept" });
    expect(await vault.delete(collection, "gone")).toBe(true);
    expect(await vault.delete(collection, "gone")).toBe(false);
    expect(await vault.retrieve(collection, "gone")).toBeNull();
    expect(idSet(await vault.retrieve(collection))).toEqual(["kept"]);
    expect(await vault.delete(context.collectionName("never"), "x")).toBe(false);
  });

  it("count counts all documents or those matching a filter", async () => {
    const vault = context.vault();
    const collection = context.collectionName("count");
    for (let index = 0; index < 10; index++) await vault.store(collection, { index });
    expect(await vault.count(collection)).toBe(10);
    expect(await vault.count(collection, {})).toBe(10);
    expect(await vault.count(collection, { index: { $gte: 7 } })).toBe(3);
    expect(await vault.count(context.collectionName("empty"))).toBe(0);
  });

  it("documents are copies: changing an input or a result never changes what is stored", async () => {
    const vault = context.vault();
    const collection = context.collectionName("copies");
    const input = { list: [1, 2], nested: { x: 1 } };
    await vault.store(collection, input, { key: "k" });
    input.list.push(3);
    input.nested.x = 99;
    const first = await vault.retrieve(collection, "k");
    expect(first).toEqual({ _id: "k", list: [1, 2], nested: { x: 1 } });
    (first!.list as number[]).push(4);
    const [queried] = await vault.query(collection, {});
    (queried!.nested as { x: number }).x = 5;
    expect(await vault.retrieve(collection, "k")).toEqual({
      _id: "k",
      list: [1, 2],
      nested: { x: 1 },
    });
  });

  it("a typed collection handle reads and writes the same collection", async () => {
    const vault = context.vault();
    const name = context.collectionName("handle");
    const products = vault.collection<{ name: string; price: number }>(name);
    expect(products.name).toBe(name);
    const key = await products.store({ name: "Desk", price: 120 });
    expect(await vault.retrieve(name, key)).toEqual({ _id: key, name: "Desk", price: 120 });
    expect((await products.retrieve(key))?.price).toBe(120);
    expect(await products.count({ price: { $gt: 100 } })).toBe(1);
    expect(await products.delete(key)).toBe(true);
    expect(await products.retrieve()).toEqual([]);
  });

  it("provider: put then get returns the whole record envelope", async () => {
    const provider = context.provider();
    const collection = context.collectionName("envelope");
    const before = context.clock.now();
    await provider.put(collection, {
      key: "r1",
      value: { title: "note", at: new Date(1_700_000_000_123) },
      metadata: { source: "test", rank: 3 },
      vector: [0.25, -0.5, 1],
    });
    const record = await provider.get(collection, "r1");
    expect(record).not.toBeNull();
    expect(record?.key).toBe("r1");
    expect(record?.value).toEqual({ title: "note", at: new Date(1_700_000_000_123) });
    expect(record?.metadata).toEqual({ source: "test", rank: 3 });
    expect(record?.vector).toEqual([0.25, -0.5, 1]);
    expect(record?.expiresAt).toBeUndefined();
    expect(typeof record?.createdAt, "createdAt is set by the provider").toBe("number");
    expect(typeof record?.updatedAt, "updatedAt is set by the provider").toBe("number");
    expect(record!.createdAt!).toBeGreaterThanOrEqual(before - 60_000);
    expect(record!.updatedAt!).toBeGreaterThanOrEqual(record!.createdAt!);
  });

  it("provider: a value that is not a document round-trips (data manager records)", async () => {
    const provider = context.provider();
    const collection = context.collectionName("scalars");
    const values = ["text", 42, true, null, [1, "two", { three: 3 }]] as const;
    for (const [index, value] of values.entries()) {
      await provider.put(collection, { key: `v${index}`, value });
    }
    for (const [index, value] of values.entries()) {
      expect((await provider.get(collection, `v${index}`))?.value).toEqual(value);
    }
  });

  it("provider: getMany returns records in the order asked, null for missing keys", async () => {
    const provider = context.provider();
    const collection = context.collectionName("get_many");
    await provider.putMany(collection, [
      { key: "a", value: { n: 1 } },
      { key: "b", value: { n: 2 } },
      { key: "c", value: { n: 3 } },
    ]);
    const records = await provider.getMany(collection, ["c", "missing", "a", "c"]);
    expect(records.map((record) => record?.key ?? null)).toEqual(["c", null, "a", "c"]);
    expect(records[0]?.value).toEqual({ n: 3 });
    expect(records[2]?.value).toEqual({ n: 1 });
    expect(await provider.getMany(collection, [])).toEqual([]);
  });

  it("provider: put with ifAbsent fails with ConflictError on an existing key", async () => {
    const provider = context.provider();
    const collection = context.collectionName("if_absent");
    await provider.put(collection, { key: "k", value: { v: 1 } }, { ifAbsent: true });
    await expectErrorKind(
      expect,
      () => provider.put(collection, { key: "k", value: { v: 2 } }, { ifAbsent: true }),
      ConflictError,
    );
    expect((await provider.get(collection, "k"))?.value).toEqual({ v: 1 });
    await provider.put(collection, { key: "k", value: { v: 3 } });
    expect((await provider.get(collection, "k"))?.value).toEqual({ v: 3 });
  });

  it("provider: update returns the new record, or null for a missing key", async () => {
    const provider = context.provider();
    const collection = context.collectionName("provider_update");
    await provider.put(collection, { key: "k", value: { n: 1 }, metadata: { m: 1 } });
    const updated = await provider.update(collection, "k", { metadata: { m: 2 } });
    expect(updated?.key).toBe("k");
    expect(updated?.value).toEqual({ n: 1 });
    expect(updated?.metadata).toEqual({ m: 2 });
    expect((await provider.get(collection, "k"))?.metadata).toEqual({ m: 2 });
    expect(await provider.update(collection, "absent", { metadata: { m: 3 } })).toBeNull();
    expect(await provider.get(collection, "absent")).toBeNull();
  });

  it("provider: health reports ok", async () => {
    const health = await context.provider().health();
    expect(health.ok).toBe(true);
  });

  it("returned documents keep only the document's fields (metadata stays beside it)", async () => {
    const vault = context.vault();
    const collection = context.collectionName("metadata");
    const key = await vault.store(collection, { a: 1 }, { metadata: { owner: "x" } });
    const stored = await vault.retrieve(collection, key);
    expect(withoutId(stored!)).toEqual({ a: 1 });
    expect((await context.provider().get(collection, key))?.metadata).toEqual({ owner: "x" });
  });
}
