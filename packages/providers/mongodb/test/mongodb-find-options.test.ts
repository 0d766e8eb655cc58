import { recordView, type StoredRecord, toRecordProjection, toRecordSort } from "@agentvault/core";
import { applyProjection, parseFilter, parseProjection, parseSort } from "@agentvault/query";
import { describe, expect, it } from "vitest";
import { toMongoFindOptions, toMongoProjection, toMongoSort } from "../src/mongodb-find-options.js";

const matchAll = parseFilter({});

describe("toMongoSort", () => {
  it("keeps the order of keys and ends with _id so ties and pages are stable", () => {
    expect(toMongoSort(toRecordSort(parseSort({ price: -1, name: 1 })))).toEqual([
      ["value.price", -1],
      ["value.name", 1],
      ["_id", 1],
    ]);
    expect(toMongoSort(toRecordSort(parseSort({ _id: -1 })))).toEqual([["_id", -1]]);
    expect(toMongoSort(toRecordSort(parseSort({ a: 1, _id: -1, b: 1 })))).toEqual([
      ["value.a", 1],
      ["_id", -1],
      ["value.b", 1],
    ]);
  });

  it("keeps integer-like paths in place (an array of pairs, not an object)", () => {
    const sort = parseSort({ "metadata.z": 1, "metadata.0": 1 });
    expect(toMongoSort(sort)).toEqual([
      ["metadata.z", 1],
      ["metadata.0", 1],
      ["_id", 1],
    ]);
  });

  it("drops paths outside the record view, which are missing in every record", () => {
    expect(toMongoSort(parseSort({ createdAt: 1, "value.a": -1 }))).toEqual([
      ["value.a", -1],
      ["_id", 1],
    ]);
    expect(toMongoSort(undefined)).toBeUndefined();
    expect(toMongoSort([])).toBeUndefined();
  });
});

describe("toMongoProjection", () => {
  it("includes the listed paths plus what a record needs", () => {
    const spec = toRecordProjection(parseProjection({ name: 1, "price.amount": 1, _id: 0 }));
    expect(toMongoProjection(spec)).toEqual({
      _id: 1,
      expiresAt: 1,
      createdAt: 1,
      updatedAt: 1,
      "value.name": 1,
      "value.price.amount": 1,
    });
  });

  it("excludes the listed paths and the vector, never the key", () => {
    const spec = toRecordProjection(parseProjection({ secret: 0, _id: 0 }));
    expect(toMongoProjection(spec)).toEqual({ "value.secret": 0, vector: 0 });
  });

  it("reads whole records when no projection is asked for", () => {
    expect(toMongoProjection(undefined)).toBeUndefined();
  });

  it("what MongoDB returns projects, over the record view, exactly like the whole record", () => {
    // MongoDB's find projection of the stored envelope, written out for these records: included
    // paths keep their parents, a scalar parent is dropped, and a value left empty is absent
    // (the provider then reads `value` as null).
    const records: { stored: StoredRecord; projected: StoredRecord }[] = [
      {
        stored: { key: "a", value: { name: "pen", price: { amount: 2, currency: "EUR" } } },
        projected: { key: "a", value: { name: "pen", price: { amount: 2 } } },
      },
      {
        stored: { key: "b", value: { price: 5, other: true } },
        projected: { key: "b", value: {} },
      },
      { stored: { key: "c", value: 42 }, projected: { key: "c", value: null } },
    ];
    const spec = toRecordProjection(parseProjection({ name: 1, "price.amount": 1 }));
    for (const { stored, projected } of records) {
      expect(applyProjection(recordView(projected), spec), stored.key).toEqual(
        applyProjection(recordView(stored), spec),
      );
    }
  });
});

describe("toMongoFindOptions", () => {
  it("passes skip and limit, leaving out zero values", () => {
    expect(toMongoFindOptions({ filter: matchAll, skip: 5, limit: 10 })).toEqual({
      skip: 5,
      limit: 10,
    });
    expect(toMongoFindOptions({ filter: matchAll, skip: 0 })).toEqual({});
    expect(toMongoFindOptions({ filter: matchAll })).toEqual({});
  });

  it("combines sort, paging and projection", () => {
    const options = toMongoFindOptions({
      filter: matchAll,
      sort: toRecordSort(parseSort({ n: 1 })),
      limit: 3,
      projection: toRecordProjection(parseProjection({ n: 1 })),
    });
    expect(options).toEqual({
      sort: [
        ["value.n", 1],
        ["_id", 1],
      ],
      limit: 3,
      projection: { _id: 1, expiresAt: 1, createdAt: 1, updatedAt: 1, "value.n": 1 },
    });
  });
});
