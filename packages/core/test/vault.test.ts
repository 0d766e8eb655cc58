import { describe, expect, it } from "vitest";
import {
  createVault,
  FilterValidationError,
  memoryProvider,
  ProviderUnavailableError,
  type StorageProvider,
  UnsupportedCapabilityError,
  ValidationError,
} from "../src/index.js";

function manualClock(start = Date.UTC(2025, 0, 1)) {
  let now = start;
  return Object.assign(() => now, {
    advance(milliseconds: number) {
      now += milliseconds;
    },
  });
}

function freshVault() {
  const clock = manualClock();
  const provider = memoryProvider({ clock });
  return { clock, provider, vault: createVault({ provider, now: clock }) };
}

const products = [
  { _id: "lamp", name: "Lamp", price: 40, tags: ["home"], stock: { count: 3 } },
  { _id: "desk", name: "Desk", price: 250, tags: ["home", "office"], stock: { count: 0 } },
  { _id: "pen", name: "Pen", price: 2, tags: ["office"], stock: { count: 100 } },
  { _id: "chair", name: "Chair", price: 120, tags: ["office"], stock: { count: 7 } },
];

async function seeded() {
  const context = freshVault();
  for (const product of products) await context.vault.store("products", product);
  return context;
}

describe("vault: store and retrieve", () => {
  it("returns documents with _id and keeps _id out of the stored value", async () => {
    const { vault, provider } = await seeded();
    expect(await vault.retrieve("products", "lamp")).toEqual(products[0]);
    expect((await provider.get("products", "lamp"))?.value).not.toHaveProperty("_id");
    expect(await vault.retrieve("products", "missing")).toBeNull();
    const all = await vault.retrieve("products");
    expect(all.map((doc) => doc._id).sort()).toEqual(["chair", "desk", "lamp", "pen"]);
  });

  it("resolves keys: option, then string _id, then a generated key", async () => {
    const { vault } = freshVault();
    expect(await vault.store("products", { _id: "ignored", a: 1 }, { key: "chosen" })).toBe(
      "chosen",
    );
    expect(await vault.retrieve("products", "chosen")).toEqual({ _id: "chosen", a: 1 });
    expect(await vault.store("products", { _id: "from-doc" })).toBe("from-doc");
    expect(await vault.store("products", { a: 1 })).toMatch(/^prod_[A-Za-z0-9_-]{16}$/);
    await expect(vault.store("products", { _id: 7 })).rejects.toThrow(ValidationError);
  });

  it("round-trips dates, binary, unicode and a 1 MB string", async () => {
    const { vault } = freshVault();
    const doc = {
      at: new Date("0000-01-01T00:00:00.000Z"),
      end: new Date("9999-12-31T23:59:59.999Z"),
      bytes: new Uint8Array([0, 255, 7]),
      text: "日本語 🎉 \u0000",
      big: "x".repeat(1024 * 1024),
    };
    const key = await vault.store("things", doc);
    expect(await vault.retrieve("things", key)).toEqual({ _id: key, ...doc });
  });

  it("stores hostile keys safely or rejects them", async () => {
    const { vault } = freshVault();
    for (const key of ["../x", "/etc/passwd", "__proto__", "a b/..", "constructor"]) {
      await vault.store("files", { key }, { key });
      expect(await vault.retrieve("files", key)).toEqual({ _id: key, key });
    }
    for (const key of ["a\u0000b", "", "k".repeat(10 * 1024)]) {
      await expect(vault.store("files", { key }, { key })).rejects.toThrow(ValidationError);
      await expect(vault.retrieve("files", key)).rejects.toThrow(ValidationError);
    }
    expect(await vault.count("files")).toBe(5);
  });

  it("keeps a __proto__ field a field", async () => {
    const { vault } = freshVault();
    const doc = JSON.parse('{"__proto__":{"admin":true},"name":"x"}');
    await vault.store("users", doc, { key: "u" });
    const stored = await vault.retrieve("users", "u");
    expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
    expect((stored as { admin?: unknown }).admin).toBeUndefined();
    expect(Object.hasOwn(stored!, "__proto__")).toBe(true);
    expect(({} as { admin?: unknown }).admin).toBeUndefined();
    expect(await vault.query("users", { "__proto__.admin": true })).toHaveLength(1);
  });

  it("rejects bad collections, documents and options with a path", async () => {
    const { vault } = freshVault();
    await expect(vault.store("../etc", {})).rejects.toThrow(ValidationError);
    await expect(vault.store("_avkv", {})).rejects.toThrow(/reserved/);
    await expect(vault.store("c", { a: { $gt: 1 } })).rejects.toMatchObject({ path: "a.$gt" });
    await expect(vault.store("c", [] as unknown as object)).rejects.toThrow(ValidationError);
    await expect(vault.store("c", {}, { ttl: -1 })).rejects.toMatchObject({ path: "ttl" });
    await expect(vault.store("c", {}, { vector: [1, Number.NaN] })).rejects.toMatchObject({
      path: "vector.1",
    });
    await expect(vault.store("c", {}, { metadata: { f: () => 1 } as never })).rejects.toMatchObject(
      {
        path: "metadata.f",
      },
    );
    const small = createVault({ provider: memoryProvider(), maxValueBytes: 100 });
    await expect(small.store("c", { s: "x".repeat(200) })).rejects.toThrow(/larger than the limit/);
  });
});

describe("vault: query", () => {
  it("filters, sorts, skips and limits", async () => {
    const { vault } = await seeded();
    const ids = (docs: { _id: string }[]) => docs.map((doc) => doc._id);
    expect(
      ids(await vault.query("products", { price: { $gte: 40 } }, { sort: { price: 1 } })),
    ).toEqual(["lamp", "chair", "desk"]);
    expect(
      ids(
        await vault.query(
          "products",
          { tags: "office" },
          { sort: { price: "desc" }, skip: 1, limit: 1 },
        ),
      ),
    ).toEqual(["chair"]);
    expect(ids(await vault.query("products", { "stock.count": 0 }))).toEqual(["desk"]);
    expect(ids(await vault.query("products", { _id: { $in: ["pen", "nope"] } }))).toEqual(["pen"]);
    expect(await vault.query("products", {}, { limit: 0 })).toEqual([]);
    expect(await vault.query("products")).toHaveLength(4);
    expect(await vault.query("empty", { a: 1 })).toEqual([]);
  });

  it("projects returned documents, keeping _id unless asked", async () => {
    const { vault } = await seeded();
    expect(await vault.query("products", { _id: "pen" }, { projection: { name: 1 } })).toEqual([
      { _id: "pen", name: "Pen" },
    ]);
    expect(await vault.query("products", { _id: "pen" }, { projection: ["price"] })).toEqual([
      { _id: "pen", price: 2 },
    ]);
    expect(
      await vault.query("products", { _id: "pen" }, { projection: { name: 1, _id: 0 } }),
    ).toEqual([{ name: "Pen" }]);
    expect(
      await vault.query(
        "products",
        { _id: "pen" },
        { projection: { tags: 0, stock: 0, price: 0 } },
      ),
    ).toEqual([{ _id: "pen", name: "Pen" }]);
  });

  it("rejects malformed filters and options before reaching the provider", async () => {
    const { vault } = await seeded();
    await expect(vault.query("products", { $where: "1" })).rejects.toThrow();
    await expect(vault.query("products", { price: { $bogus: 1 } })).rejects.toThrow(
      FilterValidationError,
    );
    await expect(vault.query("products", {}, { limit: -1 })).rejects.toThrow(ValidationError);
    await expect(vault.query("products", {}, { skip: 1.5 })).rejects.toThrow(ValidationError);
  });

  it("counts", async () => {
    const { vault } = await seeded();
    expect(await vault.count("products")).toBe(4);
    expect(await vault.count("products", { tags: "office" })).toBe(3);
  });
});

describe("vault: update and delete", () => {
  it("merges plain patches and applies operators", async () => {
    const { vault } = await seeded();
    expect(await vault.update("products", "lamp", { price: 45, color: "red" })).toBe(true);
    expect(await vault.retrieve("products", "lamp")).toEqual({
      ...products[0],
      price: 45,
      color: "red",
    });
    expect(
      await vault.update("products", "lamp", {
        $inc: { "stock.count": 2 },
        $push: { tags: "sale" },
      }),
    ).toBe(true);
    expect(await vault.retrieve("products", "lamp")).toMatchObject({
      stock: { count: 5 },
      tags: ["home", "sale"],
    });
    expect(await vault.update("products", "missing", { price: 1 })).toBe(false);
  });

  it("accepts a retrieved document back as a patch, but never changes _id", async () => {
    const { vault } = await seeded();
    const doc = await vault.retrieve("products", "pen");
    expect(await vault.update("products", "pen", { ...doc, price: 3 })).toBe(true);
    expect(await vault.retrieve("products", "pen")).toEqual({ ...products[2], price: 3 });
    await expect(vault.update("products", "pen", { _id: "other" })).rejects.toThrow();
    await expect(vault.update("products", "pen", { $set: { _id: "other" } })).rejects.toThrow();
    await expect(vault.update("products", "pen", { $set: { bad: Number.NaN } })).rejects.toThrow();
    expect((await vault.retrieve("products", "pen"))?._id).toBe("pen");
  });

  it("updates and deletes many, deletes one, and clears", async () => {
    const { vault } = await seeded();
    expect(await vault.updateMany("products", { tags: "office" }, { $set: { onSale: true } })).toBe(
      3,
    );
    expect(await vault.count("products", { onSale: true })).toBe(3);
    expect(await vault.deleteMany("products", { price: { $lt: 100 } })).toBe(2);
    expect(await vault.delete("products", "desk")).toBe(true);
    expect(await vault.delete("products", "desk")).toBe(false);
    expect(await vault.listCollections()).toEqual(["products"]);
    expect(await vault.clear("products")).toBe(1);
    expect(await vault.listCollections()).toEqual([]);
  });

  it("keeps stored data apart from the caller's update objects", async () => {
    const { vault } = await seeded();
    const dimensions = { width: [1] };
    await vault.update("products", "pen", { $set: { dimensions } });
    dimensions.width.push(2);
    expect((await vault.retrieve("products", "pen"))?.dimensions).toEqual({ width: [1] });
  });

  it("ends 50 concurrent $inc exact", async () => {
    const { vault } = freshVault();
    await vault.store("counters", { n: 0 }, { key: "hits" });
    await Promise.all(
      Array.from({ length: 50 }, () => vault.update("counters", "hits", { $inc: { n: 1 } })),
    );
    expect(await vault.retrieve("counters", "hits")).toEqual({ _id: "hits", n: 50 });
  });
});

describe("vault: expiry", () => {
  it("never returns a document after its ttl", async () => {
    const { vault, clock } = freshVault();
    await vault.store("sessions", { user: "ann" }, { key: "s1", ttl: 60 });
    await vault.store("sessions", { user: "bob" }, { key: "s2" });
    clock.advance(59_999);
    expect(await vault.retrieve("sessions", "s1")).not.toBeNull();
    clock.advance(1);
    expect(await vault.retrieve("sessions", "s1")).toBeNull();
    expect(await vault.query("sessions", { user: "ann" })).toEqual([]);
    expect(await vault.count("sessions")).toBe(1);
    expect(await vault.update("sessions", "s1", { user: "x" })).toBe(false);
  });
});

describe("vault: collections, search, transactions, lifecycle", () => {
  it("gives typed collection handles", async () => {
    const { vault } = freshVault();
    const items = vault.collection<{ name: string; n: number }>("items");
    const key = await items.store({ name: "a", n: 1 });
    expect((await items.retrieve(key))?.name).toBe("a");
    expect(await items.update(key, { $inc: { n: 1 } })).toBe(true);
    expect((await items.query({ n: 2 }))[0]?._id).toBe(key);
    expect(await items.count()).toBe(1);
    expect((await items.retrieve()).length).toBe(1);
    expect(() => vault.collection("bad/name")).toThrow(ValidationError);
  });

  it("hides internal collections", async () => {
    const { vault } = freshVault();
    const store = await vault.kv("settings");
    await store.set("theme", "dark");
    await vault.store("visible", { a: 1 });
    expect(await vault.listCollections()).toEqual(["visible"]);
    expect(await (await vault.kv("settings", { mustExist: true })).get("theme")).toBe("dark");
  });

  it("searches by vector with filters", async () => {
    const { vault } = freshVault();
    await vault.store("docs", { topic: "cats" }, { key: "a", vector: [1, 0] });
    await vault.store("docs", { topic: "dogs" }, { key: "b", vector: [0, 1] });
    const hits = await vault.search("docs", { vector: [1, 0.1], limit: 5 });
    expect(hits.map((hit) => hit.doc)).toEqual([
      { _id: "a", topic: "cats" },
      { _id: "b", topic: "dogs" },
    ]);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    const filtered = await vault.search("docs", { vector: [1, 0], filter: { topic: "dogs" } });
    expect(filtered.map((hit) => hit.doc._id)).toEqual(["b"]);
    await expect(vault.search("docs", { vector: [] })).rejects.toThrow(ValidationError);
    await expect(vault.search("docs", { vector: [1, 0, 0] })).rejects.toThrow(ValidationError);
  });

  it("rolls a transaction back on a throw and commits otherwise", async () => {
    const { vault } = await seeded();
    await expect(
      vault.transaction(async (tx) => {
        await tx.update("products", "pen", { price: 1000 });
        await tx.delete("products", "lamp");
        await tx.store("products", { name: "Ghost" }, { key: "ghost" });
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect(await vault.retrieve("products", "pen")).toEqual(products[2]);
    expect(await vault.retrieve("products", "lamp")).toEqual(products[0]);
    expect(await vault.retrieve("products", "ghost")).toBeNull();
    const result = await vault.transaction(async (tx) => {
      await tx.update("products", "pen", { price: 5 });
      return tx.count("products");
    });
    expect(result).toBe(4);
    expect((await vault.retrieve("products", "pen"))?.price).toBe(5);
  });

  it("reports missing capabilities", async () => {
    const bare: StorageProvider = new Proxy(memoryProvider(), {
      get(target, property) {
        if (property === "transaction" || property === "search") return undefined;
        if (property === "capabilities")
          return { ...target.capabilities, transactions: false, vectorSearch: false };
        const value = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const vault = createVault({ provider: bare });
    await expect(vault.transaction(async () => 1)).rejects.toThrow(UnsupportedCapabilityError);
    await expect(vault.search("c", { vector: [1] })).rejects.toThrow(UnsupportedCapabilityError);
  });

  it("fails every call after close", async () => {
    const { vault, provider } = await seeded();
    await vault.close();
    await vault.close();
    await expect(vault.retrieve("products", "pen")).rejects.toThrow(ProviderUnavailableError);
    await expect(provider.get("products", "pen")).rejects.toThrow(ProviderUnavailableError);
  });
});
