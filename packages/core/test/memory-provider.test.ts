import { parseFilter, parseUpdate } from "@agentvault/query";
import { describe, expect, it } from "vitest";
import {
  ConflictError,
  memoryProvider,
  ProviderUnavailableError,
  type StorageProvider,
  toRecordFilter,
  ValidationError,
} from "../src/index.js";

const everything = { type: "and", children: [] } as const;
const filter = (input: object) => toRecordFilter(parseFilter(input));

function manualClock(start = 1_000_000) {
  let now = start;
  return Object.assign(() => now, {
    advance(milliseconds: number) {
      now += milliseconds;
    },
  });
}

async function keys(provider: StorageProvider, collection: string) {
  return (await provider.find(collection, { filter: everything }))
    .map((record) => record.key)
    .sort();
}

describe("memoryProvider", () => {
  it("declares its capabilities", () => {
    expect(memoryProvider().capabilities).toEqual({
      nativeTtl: false,
      transactions: true,
      vectorSearch: true,
      watch: false,
      indexes: false,
      nativeFilters: false,
    });
  });

  it("isolates databases that share one root", async () => {
    const provider = memoryProvider();
    const other = provider.withDatabase("tenant_b");
    await provider.put("c", { key: "k", value: { a: 1 } });
    expect(await other.get("c", "k")).toBeNull();
    expect(await other.listCollections()).toEqual([]);
    await other.put("c", { key: "k", value: { a: 2 } });
    expect((await provider.get("c", "k"))?.value).toEqual({ a: 1 });
    expect(provider.withDatabase("tenant_b").database).toBe("tenant_b");
    expect((await provider.withDatabase("tenant_b").get("c", "k"))?.value).toEqual({ a: 2 });
  });

  it("copies values in and out", async () => {
    const provider = memoryProvider();
    const value = { list: [1], at: new Date(0), bytes: new Uint8Array([1]) };
    await provider.put("c", { key: "k", value, metadata: { tag: "t" } });
    value.list.push(2);
    value.at.setTime(5);
    value.bytes[0] = 9;
    const first = await provider.get("c", "k");
    expect(first?.value).toEqual({ list: [1], at: new Date(0), bytes: new Uint8Array([1]) });
    (first!.value as { list: number[] }).list.push(3);
    (first!.metadata as { tag: string }).tag = "changed";
    const again = await provider.get("c", "k");
    expect(again?.value).toEqual({ list: [1], at: new Date(0), bytes: new Uint8Array([1]) });
    expect(again?.metadata).toEqual({ tag: "t" });
  });

  it("sets createdAt once and updatedAt on every write", async () => {
    const clock = manualClock();
    const provider = memoryProvider({ clock });
    await provider.put("c", { key: "k", value: 1 });
    clock.advance(10);
    await provider.put("c", { key: "k", value: 2 });
    const record = await provider.get("c", "k");
    expect(record?.createdAt).toBe(1_000_000);
    expect(record?.updatedAt).toBe(1_000_010);
  });

  it("refuses to overwrite with ifAbsent, except an expired record", async () => {
    const clock = manualClock();
    const provider = memoryProvider({ clock });
    await provider.put("c", { key: "k", value: 1, expiresAt: clock() + 5 });
    await expect(provider.put("c", { key: "k", value: 2 }, { ifAbsent: true })).rejects.toThrow(
      ConflictError,
    );
    clock.advance(5);
    await provider.put("c", { key: "k", value: 3 }, { ifAbsent: true });
    expect((await provider.get("c", "k"))?.value).toBe(3);
  });

  it("writes putMany all or nothing", async () => {
    const provider = memoryProvider();
    const bad = [
      { key: "a", value: 1 },
      { key: "b", value: Number.NaN },
    ];
    await expect(provider.putMany("c", bad)).rejects.toThrow(ValidationError);
    const badKey = [
      { key: "a", value: 1 },
      { key: "", value: 1 },
    ];
    await expect(provider.putMany("c", badKey)).rejects.toThrow(ValidationError);
    expect(await keys(provider, "c")).toEqual([]);
    await provider.putMany("c", [
      { key: "a", value: 1 },
      { key: "b", value: 2 },
    ]);
    expect(await keys(provider, "c")).toEqual(["a", "b"]);
    expect(
      (await provider.getMany("c", ["b", "zz", "a"])).map((record) => record?.value ?? null),
    ).toEqual([2, null, 1]);
  });

  it("hides expired records everywhere", async () => {
    const clock = manualClock();
    const provider = memoryProvider({ clock });
    await provider.put("c", {
      key: "old",
      value: { n: 1 },
      expiresAt: clock() + 100,
      vector: [1, 0],
    });
    await provider.put("c", { key: "new", value: { n: 1 }, vector: [1, 0] });
    await provider.put("gone", { key: "x", value: 1, expiresAt: clock() + 100 });
    clock.advance(100);
    expect(await provider.get("c", "old")).toBeNull();
    expect(await provider.getMany("c", ["old"])).toEqual([null]);
    expect(await keys(provider, "c")).toEqual(["new"]);
    expect(await provider.count("c", everything)).toBe(1);
    expect(await provider.update("c", "old", { value: parseUpdate({ n: 2 }) })).toBeNull();
    expect(await provider.updateMany("c", everything, { value: parseUpdate({ n: 2 }) })).toBe(1);
    expect(await provider.delete("c", "old")).toBe(false);
    expect((await provider.search("c", { vector: [1, 0] })).map((hit) => hit.record.key)).toEqual([
      "new",
    ]);
    expect(await provider.listCollections()).toEqual(["c"]);
    expect(await provider.dropCollection("gone")).toBe(0);
  });

  it("updates, deletes and drops", async () => {
    const provider = memoryProvider();
    await provider.putMany("c", [
      { key: "a", value: { n: 1, kind: "x" } },
      { key: "b", value: { n: 2, kind: "y" } },
      { key: "c", value: { n: 3, kind: "x" } },
    ]);
    const updated = await provider.update("c", "a", {
      value: parseUpdate({ $inc: { n: 10 } }),
      metadata: { m: 1 },
    });
    expect(updated).toMatchObject({ key: "a", value: { n: 11, kind: "x" }, metadata: { m: 1 } });
    expect(await provider.update("c", "missing", { value: parseUpdate({ n: 1 }) })).toBeNull();
    expect(
      await provider.updateMany("c", filter({ kind: "x" }), {
        value: parseUpdate({ $set: { seen: true } }),
      }),
    ).toBe(2);
    expect(await provider.count("c", filter({ seen: true }))).toBe(2);
    expect(await provider.deleteMany("c", filter({ n: { $gt: 2 } }))).toBe(2);
    expect(await provider.delete("c", "b")).toBe(true);
    expect(await provider.delete("c", "b")).toBe(false);
    expect(await provider.listCollections()).toEqual([]);
    await provider.putMany("d", [
      { key: "a", value: 1 },
      { key: "b", value: 1 },
    ]);
    await provider.put("e", { key: "a", value: 1 });
    expect(await provider.listCollections()).toEqual(["d", "e"]);
    expect(await provider.dropCollection("d")).toBe(2);
    expect(await provider.listCollections()).toEqual(["e"]);
    await provider.dropDatabase();
    expect(await provider.listCollections()).toEqual([]);
  });

  it("keeps updateMany all or nothing when one record cannot be updated", async () => {
    const provider = memoryProvider();
    await provider.putMany("c", [
      { key: "a", value: { n: 1 } },
      { key: "b", value: { n: "text" } },
    ]);
    await expect(
      provider.updateMany("c", everything, { value: parseUpdate({ $inc: { n: 1 } }) }),
    ).rejects.toThrow();
    expect((await provider.get("c", "a"))?.value).toEqual({ n: 1 });
  });

  it("runs 50 concurrent increments without losing one", async () => {
    const provider = memoryProvider();
    await provider.put("c", { key: "counter", value: { n: 0 } });
    const increment = parseUpdate({ $inc: { n: 1 } });
    await Promise.all(
      Array.from({ length: 50 }, () => provider.update("c", "counter", { value: increment })),
    );
    expect((await provider.get("c", "counter"))?.value).toEqual({ n: 50 });
  });
});

describe("memoryProvider transactions", () => {
  it("commits, and rolls back everything on a throw", async () => {
    const provider = memoryProvider();
    await provider.put("c", { key: "a", value: 1 });
    await provider.transaction(async (tx) => {
      await tx.put("c", { key: "b", value: 2 });
    });
    await expect(
      provider.transaction(async (tx) => {
        await tx.put("c", { key: "a", value: 100 });
        await tx.delete("c", "b");
        await tx.put("new", { key: "x", value: 1 });
        await tx.dropCollection("c");
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await keys(provider, "c")).toEqual(["a", "b"]);
    expect((await provider.get("c", "a"))?.value).toBe(1);
    expect(await provider.listCollections()).toEqual(["c"]);
  });

  it("keeps writes made outside a rolled-back transaction", async () => {
    const provider = memoryProvider();
    let outside: Promise<void> | undefined;
    await expect(
      provider.transaction(async (tx) => {
        await tx.put("c", { key: "inside", value: 1 });
        outside = provider.put("c", { key: "outside", value: 1 });
        await outside;
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await keys(provider, "c")).toEqual(["outside"]);
  });

  it("serialises transactions", async () => {
    const provider = memoryProvider();
    const order: string[] = [];
    const run = (name: string) =>
      provider.transaction(async () => {
        order.push(`${name} start`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push(`${name} end`);
      });
    await Promise.all([run("one"), run("two")]);
    expect(order).toEqual(["one start", "one end", "two start", "two end"]);
  });

  it("rolls back a failed nested transaction only", async () => {
    const provider = memoryProvider();
    await provider.transaction(async (tx) => {
      await tx.put("c", { key: "outer", value: 1 });
      await expect(
        tx.transaction!(async (inner) => {
          await inner.put("c", { key: "inner", value: 1 });
          await inner.put("c", { key: "outer", value: 2 });
          throw new Error("inner");
        }),
      ).rejects.toThrow("inner");
      await tx.transaction!(async (inner) => {
        await inner.put("c", { key: "kept", value: 1 });
      });
    });
    expect(await keys(provider, "c")).toEqual(["kept", "outer"]);
    expect((await provider.get("c", "outer"))?.value).toBe(1);
  });

  it("refuses calls on a finished transaction", async () => {
    const provider = memoryProvider();
    let leaked: StorageProvider | undefined;
    await provider.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked!.get("c", "k")).rejects.toThrow(ProviderUnavailableError);
  });
});

describe("memoryProvider vector search", () => {
  it("ranks by cosine similarity, filters, applies minScore and limit", async () => {
    const provider = memoryProvider();
    await provider.putMany("v", [
      { key: "east", value: { kind: "a" }, vector: [1, 0] },
      { key: "north", value: { kind: "b" }, vector: [0, 1] },
      { key: "northeast", value: { kind: "a" }, vector: [1, 1] },
      { key: "none", value: { kind: "a" } },
    ]);
    const hits = await provider.search("v", { vector: [2, 0] });
    expect(hits.map((hit) => hit.record.key)).toEqual(["east", "northeast", "north"]);
    expect(hits[0]!.score).toBeCloseTo(1);
    expect(hits[1]!.score).toBeCloseTo(Math.SQRT1_2);
    expect((await provider.search("v", { vector: [2, 0], limit: 1 })).length).toBe(1);
    expect((await provider.search("v", { vector: [2, 0], minScore: 0.5 })).length).toBe(2);
    const filtered = await provider.search("v", { vector: [0, 1], filter: filter({ kind: "a" }) });
    expect(filtered.map((hit) => hit.record.key)).toEqual(["northeast", "east"]);
  });

  it("uses the configured metric per collection", async () => {
    const provider = memoryProvider({
      vectorMetric: "dot",
      vectorMetrics: { places: "euclidean" },
    });
    const records = [
      { key: "near", value: 1, vector: [1, 1] },
      { key: "long", value: 1, vector: [10, 0] },
    ];
    await provider.putMany("scores", records);
    await provider.putMany("places", records);
    expect(
      (await provider.search("scores", { vector: [1, 0] })).map((hit) => hit.record.key),
    ).toEqual(["long", "near"]);
    const places = await provider.search("places", { vector: [1, 0] });
    expect(places.map((hit) => hit.record.key)).toEqual(["near", "long"]);
    expect(places[0]!.score).toBeCloseTo(0.5);
  });

  it("rejects dimension mismatches", async () => {
    const provider = memoryProvider();
    await provider.put("v", { key: "a", value: 1, vector: [1, 0, 0] });
    await expect(provider.put("v", { key: "b", value: 1, vector: [1, 0] })).rejects.toThrow(
      ValidationError,
    );
    await expect(provider.search("v", { vector: [1, 0] })).rejects.toThrow(ValidationError);
    await expect(provider.search("v", { vector: [Number.NaN, 0, 0] })).rejects.toThrow(
      ValidationError,
    );
  });
});

describe("memoryProvider lifecycle", () => {
  it("reports health and fails every call after close, in every sibling", async () => {
    const provider = memoryProvider();
    const sibling = provider.withDatabase("other");
    expect((await provider.health()).ok).toBe(true);
    await provider.close();
    await provider.close();
    expect((await sibling.health()).ok).toBe(false);
    await expect(sibling.get("c", "k")).rejects.toThrow(ProviderUnavailableError);
    await expect(provider.put("c", { key: "k", value: 1 })).rejects.toThrow(/closed/);
    await expect(provider.listCollections()).rejects.toThrow(ProviderUnavailableError);
  });
});
