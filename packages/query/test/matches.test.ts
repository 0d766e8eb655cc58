import { describe, expect, it } from "vitest";
import {
  compileFilter,
  compilePredicate,
  type FieldNode,
  getPathValues,
  matches,
  parseFilter,
} from "../src/index.js";

/** Which of `documents` match `filter`, by index. */
function matching(filter: unknown, documents: unknown[]): number[] {
  const predicate = compileFilter(filter);
  return documents.flatMap((document, index) => (predicate(document) ? [index] : []));
}

describe("paths through objects and arrays", () => {
  const documents = [
    { items: [{ price: 5 }, { price: 9 }] },
    { items: [{ price: 1 }, { qty: 2 }] },
    { items: { price: 5 } },
    { items: [[{ price: 5 }]] },
    { items: [5] },
    {},
  ];

  it("expands arrays of documents and treats numeric segments as index or key", () => {
    expect(matching({ "items.price": 5 }, documents)).toEqual([0, 2]);
    // An array element reached by index is itself traversed: [[{ price: 5 }]] matches too.
    expect(matching({ "items.0.price": 5 }, documents)).toEqual([0, 3]);
    expect(matching({ "items.0.0.price": 5 }, documents)).toEqual([3]);
    expect(matching({ "a.0": 1 }, [{ a: { "0": 1 } }, { a: [1] }, { a: [[1]] }])).toEqual([0, 1]);
    expect(matching({ "a.01": 1 }, [{ a: [0, 1] }, { a: { "01": 1 } }])).toEqual([1]);
  });

  it("does not flatten nested arrays twice", () => {
    expect(
      matching({ tags: "a" }, [{ tags: ["a", "b"] }, { tags: [["a"], "b"] }, { tags: "a" }]),
    ).toEqual([0, 2]);
    expect(matching({ tags: ["a"] }, [{ tags: [["a"], "b"] }, { tags: ["a"] }])).toEqual([0, 1]);
  });

  it("matches null against null and missing, but not through scalar array elements", () => {
    const candidates = [
      { a: null },
      {},
      { a: [1, null] },
      { a: [{ b: 1 }, {}] },
      { a: [1, 2] },
      { a: [] },
    ];
    expect(matching({ a: null }, candidates)).toEqual([0, 1, 2]);
    expect(matching({ "a.b": null }, candidates)).toEqual([0, 1, 3]);
    expect(matching({ "a.b": { $ne: null } }, candidates)).toEqual([2, 4, 5]);
    expect(matching({ "a.b": { $exists: false } }, candidates)).toEqual([0, 1, 2, 4, 5]);
    expect(matching({ "a.b": { $exists: true } }, candidates)).toEqual([3]);
  });

  it("reports the yielded values through getPathValues", () => {
    expect(getPathValues({ a: [{ b: 1 }, { c: 2 }, 3, [{ b: 4 }]] }, ["a", "b"])).toEqual([
      1,
      undefined,
    ]);
    expect(getPathValues({ a: [1, [2]] }, ["a"])).toEqual([1, [2], [1, [2]]]);
    expect(getPathValues({ a: [1, [2]] }, ["a"], { expandArrays: false })).toEqual([[1, [2]]]);
    expect(getPathValues({ a: [[1, 2]] }, ["a", "0", "1"])).toEqual([2]);
  });
});

describe("prototype safety", () => {
  it("never reads inherited properties", () => {
    expect(matches({ constructor: { $exists: true } }, {})).toBe(false);
    expect(matches({ "a.toString": { $exists: true } }, { a: {} })).toBe(false);
    expect(matches({ __proto__: null } as never, {})).toBe(true);
    expect(matches(JSON.parse('{"__proto__": 1}'), JSON.parse('{"__proto__": 1}'))).toBe(true);
    expect(matches(JSON.parse('{"__proto__": 1}'), {})).toBe(false);
    expect(matches({ length: 1 }, [5] as never)).toBe(false);
    const inherited = Object.create({ role: "admin" }) as Record<string, unknown>;
    expect(matches({ role: "admin" }, inherited)).toBe(false);
  });
});

describe("comparisons", () => {
  it("compares within a type bracket only", () => {
    const values = [1, "1", true, null, new Date(1), [2], { a: 1 }];
    expect(
      matching(
        { v: { $gt: 0 } },
        values.map((v) => ({ v })),
      ),
    ).toEqual([0, 5]);
    expect(
      matching(
        { v: { $gte: "" } },
        values.map((v) => ({ v })),
      ),
    ).toEqual([1]);
    expect(
      matching(
        { v: { $lt: new Date(5) } },
        values.map((v) => ({ v })),
      ),
    ).toEqual([4]);
    expect(matching({ v: { $gte: null } }, [{ v: null }, {}, { v: 0 }])).toEqual([0, 1]);
    expect(matching({ v: { $gt: null } }, [{ v: null }, {}, { v: 0 }])).toEqual([]);
  });

  it("applies each range operator independently to array elements", () => {
    expect(matches({ a: { $gt: 5, $lt: 8 } }, { a: [1, 10] })).toBe(true);
    expect(matches({ a: { $elemMatch: { $gt: 5, $lt: 8 } } }, { a: [1, 10] })).toBe(false);
    expect(matches({ a: { $elemMatch: { $gt: 5, $lt: 8 } } }, { a: [1, 6] })).toBe(true);
  });

  it("compares whole arrays and documents with field order", () => {
    expect(matches({ a: { b: 1, c: 2 } }, { a: { b: 1, c: 2 } })).toBe(true);
    expect(matches({ a: { b: 1, c: 2 } }, { a: { c: 2, b: 1 } })).toBe(false);
    expect(matches({ a: [1, 2] }, { a: [1, 2] })).toBe(true);
    expect(matches({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(matches({ a: { $gt: [1] } }, { a: [2] })).toBe(true);
  });

  it("compares dates by time and binary data by bytes", () => {
    expect(matches({ at: new Date(5) }, { at: new Date(5) })).toBe(true);
    expect(matches({ at: { $in: [new Date(5)] } }, { at: [new Date(1), new Date(5)] })).toBe(true);
    expect(matches({ b: new Uint8Array([1, 2]) }, { b: new Uint8Array([1, 2]) })).toBe(true);
    expect(matches({ b: new Uint8Array([1, 2]) }, { b: [1, 2] })).toBe(false);
  });
});

describe("operators", () => {
  it("$ne and $nin are negations (missing fields match them)", () => {
    expect(matching({ a: { $ne: 1 } }, [{ a: 1 }, { a: [1, 2] }, { a: 2 }, {}])).toEqual([2, 3]);
    expect(matching({ a: { $nin: [1, null] } }, [{ a: 1 }, { a: 3 }, {}])).toEqual([1]);
  });

  it("$in accepts regular expressions and null", () => {
    expect(
      matching({ a: { $in: [/^x/, null] } }, [{ a: "xy" }, { a: ["b", "xa"] }, {}, { a: "y" }]),
    ).toEqual([0, 1, 2]);
  });

  it("$all: every value, regex or $elemMatch; [] matches nothing", () => {
    expect(
      matching({ t: { $all: ["a", "b"] } }, [{ t: ["a", "b", "c"] }, { t: ["a"] }, { t: "a" }]),
    ).toEqual([0]);
    expect(matching({ t: { $all: ["a"] } }, [{ t: "a" }, { t: ["a"] }])).toEqual([0, 1]);
    expect(matching({ t: { $all: [] } }, [{ t: [] }, { t: ["a"] }])).toEqual([]);
    expect(matching({ t: { $all: [/^a/, "b"] } }, [{ t: ["ax", "b"] }, { t: ["b"] }])).toEqual([0]);
    expect(
      matching({ t: { $all: [[1, 2]] } }, [{ t: [1, 2] }, { t: [[1, 2], 3] }, { t: [1] }]),
    ).toEqual([0, 1]);
    const filter = { r: { $all: [{ $elemMatch: { s: { $gt: 3 } } }, { $elemMatch: { u: "x" } }] } };
    expect(matching(filter, [{ r: [{ s: 5 }, { u: "x" }] }, { r: [{ s: 5 }] }])).toEqual([0]);
    // Entries follow their $all's path, so rewriting only the $all's path (as the record view
    // does) keeps the filter meaning the same.
    const node = parseFilter(filter) as FieldNode;
    const moved = { ...node, field: { path: "value.r", segments: ["value", "r"] } };
    expect(compilePredicate(moved)({ value: { r: [{ s: 5 }, { u: "x" }] } })).toBe(true);
  });

  it("$size counts the array itself, never elements or non-arrays", () => {
    expect(
      matching({ a: { $size: 2 } }, [{ a: [1, 2] }, { a: [[1, 2]] }, { a: "ab" }, {}]),
    ).toEqual([0]);
    expect(matching({ "a.b": { $size: 1 } }, [{ a: [{ b: [1] }, { b: 2 }] }])).toEqual([0]);
  });

  it("$elemMatch in value and document forms", () => {
    expect(
      matching({ a: { $elemMatch: { $gte: 2, $lt: 3 } } }, [{ a: [1, 2] }, { a: 2 }, { a: [[2]] }]),
    ).toEqual([0]);
    const filter = { a: { $elemMatch: { b: 1, c: { $gt: 1 } } } };
    expect(
      matching(filter, [{ a: [{ b: 1, c: 2 }] }, { a: [{ b: 1 }, { c: 2 }] }, { a: [1] }]),
    ).toEqual([0]);
    // Value-form conditions test each element as a single value, never its elements.
    expect(
      matching({ a: { $elemMatch: { $all: [1] } } }, [{ a: [1] }, { a: [[1]] }, { a: [2] }]),
    ).toEqual([0]);
    expect(matches({ a: { $elemMatch: {} } }, { a: [1, {}] })).toBe(true);
    expect(matches({ a: { $elemMatch: {} } }, { a: [1, 2] })).toBe(false);
  });

  it("$type matches an array or any element; number covers int, long and double", () => {
    const documents = [
      { a: [1, "x"] },
      { a: "x" },
      { a: 1.5 },
      { a: 2 ** 40 },
      { a: 7 },
      { a: null },
      {},
    ];
    expect(matching({ a: { $type: "string" } }, documents)).toEqual([0, 1]);
    expect(matching({ a: { $type: "array" } }, documents)).toEqual([0]);
    expect(matching({ a: { $type: "double" } }, documents)).toEqual([2]);
    expect(matching({ a: { $type: "long" } }, documents)).toEqual([3]);
    expect(matching({ a: { $type: ["int", 10] } }, documents)).toEqual([0, 4, 5]);
    expect(matching({ a: { $type: "number" } }, documents)).toEqual([0, 2, 3, 4]);
  });

  it("$mod truncates toward zero with the dividend's sign", () => {
    const documents = [
      { a: 7 },
      { a: -7 },
      { a: 7.9 },
      { a: "7" },
      { a: [2, 7] },
      { a: Number.NaN },
    ];
    expect(matching({ a: { $mod: [4, 3] } }, documents)).toEqual([0, 2, 4]);
    expect(matching({ a: { $mod: [4, -3] } }, documents)).toEqual([1]);
    expect(matching({ a: { $mod: [4.7, 3.2] } }, documents)).toEqual([0, 2, 4]);
  });

  it("$not negates the whole operator set and matches missing fields", () => {
    expect(
      matching({ a: { $not: { $gt: 1, $lt: 5 } } }, [{ a: 3 }, { a: 7 }, {}, { a: [3, 9] }]),
    ).toEqual([1, 2]);
    expect(matching({ a: { $not: /^x/ } }, [{ a: "xa" }, { a: "b" }, { a: 1 }])).toEqual([1, 2]);
  });

  it("$exists follows the path, including null values", () => {
    expect(matching({ a: { $exists: true } }, [{ a: null }, { a: [] }, {}])).toEqual([0, 1]);
    expect(matching({ a: { $exists: 0 } }, [{ a: null }, {}])).toEqual([1]);
  });

  it("$and, $or and $nor combine, and an empty filter matches everything", () => {
    const documents = [{ a: 1, b: 1 }, { a: 1 }, { b: 1 }, {}];
    expect(matching({}, documents)).toEqual([0, 1, 2, 3]);
    expect(matching({ $and: [{ a: 1 }, { b: 1 }] }, documents)).toEqual([0]);
    expect(matching({ $or: [{ a: 1 }, { b: 1 }] }, documents)).toEqual([0, 1, 2]);
    expect(matching({ $nor: [{ a: 1 }, { b: 1 }] }, documents)).toEqual([3]);
  });

  it("$eq with a regex compares with stored regexes, which documents never hold", () => {
    expect(matching({ a: { $eq: /x/ } }, [{ a: "x" }, {}])).toEqual([]);
    expect(matching({ a: { $not: { $eq: /x/ } } }, [{ a: "x" }, {}])).toEqual([0, 1]);
  });
});

describe("regular expressions", () => {
  it("supports the i, m, s and x options", () => {
    expect(matches({ a: { $regex: "^B", $options: "im" } }, { a: "a\nb" })).toBe(true);
    expect(matches({ a: { $regex: "a.b", $options: "s" } }, { a: "a\nb" })).toBe(true);
    expect(matches({ a: { $regex: "a.b" } }, { a: "a\nb" })).toBe(false);
    const extended = { $regex: "a b # comment\n [ ]c", $options: "x" };
    expect(matches({ a: extended }, { a: "ab c" })).toBe(true);
    expect(matches({ a: extended }, { a: "a b c" })).toBe(false);
    expect(
      matches({ a: { $regularExpression: { pattern: "^X", options: "i" } } }, { a: "xy" }),
    ).toBe(true);
  });

  it("lets $ match before a final newline, as PCRE does", () => {
    expect(matches({ a: /c$/ }, { a: "abc\n" })).toBe(true);
    expect(matches({ a: /c$/ }, { a: "abc\n\n" })).toBe(false);
    expect(matches({ a: { $regex: "c\\z" } }, { a: "abc\n" })).toBe(false);
    expect(matches({ a: { $regex: "(c|d)+$" } }, { a: "abc\n" })).toBe(true);
  });

  it("only matches strings and string elements", () => {
    expect(matching({ a: /1/ }, [{ a: 1 }, { a: ["1"] }, { a: { b: "1" } }])).toEqual([1]);
  });
});
