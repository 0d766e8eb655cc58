import { generateDocuments, randomFilter } from "@agentvault/conformance";
import { encodeValue, recordView, toRecordFilter } from "@agentvault/core";
import { compilePredicate, type FilterNode, parseFilter } from "@agentvault/query";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileFilterToQdrant, payloadKeys } from "../src/qdrant-filter-compiler.js";
import { readFilter } from "../src/qdrant-query-filter.js";
import { evaluate } from "./qdrant-filter-model.js";

/** A user filter as the Vault passes it on: parsed and rooted in the record view. */
function recordFilter(filter: object): FilterNode {
  return toRecordFilter(parseFilter(filter));
}

function compile(filter: object) {
  return compileFilterToQdrant(recordFilter(filter));
}

describe("compileFilterToQdrant", () => {
  it("compiles equality, membership and ranges on document fields natively and exactly", () => {
    expect(compile({ city: "Oslo" })).toEqual({
      filter: { must: [{ key: "value.city", match: { value: "Oslo" } }] },
      exact: true,
    });
    expect(compile({ n: { $in: [1, 2, "x"] } })).toEqual({
      filter: {
        should: [
          { key: "value.n", match: { any: ["x"] } },
          { key: "value.n", match: { any: [1, 2] } },
        ],
      },
      exact: true,
    });
    expect(compile({ price: { $gte: 2.5, $lt: 10 } })).toEqual({
      filter: {
        must: [
          { key: "value.price", range: { gte: 2.5 } },
          { key: "value.price", range: { lt: 10 } },
        ],
      },
      exact: true,
    });
    expect(compile({ ratio: 0.5 }).filter).toEqual({
      must: [{ key: "value.ratio", range: { gte: 0.5, lte: 0.5 } }],
    });
  });

  it("negations compile to must_not only over exact conditions", () => {
    expect(compile({ status: { $ne: "done" } })).toEqual({
      filter: { must_not: [{ key: "value.status", match: { value: "done" } }] },
      exact: true,
    });
    expect(compile({ $nor: [{ a: 1 }, { b: true }] })).toEqual({
      filter: {
        must_not: [
          { key: "value.a", match: { value: 1 } },
          { key: "value.b", match: { value: true } },
        ],
      },
      exact: true,
    });
    // The negation of a superset would drop real matches: left to the re-check instead.
    expect(compile({ a: { $ne: null } })).toEqual({ filter: undefined, exact: false });
    expect(compile({ s: { $not: { $regex: "^a" } } })).toEqual({ filter: undefined, exact: false });
    expect(compile({ tags: { $nin: ["x", /y/] } })).toEqual({ filter: undefined, exact: false });
  });

  it("null, $exists, $size and $elemMatch narrow natively and are re-checked", () => {
    expect(compile({ a: null })).toEqual({
      filter: {
        should: [{ is_null: { key: "value.a" } }, { is_empty: { key: "value.a" } }],
      },
      exact: false,
    });
    expect(compile({ a: { $exists: false } })).toEqual({
      filter: { must: [{ is_empty: { key: "value.a" } }] },
      exact: false,
    });
    expect(compile({ a: { $exists: true } })).toEqual({ filter: undefined, exact: false });
    expect(compile({ tags: { $size: 2 } })).toEqual({
      filter: { must: [{ key: "value.tags", values_count: { gte: 2, lte: 2 } }] },
      exact: false,
    });
    expect(compile({ items: { $elemMatch: { sku: "a", qty: { $gt: 2 } } } })).toEqual({
      filter: {
        must: [
          {
            nested: {
              key: "value.items",
              filter: {
                must: [
                  { key: "sku", match: { value: "a" } },
                  { key: "qty", range: { gt: 2 } },
                ],
              },
            },
          },
        ],
      },
      exact: false,
    });
  });

  it("deeper paths are asked on every array projection and re-checked", () => {
    expect(payloadKeys(["value", "o", "x"])).toEqual({
      keys: ["value.o.x", "value.o[].x"],
      exact: false,
    });
    expect(payloadKeys(["metadata", "source"])).toEqual({ keys: ["metadata.source"], exact: true });
    expect(payloadKeys(["_id"])).toEqual({ keys: ["_id"], exact: true });
    expect(payloadKeys(["value", "items", "0", "k"])).toBeUndefined();
    expect(payloadKeys(["value", "a b"])).toBeUndefined();
    expect(payloadKeys(["value", "a", "b", "c", "d", "e"])).toBeUndefined();
  });

  it("operators without a native form ($regex, $type, $mod, dates, objects) leave a re-check", () => {
    for (const filter of [
      { s: { $regex: "^a" } },
      { a: { $type: "string" } },
      { n: { $mod: [2, 0] } },
      { at: { $gt: new Date(0) } },
      { o: { x: 1 } },
      { $or: [{ a: 1 }, { s: /b/ }] },
      { tags: { $all: [] } },
      { n: { $in: [] } },
    ]) {
      expect(compile(filter).exact).toBe(false);
    }
    expect(compile({}).filter).toBeUndefined();
    expect(compile({}).exact).toBe(true);
  });

  it("keys go by _id, and metadata paths stay single projections", () => {
    expect(compileFilterToQdrant(parseFilter({ _id: "k1", "metadata.source": "web" }))).toEqual({
      filter: {
        must: [
          { key: "_id", match: { value: "k1" } },
          { key: "metadata.source", match: { value: "web" } },
        ],
      },
      exact: true,
    });
  });
});

describe("compiled filters against a model of Qdrant's evaluation", () => {
  const documents = generateDocuments(60, 7);
  const payloads = documents.map((document) => {
    const { _id, ...value } = document;
    return { _id, value: encodeValue(value), _av: { document: true } };
  });
  const views = documents.map((document) => {
    const { _id, ...value } = document;
    return recordView({ key: _id as string, value });
  });

  it("exact filters select exactly the matching documents; inexact ones a superset", () => {
    let exactCount = 0;
    fc.assert(
      fc.property(randomFilter, (raw) => {
        const node = recordFilter(raw);
        const compiled = compileFilterToQdrant(node);
        const predicate = compilePredicate(node);
        if (compiled.exact) exactCount += 1;
        documents.forEach((_, index) => {
          const expected = predicate(views[index]!);
          const selected =
            compiled.filter === undefined || evaluate(compiled.filter, payloads[index]);
          if (compiled.exact) expect(selected).toBe(expected);
          else if (expected) expect(selected).toBe(true);
        });
      }),
      { numRuns: 400, seed: 11 },
    );
    // The property must exercise the exact path, not only the fallback.
    expect(exactCount).toBeGreaterThan(40);
  });

  it("the read filter keeps non-document values and drops expired records", () => {
    const node = recordFilter({ a: 1 });
    const read = readFilter(node, 1_000);
    const live = { _id: "x", value: encodeValue({ a: 1 }), _av: { document: true } };
    const expired = { ...live, _av: { document: true, expiresAt: 1_000 } };
    const array = { _id: "y", value: [{ a: 1 }], _av: { document: false } };
    expect(evaluate(read.filter, live)).toBe(true);
    expect(evaluate(read.filter, expired)).toBe(false);
    expect(evaluate(read.filter, array)).toBe(true);
    expect(read.matches({ key: "y", value: [{ a: 2 }] })).toBe(false);
    expect(read.matches({ key: "x", value: { a: 1 } })).toBe(true);
  });
});
