/**
 * Collections and databases: `listCollections` lists exactly the non-empty collections, sorted;
 * `clear` empties one collection only; collections never share records; databases from
 * `withDatabase` are fully isolated siblings sharing one connection.
 */

import { createVault, type StorageProvider } from "@agentvault/core";
import type { AreaContext } from "../area-context.js";
import { idSet } from "../assertions.js";

const matchAll = { type: "and", children: [] } as const;

/** Registers the collection and database tests. */
export function collectionsTests(context: AreaContext): void {
  const { it, expect } = context.runner;

  it("listCollections lists the collections holding records, sorted", async () => {
    const provider = context.provider().withDatabase(context.databaseName("list"));
    try {
      const vault = createVault({ provider, now: context.clock.now });
      expect(await vault.listCollections()).toEqual([]);
      for (const name of ["zeta", "Alpha", "svc.orders-2024", "beta_1"]) {
        await vault.store(name, { name });
      }
      expect(await vault.listCollections()).toEqual(
        ["zeta", "Alpha", "svc.orders-2024", "beta_1"].sort(),
      );
      await vault.store("emptied", { a: 1 }, { key: "only" });
      expect(await vault.listCollections()).toContain("emptied");
      await vault.delete("emptied", "only");
      expect(await vault.listCollections()).not.toContain("emptied");
      await vault.clear("zeta");
      expect(await vault.listCollections()).toEqual(["Alpha", "beta_1", "svc.orders-2024"].sort());
      await vault.kv("hidden-store").then((store) => store.set("k", 1));
      expect(await vault.listCollections()).toEqual(["Alpha", "beta_1", "svc.orders-2024"].sort());
    } finally {
      await provider.dropDatabase();
    }
  });

  it("clear empties one collection, returns how many it removed, and leaves the rest", async () => {
    const vault = context.vault();
    const first = context.collectionName("first");
    const second = context.collectionName("second");
    for (let index = 0; index < 4; index++) await vault.store(first, { index });
    await vault.store(second, { kept: true }, { key: "kept" });
    expect(await vault.clear(first)).toBe(4);
    expect(await vault.count(first)).toBe(0);
    expect(await vault.retrieve(first)).toEqual([]);
    expect(await vault.retrieve(second, "kept")).toEqual({ _id: "kept", kept: true });
    expect(await vault.clear(first)).toBe(0);
    await vault.store(first, { again: true }, { key: "again" });
    expect(await vault.retrieve(first)).toEqual([{ _id: "again", again: true }]);
  });

  it("collections with the same keys never share records", async () => {
    const vault = context.vault();
    const left = context.collectionName("left");
    const right = context.collectionName("right");
    await vault.store(left, { side: "left" }, { key: "same" });
    await vault.store(right, { side: "right" }, { key: "same" });
    expect(await vault.retrieve(left, "same")).toEqual({ _id: "same", side: "left" });
    expect(await vault.retrieve(right, "same")).toEqual({ _id: "same", side: "right" });
    expect(await vault.updateMany(left, {}, { $set: { touched: true } })).toBe(1);
    expect(await vault.deleteMany(right, { touched: true })).toBe(0);
    expect(await vault.delete(left, "same")).toBe(true);
    expect(await vault.retrieve(right, "same")).toEqual({ _id: "same", side: "right" });
  });

  it("collection names are case-sensitive", async () => {
    const vault = context.vault();
    const name = context.collectionName("Case");
    await vault.store(name, { v: "mixed" }, { key: "k" });
    await vault.store(name.toLowerCase(), { v: "lower" }, { key: "k" });
    expect(await vault.retrieve(name, "k")).toEqual({ _id: "k", v: "mixed" });
    expect(await vault.retrieve(name.toLowerCase(), "k")).toEqual({ _id: "k", v: "lower" });
  });

  it("withDatabase returns an isolated sibling: same names, separate records", async () => {
    const base = context.provider();
    const names = [context.databaseName("tenant_a"), context.databaseName("tenant_b")];
    const [a, b] = names.map((name) => base.withDatabase(name)) as [
      StorageProvider,
      StorageProvider,
    ];
    try {
      expect(a.database).toBe(names[0]);
      expect(b.database).toBe(names[1]);
      expect(a.name).toBe(base.name);
      await a.put("shared", { key: "k", value: { owner: "a" } });
      await b.put("shared", { key: "k", value: { owner: "b" } });
      await a.put("only_a", { key: "x", value: { owner: "a" } });
      expect((await a.get("shared", "k"))?.value).toEqual({ owner: "a" });
      expect((await b.get("shared", "k"))?.value).toEqual({ owner: "b" });
      expect(await b.get("only_a", "x")).toBeNull();
      expect(await base.get("shared", "k")).toBeNull();
      expect(await a.listCollections()).toEqual(["only_a", "shared"]);
      expect(await b.listCollections()).toEqual(["shared"]);
      expect(await b.count("only_a", matchAll)).toBe(0);
      expect(await b.find("only_a", { filter: matchAll })).toEqual([]);
      expect(await b.deleteMany("shared", matchAll)).toBe(1);
      expect((await a.get("shared", "k"))?.value).toEqual({ owner: "a" });
      expect(await b.dropCollection("only_a")).toBe(0);
      expect(await a.count("only_a", matchAll)).toBe(1);
    } finally {
      await a.dropDatabase();
      await b.dropDatabase();
    }
  });

  it("dropDatabase removes one database's collections and no other's", async () => {
    const base = context.provider();
    const doomed = base.withDatabase(context.databaseName("doomed"));
    const survivor = base.withDatabase(context.databaseName("survivor"));
    try {
      await doomed.put("c1", { key: "k", value: 1 });
      await doomed.put("c2", { key: "k", value: 2 });
      await survivor.put("c1", { key: "k", value: 3 });
      await doomed.dropDatabase();
      expect(await doomed.listCollections()).toEqual([]);
      expect(await doomed.get("c1", "k")).toBeNull();
      expect((await survivor.get("c1", "k"))?.value).toBe(3);
      await doomed.put("c3", { key: "k", value: 4 });
      expect(await doomed.listCollections()).toEqual(["c3"]);
    } finally {
      await doomed.dropDatabase();
      await survivor.dropDatabase();
    }
  });

  it("a vault over a sibling database sees only that database", async () => {
    const sibling = context.provider().withDatabase(context.databaseName("sibling"));
    try {
      const vault = createVault({ provider: sibling, now: context.clock.now });
      const collection = context.collectionName("sibling");
      await vault.store(collection, { where: "sibling" }, { key: "k" });
      expect(await context.vault().retrieve(collection, "k")).toBeNull();
      expect(idSet(await vault.retrieve(collection))).toEqual(["k"]);
      expect(await context.vault().listCollections()).not.toContain(collection);
    } finally {
      await sibling.dropDatabase();
    }
  });
}
