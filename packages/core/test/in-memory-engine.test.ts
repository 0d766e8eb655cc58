import { parseFilter, parseSort, parseUpdate } from "@agentvault/query";
import { describe, expect, it } from "vitest";
import {
  applyRecordUpdate,
  countInMemory,
  findInMemory,
  type StoredRecord,
  toRecordFilter,
  toRecordSort,
  ValidationError,
} from "../src/index.js";

const records: StoredRecord[] = [
  { key: "a", value: { price: 30, tags: ["x"] }, metadata: { owner: "ann" } },
  { key: "b", value: { price: 10, tags: ["y"] } },
  { key: "c", value: { price: 20, tags: ["x", "y"] }, expiresAt: 1_000 },
  { key: "d", value: { price: 20, tags: [] }, metadata: { owner: "bob" } },
  { key: "e", value: { name: "no price" } },
];

const everything = { type: "and", children: [] } as const;
const filter = (input: object) => toRecordFilter(parseFilter(input));
const sort = (input: object) => toRecordSort(parseSort(input));

describe("findInMemory", () => {
  it("drops expired records", () => {
    expect(findInMemory(records, { filter: everything }, 999).map((r) => r.key)).toEqual([
      "a",
      "b",
      "c",
      "d",
      "e",
    ]);
    expect(findInMemory(records, { filter: everything }, 1_000).map((r) => r.key)).toEqual([
      "a",
      "b",
      "d",
      "e",
    ]);
  });

  it("evaluates filters on the record view", () => {
    const keys = (query: object) =>
      findInMemory(records, { filter: filter(query) }, 0).map((r) => r.key);
    expect(keys({ price: { $gte: 20 } })).toEqual(["a", "c", "d"]);
    expect(keys({ tags: "x" })).toEqual(["a", "c"]);
    expect(keys({ _id: { $in: ["b", "e"] } })).toEqual(["b", "e"]);
    expect(keys({ price: null })).toEqual(["e"]);
    const byMetadata = {
      type: "field",
      field: { path: "metadata.owner", segments: ["metadata", "owner"] },
      condition: { op: "eq", value: "bob" },
    } as const;
    expect(findInMemory(records, { filter: byMetadata }, 0).map((r) => r.key)).toEqual(["d"]);
  });

  it("sorts (MongoDB order, missing first, stable), then skips and limits", () => {
    const run = (skip?: number, limit?: number) =>
      findInMemory(records, { filter: everything, sort: sort({ price: 1 }), skip, limit }, 0).map(
        (r) => r.key,
      );
    expect(run()).toEqual(["e", "b", "c", "d", "a"]);
    expect(run(1, 2)).toEqual(["b", "c"]);
    expect(run(4, 10)).toEqual(["a"]);
    const descending = findInMemory(
      records,
      { filter: everything, sort: sort({ price: -1, _id: -1 }) },
      0,
    );
    expect(descending.map((r) => r.key)).toEqual(["a", "d", "c", "b", "e"]);
  });

  it("skips and limits without a sort in insertion order", () => {
    const page = findInMemory(records, { filter: everything, skip: 1, limit: 2 }, 0);
    expect(page.map((r) => r.key)).toEqual(["b", "c"]);
    expect(findInMemory(records, { filter: everything, limit: 0 }, 0)).toEqual([]);
  });

  it("counts live matches", () => {
    expect(countInMemory(records, filter({ tags: "y" }), 0)).toBe(2);
    expect(countInMemory(records, filter({ tags: "y" }), 5_000)).toBe(1);
    expect(countInMemory(records, everything, 5_000)).toBe(4);
  });
});

describe("applyRecordUpdate", () => {
  const record: StoredRecord = {
    key: "k",
    value: { n: 1, nested: { a: 1 } },
    metadata: { m: 1 },
    expiresAt: 50,
    vector: [1, 0],
    createdAt: 5,
    updatedAt: 5,
  };

  it("applies operators without touching the input and stamps updatedAt", () => {
    const updated = applyRecordUpdate(
      record,
      { value: parseUpdate({ $inc: { n: 2 }, $set: { "nested.b": 2 } }) },
      99,
    );
    expect(updated.value).toEqual({ n: 3, nested: { a: 1, b: 2 } });
    expect(updated.updatedAt).toBe(99);
    expect(updated.createdAt).toBe(5);
    expect(updated.expiresAt).toBe(50);
    expect(record.value).toEqual({ n: 1, nested: { a: 1 } });
  });

  it("replaces or clears metadata, expiry and vector", () => {
    const updated = applyRecordUpdate(
      record,
      { metadata: { m: 2 }, expiresAt: null, vector: null },
      10,
    );
    expect(updated).toMatchObject({ value: record.value, metadata: { m: 2 } });
    expect(updated.expiresAt).toBeUndefined();
    expect(updated.vector).toBeUndefined();
    const kept = applyRecordUpdate(record, { expiresAt: 70, vector: [0, 1] }, 10);
    expect(kept.expiresAt).toBe(70);
    expect(kept.vector).toEqual([0, 1]);
  });

  it("writes $currentDate from the given time and refuses results store would refuse", () => {
    const dated = applyRecordUpdate(
      record,
      { value: parseUpdate({ $currentDate: { at: true } }) },
      1234,
    );
    expect((dated.value as { at: Date }).at).toEqual(new Date(1234));
    const overflow = parseUpdate({ $mul: { n: Number.MAX_VALUE } });
    const big = applyRecordUpdate(
      record,
      { value: parseUpdate({ $set: { n: Number.MAX_VALUE } }) },
      1,
    );
    expect(() => applyRecordUpdate(big, { value: overflow }, 2)).toThrow(ValidationError);
  });
});
