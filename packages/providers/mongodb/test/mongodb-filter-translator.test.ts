import { toRecordFilter } from "@agentvault/core";
import {
  type FieldNode,
  type FilterNode,
  parseFilter,
  UnsupportedOperatorError,
} from "@agentvault/query";
import { Binary, BSONRegExp, Long } from "mongodb";
import { describe, expect, it } from "vitest";
import {
  expiryGuard,
  translateElementConditions,
  translateFilter,
  withExpiryGuard,
} from "../src/mongodb-filter-translator.js";

/** Parses a filter over documents, roots it in the record view as the Vault does, translates it. */
function translate(filter: unknown) {
  return translateFilter(toRecordFilter(parseFilter(filter)));
}

describe("translateFilter: one case per operator", () => {
  const cases: [string, unknown, unknown][] = [
    ["implicit equality", { status: "open" }, { "value.status": "open" }],
    ["$eq is written as implicit equality", { n: { $eq: 5 } }, { "value.n": 5 }],
    ["equality with null", { gone: null }, { "value.gone": null }],
    ["equality with a document", { a: { b: 1, c: [2] } }, { "value.a": { b: 1, c: [2] } }],
    ["equality with an array", { tags: ["a", "b"] }, { "value.tags": ["a", "b"] }],
    ["$ne", { n: { $ne: 1 } }, { "value.n": { $ne: 1 } }],
    ["$gt", { n: { $gt: 1 } }, { "value.n": { $gt: 1 } }],
    ["$gte", { n: { $gte: 1 } }, { "value.n": { $gte: 1 } }],
    ["$lt", { n: { $lt: 1 } }, { "value.n": { $lt: 1 } }],
    ["$lte", { n: { $lte: 1 } }, { "value.n": { $lte: 1 } }],
    ["$in", { n: { $in: [1, "x", null] } }, { "value.n": { $in: [1, "x", null] } }],
    ["$nin", { n: { $nin: [1, 2] } }, { "value.n": { $nin: [1, 2] } }],
    [
      "$in with a regular expression (a BSON regex, as MongoDB requires)",
      { n: { $in: ["x", /^a/i] } },
      { "value.n": { $in: ["x", new BSONRegExp("^a", "i")] } },
    ],
    ["$exists", { n: { $exists: false } }, { "value.n": { $exists: false } }],
    ["$exists with a number", { n: { $exists: 1 } }, { "value.n": { $exists: true } }],
    ["$type by name", { n: { $type: "string" } }, { "value.n": { $type: "string" } }],
    ["$type by code", { n: { $type: 16 } }, { "value.n": { $type: "int" } }],
    [
      "$type with a list",
      { n: { $type: ["number", "null"] } },
      { "value.n": { $type: ["number", "null"] } },
    ],
    [
      "$regex with $options",
      { name: { $regex: "^ad", $options: "im" } },
      { "value.name": { $regex: "^ad", $options: "im" } },
    ],
    ["a RegExp literal", { name: /x.y/s }, { "value.name": { $regex: "x.y", $options: "s" } }],
    [
      "an Extended JSON regular expression with the x option",
      { name: { $regularExpression: { pattern: "a b", options: "x" } } },
      { "value.name": { $regex: "a b", $options: "x" } },
    ],
    ["$all", { tags: { $all: ["a", "b"] } }, { "value.tags": { $all: ["a", "b"] } }],
    [
      "$all with a regular expression",
      { tags: { $all: [/^a/, "b"] } },
      { "value.tags": { $all: ["b", new BSONRegExp("^a", "")] } },
    ],
    [
      "$all: [] (matches nothing in MongoDB too)",
      { tags: { $all: [] } },
      { "value.tags": { $all: [] } },
    ],
    ["$size", { tags: { $size: 2 } }, { "value.tags": { $size: 2 } }],
    ["$mod", { n: { $mod: [4, 1] } }, { "value.n": { $mod: [4, 1] } }],
    ["$mod truncates like MongoDB", { n: { $mod: [4.9, -1.5] } }, { "value.n": { $mod: [4, -1] } }],
    [
      "$elemMatch on sub-documents",
      { items: { $elemMatch: { sku: "a", qty: { $gt: 1 } } } },
      { "value.items": { $elemMatch: { sku: "a", qty: { $gt: 1 } } } },
    ],
    [
      "$elemMatch on the element itself",
      { scores: { $elemMatch: { $gte: 80, $lt: 90 } } },
      { "value.scores": { $elemMatch: { $gte: 80, $lt: 90 } } },
    ],
    ["$not with an operator", { n: { $not: { $gt: 5 } } }, { "value.n": { $not: { $gt: 5 } } }],
    [
      "$not with a regular expression",
      { name: { $not: /^a/i } },
      { "value.name": { $not: { $regex: "^a", $options: "i" } } },
    ],
    [
      "$not with $regex and $options",
      { name: { $not: { $regex: "b$", $options: "m" } } },
      { "value.name": { $not: { $regex: "b$", $options: "m" } } },
    ],
    ["$or", { $or: [{ a: 1 }, { b: 2 }] }, { $or: [{ "value.a": 1 }, { "value.b": 2 }] }],
    ["$nor", { $nor: [{ a: 1 }, { b: 2 }] }, { $nor: [{ "value.a": 1 }, { "value.b": 2 }] }],
    [
      "$and is flattened into one document",
      { $and: [{ a: 1 }, { b: 2 }] },
      { "value.a": 1, "value.b": 2 },
    ],
    ["the empty filter", {}, {}],
    ["a key condition", { _id: { $in: ["k1", "k2"] } }, { _id: { $in: ["k1", "k2"] } }],
    ["a dotted path with an array index", { "items.0.price": 5 }, { "value.items.0.price": 5 }],
    ["$comment is dropped", { a: 1, $comment: "why" }, { "value.a": 1 }],
  ];
  for (const [title, filter, expected] of cases) {
    it(title, () => {
      expect(translate(filter)).toEqual(expected);
    });
  }
});

describe("translateFilter: values and nesting", () => {
  it("converts values with toBson: dates stay dates, binary and long integers become BSON", () => {
    const at = new Date("2024-01-02T03:04:05.678Z");
    const translated = translate({ at: { $gte: at }, raw: new Uint8Array([1, 2]), big: 2 ** 40 });
    expect(translated).toEqual({
      "value.at": { $gte: at },
      "value.raw": new Binary(new Uint8Array([1, 2]), 0),
      "value.big": Long.fromNumber(2 ** 40),
    });
  });

  it("merges conditions on one path and keeps clashing ones apart in $and", () => {
    expect(translate({ a: { $gt: 1, $lt: 5 }, b: 1 })).toEqual({
      "value.a": { $gt: 1, $lt: 5 },
      "value.b": 1,
    });
    expect(translate({ $and: [{ a: 1 }, { a: { $exists: true } }] })).toEqual({
      "value.a": { $eq: 1, $exists: true },
    });
    expect(translate({ $and: [{ a: { $gt: 1 } }, { a: { $gt: 2 } }, { a: 3 }] })).toEqual({
      "value.a": { $gt: 1, $eq: 3 },
      $and: [{ "value.a": { $gt: 2 } }],
    });
    expect(translate({ $and: [{ $or: [{ a: 1 }] }, { $or: [{ b: 1 }] }] })).toEqual({
      $or: [{ "value.a": 1 }],
      $and: [{ $or: [{ "value.b": 1 }] }],
    });
  });

  it("nests $elemMatch in both forms, with relative paths left alone", () => {
    const filter = {
      orders: {
        $elemMatch: {
          status: "paid",
          lines: { $elemMatch: { qty: { $gte: 2 }, tags: { $elemMatch: { $regex: "^x" } } } },
          scores: { $elemMatch: { $not: { $lt: 0 } } },
        },
      },
    };
    expect(translate(filter)).toEqual({
      "value.orders": {
        $elemMatch: {
          status: "paid",
          lines: {
            $elemMatch: { qty: { $gte: 2 }, tags: { $elemMatch: { $regex: "^x", $options: "" } } },
          },
          scores: { $elemMatch: { $not: { $lt: 0 } } },
        },
      },
    });
  });

  it("document-form $elemMatch keeps $or and paths like _id relative to the element", () => {
    expect(
      translate({ a: { $elemMatch: { $or: [{ _id: 1 }, { b: { $exists: false } }] } } }),
    ).toEqual({
      "value.a": { $elemMatch: { $or: [{ _id: 1 }, { b: { $exists: false } }] } },
    });
  });

  it("$all with $elemMatch applies every entry on the $all's path", () => {
    expect(
      translate({
        lines: {
          $all: [{ $elemMatch: { sku: "a", qty: { $gt: 1 } } }, { $elemMatch: { $size: 2 } }],
        },
      }),
    ).toEqual({
      "value.lines": {
        $all: [{ $elemMatch: { sku: "a", qty: { $gt: 1 } } }, { $elemMatch: { $size: 2 } }],
      },
    });
  });

  it("ignores the path written on a $all entry (path rewriters may leave it unprefixed)", () => {
    const entry: FieldNode = {
      type: "field",
      field: { path: "somewhere.else", segments: ["somewhere", "else"] },
      condition: { op: "elemMatch", filter: parseFilter({ b: 1 }), scalar: false },
    };
    const node: FilterNode = {
      type: "field",
      field: { path: "value.a", segments: ["value", "a"] },
      condition: { op: "all", values: [], regexes: [], elemMatches: [entry] },
    };
    expect(translateFilter(node)).toEqual({ "value.a": { $all: [{ $elemMatch: { b: 1 } }] } });
  });

  it("$eq with a regular expression matches nothing, as parsed", () => {
    expect(translate({ a: { $eq: /x/ } })).toEqual({ "value.a": { $in: [] } });
    expect(translate({ a: { $elemMatch: { $eq: /x/, $in: [1] } } })).toEqual({
      "value.a": { $elemMatch: { $in: [] } },
    });
  });

  it("a $not whose conditions cannot share one object becomes a $nor", () => {
    expect(translate({ a: { $not: { $eq: /x/, $in: [1] } } })).toEqual({
      "value.a": { $not: { $in: [] } },
    });
    const node: FilterNode = {
      type: "field",
      field: { path: "value.a", segments: ["value", "a"] },
      condition: {
        op: "not",
        conditions: [
          { op: "gt", value: 1 },
          { op: "gt", value: 5 },
        ],
      },
    };
    expect(translateFilter(node)).toEqual({
      $nor: [{ "value.a": { $gt: 1 }, $and: [{ "value.a": { $gt: 5 } }] }],
    });
  });

  it("equality with a document holding $ fields compares literally with $eq", () => {
    const node: FilterNode = {
      type: "field",
      field: { path: "value.a", segments: ["value", "a"] },
      condition: { op: "eq", value: { $weird: 1 } },
    };
    expect(translateFilter(node)).toEqual({ "value.a": { $eq: { $weird: 1 } } });
  });

  it("metadata paths pass through as stored", () => {
    const node = parseFilter({ "metadata.source": "crawler", "metadata.rank": { $gte: 2 } });
    expect(translateFilter(node)).toEqual({
      "metadata.source": "crawler",
      "metadata.rank": { $gte: 2 },
    });
  });

  it("paths outside the record view see a missing value instead of the envelope's own fields", () => {
    expect(translateFilter(parseFilter({ createdAt: { $exists: false } }))).toEqual({});
    expect(translateFilter(parseFilter({ expiresAt: null }))).toEqual({});
    expect(translateFilter(parseFilter({ vector: { $size: 3 } }))).toEqual({ _id: { $in: [] } });
    expect(translateFilter(parseFilter({ updatedAt: { $gt: new Date(0) }, "value.a": 1 }))).toEqual(
      {
        _id: { $in: [] },
        "value.a": 1,
      },
    );
  });

  it("refuses shapes MongoDB cannot express (only hand-built ASTs reach them)", () => {
    const elementNode = (op: "gt", value: number): FilterNode => ({
      type: "field",
      field: { path: "", segments: [] },
      condition: { op, value },
    });
    expect(() =>
      translateElementConditions({
        type: "and",
        children: [elementNode("gt", 1), elementNode("gt", 2)],
      }),
    ).toThrow(UnsupportedOperatorError);
    expect(() => translateFilter(elementNode("gt", 1))).toThrow(UnsupportedOperatorError);
    expect(() => translateElementConditions(parseFilter({ a: 1 }))).toThrow(
      UnsupportedOperatorError,
    );
  });

  it("never lets a __proto__ path change a prototype", () => {
    const filter = JSON.parse('{"a": {"$elemMatch": {"__proto__": {"polluted": 1}, "b": 2}}}');
    const translated = translate(filter) as {
      "value.a": { $elemMatch: object };
    };
    const inner = translated["value.a"].$elemMatch;
    expect(Object.getPrototypeOf(inner)).toBe(Object.prototype);
    expect(Object.hasOwn(inner, "__proto__")).toBe(true);
    expect(({} as { polluted?: number }).polluted).toBeUndefined();
  });
});

describe("expiry guard", () => {
  it("keeps records without an expiry or expiring after now", () => {
    expect(expiryGuard(1000)).toEqual({
      $or: [{ expiresAt: null }, { expiresAt: { $gt: new Date(1000) } }],
    });
  });

  it("is the whole filter for match-all, and joins any other filter with $and", () => {
    expect(withExpiryGuard({}, 5)).toEqual(expiryGuard(5));
    expect(withExpiryGuard({ "value.a": 1 }, 5)).toEqual({
      $and: [{ "value.a": 1 }, expiryGuard(5)],
    });
  });
});
