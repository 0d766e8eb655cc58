import { describe, expect, it } from "vitest";
import {
  applyProjection,
  FilterValidationError,
  parseProjection,
  UnsupportedOperatorError,
} from "../src/index.js";

const product = {
  _id: "p1",
  name: "pen",
  price: { amount: 2, currency: "EUR" },
  tags: ["blue", "cheap"],
  variants: [{ sku: "a", size: 1 }, { sku: "b", size: 2 }, "legacy", [{ sku: "c", size: 3 }]],
};

function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

describe("parseProjection", () => {
  it("reads inclusion, exclusion and array forms", () => {
    expect(parseProjection({ name: 1, "price.amount": true })).toEqual({
      mode: "include",
      fields: [
        { path: "name", segments: ["name"] },
        { path: "price.amount", segments: ["price", "amount"] },
      ],
      includeId: true,
    });
    expect(parseProjection({ tags: 0, _id: false })).toMatchObject({
      mode: "exclude",
      includeId: false,
    });
    expect(parseProjection(["name", "tags"])).toMatchObject({ mode: "include" });
    expect(parseProjection({})).toEqual({ mode: "exclude", fields: [], includeId: true });
  });

  it("allows excluding _id in an inclusion projection", () => {
    expect(parseProjection({ name: 1, _id: 0 })).toMatchObject({
      mode: "include",
      includeId: false,
    });
  });

  it.each([
    [{ name: 1, tags: 0 }, "tags"],
    [{ a: 1, "a.b": 1 }, "a.b"],
    [{ "a.b": 0, a: 0 }, "a"],
    [{ name: 2 }, "name"],
    [{ "a..b": 1 }, "a..b"],
    [["a", 3], "1"],
    ["name", ""],
  ])("rejects %j at path %j", (input, path) => {
    const error = catchError(() => parseProjection(input));
    expect(FilterValidationError.isInstance(error)).toBe(true);
    expect((error as FilterValidationError).path).toBe(path);
  });

  it.each([
    [{ tags: { $slice: 1 } }, "$slice"],
    [{ variants: { $elemMatch: { size: 1 } } }, "$elemMatch"],
    [{ "variants.$": 1 }, "$"],
    [{ score: { $meta: "textScore" } }, "$meta"],
  ])("rejects the projection operator in %j as unsupported", (input, operator) => {
    const error = catchError(() => parseProjection(input));
    expect(UnsupportedOperatorError.isInstance(error)).toBe(true);
    expect((error as UnsupportedOperatorError).operator).toBe(operator);
    expect((error as Error).message).toMatch(/not supported/);
  });
});

describe("applyProjection", () => {
  it("keeps only included fields, with _id, in document order", () => {
    const result = applyProjection(product, parseProjection({ tags: 1, name: 1 }));
    expect(result).toEqual({ _id: "p1", name: "pen", tags: ["blue", "cheap"] });
    expect(Object.keys(result)).toEqual(["_id", "name", "tags"]);
  });

  it("drops _id when asked, in both modes", () => {
    expect(applyProjection(product, parseProjection({ name: 1, _id: 0 }))).toEqual({ name: "pen" });
    expect(Object.keys(applyProjection(product, parseProjection({ _id: 0 })))).toEqual([
      "name",
      "price",
      "tags",
      "variants",
    ]);
    expect(applyProjection(product, parseProjection({ _id: 1 }))).toEqual({ _id: "p1" });
  });

  it("includes dot paths in sub-documents and through arrays of sub-documents", () => {
    expect(applyProjection(product, parseProjection(["price.amount", "variants.sku"]))).toEqual({
      _id: "p1",
      price: { amount: 2 },
      variants: [{ sku: "a" }, { sku: "b" }, [{ sku: "c" }]],
    });
  });

  it("excludes dot paths in sub-documents and through arrays, keeping scalars", () => {
    expect(applyProjection(product, parseProjection({ "variants.size": 0, price: 0 }))).toEqual({
      _id: "p1",
      name: "pen",
      tags: ["blue", "cheap"],
      variants: [{ sku: "a" }, { sku: "b" }, "legacy", [{ sku: "c" }]],
    });
  });

  it("omits a parent that is a scalar and keeps an empty parent sub-document", () => {
    const document = { _id: 1, a: 5, b: { c: 1 } };
    expect(applyProjection(document, parseProjection({ "a.x": 1, "b.x": 1 }))).toEqual({
      _id: 1,
      b: {},
    });
  });

  it("reads a numeric segment as a field name, as MongoDB's find projection does", () => {
    expect(
      applyProjection({ a: [1, 2], b: { "0": "x" } }, parseProjection(["a.0", "b.0"])),
    ).toEqual({ a: [], b: { "0": "x" } });
  });

  it("returns a new object sharing nothing with the input", () => {
    const document = structuredClone(product);
    const result = applyProjection(document, parseProjection({ price: 1, variants: 1 }));
    (result.price as { amount: number }).amount = 99;
    (result.variants as unknown[]).pop();
    expect(document).toEqual(product);
  });

  it("handles fields named like prototype properties as plain data", () => {
    const document = JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1, "x": 2}');
    const included = applyProjection(document, parseProjection(["__proto__", "constructor"]));
    expect(Object.getPrototypeOf(included)).toBe(Object.prototype);
    expect(Object.keys(included)).toEqual(["__proto__", "constructor"]);
    const excluded = applyProjection(document, parseProjection({ x: 0 }));
    expect(Object.getPrototypeOf(excluded)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const inherited = applyProjection({ a: 1 }, parseProjection(["constructor", "toString"]));
    expect(inherited).toEqual({});
  });
});
