import { describe, expect, it } from "vitest";
import { applyUpdate, FilterValidationError, parseUpdate } from "../src/index.js";

function rejection(action: () => unknown): FilterValidationError {
  try {
    action();
  } catch (error) {
    if (FilterValidationError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a FilterValidationError");
}

describe("applyUpdate: fields", () => {
  it("merges a plain patch into the top level and keeps other fields", () => {
    const result = applyUpdate({ _id: "k", a: 1, b: { c: 1 } }, { b: { d: 2 }, e: 3 });
    expect(result).toEqual({ _id: "k", a: 1, b: { d: 2 }, e: 3 });
  });

  it("$set creates missing parents as objects, also for numeric segments", () => {
    expect(applyUpdate({}, { $set: { "a.b.c": 1, "x.0.y": 2 } })).toEqual({
      a: { b: { c: 1 } },
      x: { "0": { y: 2 } },
    });
  });

  it("refuses to pad an array more than 10,000 elements in one write, leaving the input intact", () => {
    const doc = { a: [1, 2] };
    const error = rejection(() => applyUpdate(doc, parseUpdate({ $set: { "a.4000000000": 1 } })));
    expect(error.message).toContain("past the end");
    expect(doc).toEqual({ a: [1, 2] });
    expect(applyUpdate(doc, parseUpdate({ $set: { "a.10001": 1 } })).a).toHaveLength(10_002);
  });

  it("$set indexes arrays with numeric segments and pads with null past the end", () => {
    const document = { list: [1, 2], items: [{ n: 1 }] };
    expect(applyUpdate(document, { $set: { "list.4": 5, "items.0.n": 9 } })).toEqual({
      list: [1, 2, null, null, 5],
      items: [{ n: 9 }],
    });
    expect(applyUpdate(document, { $set: { "items.2.n": 3 } })).toEqual({
      list: [1, 2],
      items: [{ n: 1 }, null, { n: 3 }],
    });
  });

  it("refuses to create a field inside a scalar, null or array", () => {
    expect(rejection(() => applyUpdate({ a: 5 }, { $set: { "a.b": 1 } })).path).toBe("$set.a.b");
    expect(rejection(() => applyUpdate({ a: null }, { $set: { "a.b": 1 } })).message).toMatch(
      /Cannot create field "b"/,
    );
    expect(rejection(() => applyUpdate({ a: [1] }, { $inc: { "a.b": 1 } })).path).toBe("$inc.a.b");
  });

  it("$unset removes fields, leaves null in arrays, and ignores missing paths", () => {
    const document = { a: 1, b: { c: 1, d: 2 }, list: [1, 2, 3], s: 5 };
    expect(
      applyUpdate(document, { $unset: { a: "", "b.c": "", "list.1": "", "s.x": "", "no.pe": "" } }),
    ).toEqual({ b: { d: 2 }, list: [1, null, 3], s: 5 });
  });

  it("$rename moves a value, creating the target's parents, and ignores a missing source", () => {
    expect(applyUpdate({ a: { b: 1 }, c: 2 }, { $rename: { "a.b": "x.y" } })).toEqual({
      a: {},
      c: 2,
      x: { y: 1 },
    });
    expect(applyUpdate({ c: 2 }, { $rename: { a: "b" } })).toEqual({ c: 2 });
    expect(applyUpdate({ a: 1, b: 2 }, { $rename: { a: "b" } })).toEqual({ b: 1 });
  });

  it("$rename refuses paths through arrays", () => {
    expect(
      rejection(() => applyUpdate({ a: [{ b: 1 }] }, { $rename: { "a.0.b": "c" } })).path,
    ).toBe("$rename.a.0.b");
    expect(() => applyUpdate({ a: 1, list: [] }, { $rename: { a: "list.0" } })).toThrow(
      /into an array/,
    );
  });

  it("$rename fails on a source path through a scalar, but ignores a missing source", () => {
    expect(rejection(() => applyUpdate({ a: 5 }, { $rename: { "a.b": "c" } })).path).toBe(
      "$rename.a.b",
    );
    expect(applyUpdate({ list: [] }, { $rename: { gone: "list.0" } })).toEqual({ list: [] });
  });

  it("$currentDate writes the given time as a Date, also for timestamps", () => {
    const now = new Date("2024-05-06T07:08:09Z");
    const result = applyUpdate(
      {},
      { $currentDate: { a: true, b: { $type: "date" }, c: { $type: "timestamp" } } },
      { now },
    );
    expect(result).toEqual({ a: now, b: now, c: now });
    expect(result.a).not.toBe(now);
    const before = Date.now();
    const defaulted = applyUpdate({}, { $currentDate: { a: true } }).a as Date;
    expect(defaulted.getTime()).toBeGreaterThanOrEqual(before);
  });

  it("adds new fields in MongoDB's field-name order", () => {
    const result = applyUpdate({ m: 0 }, { $set: { z: 1, b: 2 }, $inc: { a: 1 } });
    expect(Object.keys(result)).toEqual(["m", "a", "b", "z"]);
  });
});

describe("applyUpdate: numbers and comparisons", () => {
  it("pads with null when $inc, $mul, $min or $max write past an array's end", () => {
    expect(applyUpdate({ a: [] }, { $inc: { "a.1": 2 } })).toEqual({ a: [null, 2] });
    expect(applyUpdate({ a: [] }, { $max: { "a.2": 2 } })).toEqual({ a: [null, null, 2] });
  });

  it("$inc and $mul add and multiply, and start missing fields at the amount or 0", () => {
    expect(applyUpdate({ a: 1, b: 2 }, { $inc: { a: 2, c: 5 }, $mul: { b: 3, d: 4 } })).toEqual({
      a: 3,
      b: 6,
      c: 5,
      d: 0,
    });
    expect(applyUpdate({ a: [1, 2] }, { $inc: { "a.1": -2 } })).toEqual({ a: [1, 0] });
  });

  it("$inc on a non-numeric field fails clearly and leaves the document untouched", () => {
    const document = { count: "7", other: 1 };
    const error = rejection(() => applyUpdate(document, { $inc: { other: 1, count: 1 } }));
    expect(error.path).toBe("$inc.count");
    expect(error.message).toMatch(/non-numeric/);
    expect(document).toEqual({ count: "7", other: 1 });
    expect(() => applyUpdate({ n: null }, { $mul: { n: 2 } })).toThrow(/\$mul/);
  });

  it("$min and $max compare with MongoDB's cross-type order", () => {
    const document = { low: 5, high: 5, text: "b", mixed: 10 };
    expect(
      applyUpdate(document, {
        $min: { low: 3, text: "a", mixed: "z", absent: 1 },
        $max: { high: 4 },
      }),
    ).toEqual({ low: 3, high: 5, text: "a", mixed: 10, absent: 1 });
    // Strings sort above numbers, null below them.
    expect(applyUpdate({ v: 10 }, { $max: { v: "a" } })).toEqual({ v: "a" });
    expect(applyUpdate({ v: 10 }, { $min: { v: null } })).toEqual({ v: null });
    // Arrays sort above every scalar in MongoDB's order, and compare as whole values.
    expect(applyUpdate({ v: [1, 9] }, { $min: { v: 5 } })).toEqual({ v: 5 });
    expect(applyUpdate({ v: [1, 9] }, { $max: { v: 50 } })).toEqual({ v: [1, 9] });
    const when = new Date(1000);
    expect(applyUpdate({ v: new Date(5000) }, { $min: { v: when } })).toEqual({ v: when });
  });
});

describe("applyUpdate: arrays", () => {
  it("$push appends one value, or $each at $position, then applies $slice", () => {
    expect(applyUpdate({ a: [1] }, { $push: { a: 2, b: [3] } })).toEqual({ a: [1, 2], b: [[3]] });
    const list = { a: [1, 2, 3] };
    expect(applyUpdate(list, { $push: { a: { $each: [8, 9], $position: 1 } } }).a).toEqual([
      1, 8, 9, 2, 3,
    ]);
    expect(applyUpdate(list, { $push: { a: { $each: [9], $position: -1 } } }).a).toEqual([
      1, 2, 9, 3,
    ]);
    expect(applyUpdate(list, { $push: { a: { $each: [9], $position: 50 } } }).a).toEqual([
      1, 2, 3, 9,
    ]);
    expect(applyUpdate(list, { $push: { a: { $each: [4, 5], $slice: -3 } } }).a).toEqual([3, 4, 5]);
    expect(applyUpdate(list, { $push: { a: { $each: [4], $slice: 2 } } }).a).toEqual([1, 2]);
    expect(applyUpdate(list, { $push: { a: { $each: [], $slice: 0 } } }).a).toEqual([]);
  });

  it("$push applies $slice, and $addToSet removes duplicates of $each, on a new array too", () => {
    expect(applyUpdate({}, { $push: { a: { $each: [1, 2, 3], $slice: 2 } } })).toEqual({
      a: [1, 2],
    });
    expect(applyUpdate({}, { $addToSet: { a: { $each: [1, 1, 2] } } })).toEqual({ a: [1, 2] });
  });

  it("$addToSet leaves duplicates already in the array alone", () => {
    expect(applyUpdate({ a: [1, 1] }, { $addToSet: { a: { $each: [] } } })).toEqual({ a: [1, 1] });
  });

  it("$push and $addToSet treat null as a value, not as a missing array", () => {
    expect(() => applyUpdate({ a: null }, { $push: { a: 1 } })).toThrow(/type null/);
    expect(() => applyUpdate({ a: null }, { $addToSet: { a: 1 } })).toThrow(/type null/);
  });

  it("$push and $addToSet fail on a non-array field", () => {
    expect(rejection(() => applyUpdate({ a: 1 }, { $push: { a: 2 } })).path).toBe("$push.a");
    expect(() => applyUpdate({ a: { x: 1 } }, { $addToSet: { a: 2 } })).toThrow(/needs an array/);
  });

  it("$addToSet adds only values not already present, by MongoDB equality", () => {
    const document = { tags: ["a", { k: 1, v: 2 }, [1, 2]] };
    const result = applyUpdate(document, {
      $addToSet: {
        tags: { $each: ["a", "b", "b", { k: 1, v: 2 }, { v: 2, k: 1 }, [1, 2], [2, 1]] },
      },
    });
    expect(result.tags).toEqual(["a", { k: 1, v: 2 }, [1, 2], "b", { v: 2, k: 1 }, [2, 1]]);
    expect(applyUpdate({}, { $addToSet: { fresh: 1 } })).toEqual({ fresh: [1] });
  });

  it("$pull removes equal values, exactly, without array membership", () => {
    const document = { tags: ["a", "b", "a", ["a"]], dates: [new Date(1), new Date(2)] };
    expect(applyUpdate(document, { $pull: { tags: "a", dates: new Date(1) } })).toEqual({
      tags: ["b", ["a"]],
      dates: [new Date(2)],
    });
    expect(applyUpdate({ pairs: [[1, 2], [2, 1], 1] }, { $pull: { pairs: [1, 2] } })).toEqual({
      pairs: [[2, 1], 1],
    });
  });

  it("$pull with an operator condition tests each element", () => {
    const document = { scores: [3, 6, 9, "x", 5] };
    expect(applyUpdate(document, { $pull: { scores: { $gte: 6 } } })).toEqual({
      scores: [3, "x", 5],
    });
    expect(applyUpdate(document, { $pull: { scores: { $in: [3, "x"] } } })).toEqual({
      scores: [6, 9, 5],
    });
    // MongoDB matches the condition as a query on the element, so nested arrays are searched.
    expect(applyUpdate({ s: [[1, 7], [2], 8] }, { $pull: { s: { $gte: 6 } } })).toEqual({
      s: [[2]],
    });
  });

  it("$pull with a sub-document condition matches sub-documents like a query", () => {
    const document = {
      results: [
        { item: "A", score: 5 },
        { item: "B", score: 8, extra: true },
        { item: "C", score: 8 },
        8,
      ],
    };
    expect(applyUpdate(document, { $pull: { results: { score: 8, item: "B" } } })).toEqual({
      results: [{ item: "A", score: 5 }, { item: "C", score: 8 }, 8],
    });
    expect(applyUpdate(document, { $pull: { results: { score: { $gt: 6 } } } })).toEqual({
      results: [{ item: "A", score: 5 }, 8],
    });
  });

  it("$pull ignores a missing or impossible path and fails on a non-array", () => {
    expect(applyUpdate({ a: 1 }, { $pull: { b: 1 } })).toEqual({ a: 1 });
    expect(applyUpdate({ a: 1, l: [{ x: [1] }] }, { $pull: { "a.b": 1, "l.x": 1 } })).toEqual({
      a: 1,
      l: [{ x: [1] }],
    });
    expect(applyUpdate({}, { $pull: { "a.0": 1 } })).toEqual({});
    expect(rejection(() => applyUpdate({ a: 1 }, { $pull: { a: 1 } })).path).toBe("$pull.a");
  });

  it("$pullAll removes every listed value", () => {
    expect(applyUpdate({ a: [1, 2, 3, 1, { x: 1 }] }, { $pullAll: { a: [1, { x: 1 }] } })).toEqual({
      a: [2, 3],
    });
  });
});

describe("applyUpdate: _id, specs and safety", () => {
  it("accepts a $set of _id to its current value and rejects a change", () => {
    expect(applyUpdate({ _id: "k", a: 1 }, { _id: "k", a: 2 })).toEqual({ _id: "k", a: 2 });
    expect(rejection(() => applyUpdate({ _id: "k" }, { $set: { _id: "other" } })).path).toBe("_id");
  });

  it("applies a parsed spec repeatedly without sharing values between results", () => {
    const spec = parseUpdate({ $set: { list: [1] } });
    const first = applyUpdate({}, spec);
    (first.list as number[]).push(2);
    expect(applyUpdate({}, spec)).toEqual({ list: [1] });
  });

  it("replaces the whole document with a replace spec, keeping _id", () => {
    const spec = { kind: "replace", document: { name: "new" } } as const;
    expect(applyUpdate({ _id: "k", old: 1 }, spec)).toEqual({ _id: "k", name: "new" });
    const changing = { kind: "replace", document: { _id: "x" } } as const;
    expect(() => applyUpdate({ _id: "k" }, changing)).toThrow(/_id/);
  });

  it("never mutates the input, even on failure", () => {
    const document = { a: { b: [1, { c: 2 }] }, n: 1, s: "x" };
    const snapshot = structuredClone(document);
    applyUpdate(document, {
      $set: { "a.b.1.c": 3, "a.b.5": 1 },
      $push: { "a.z": 1 },
      $unset: { n: "" },
    });
    expect(() => applyUpdate(document, { $set: { "a.q": 1 }, $inc: { s: 1 } })).toThrow();
    expect(document).toEqual(snapshot);
  });

  it("writes __proto__, constructor and prototype as own fields, never touching prototypes", () => {
    const result = applyUpdate(
      {},
      {
        $set: { "__proto__.polluted": 1, "constructor.prototype.polluted": 2, prototype: 3 },
      },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result)).toEqual(["__proto__", "constructor", "prototype"]);
    expect(Object.getOwnPropertyDescriptor(result, "__proto__")?.value).toEqual({ polluted: 1 });
    const merged = applyUpdate({}, JSON.parse('{"__proto__": {"polluted": true}}'));
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const inherited = applyUpdate({}, { $inc: { "constructor.name": 1 } });
    expect(inherited).toEqual({ constructor: { name: 1 } });
  });
});
