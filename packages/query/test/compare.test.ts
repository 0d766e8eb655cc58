import { describe, expect, it } from "vitest";
import { bsonTypeOf, compareValues, valuesEqual } from "../src/index.js";

describe("bsonTypeOf", () => {
  it("applies the int/long/double number rule", () => {
    expect(bsonTypeOf(0)).toBe("int");
    expect(bsonTypeOf(-2147483648)).toBe("int");
    expect(bsonTypeOf(2147483647)).toBe("int");
    expect(bsonTypeOf(2147483648)).toBe("long");
    expect(bsonTypeOf(Number.MAX_SAFE_INTEGER)).toBe("long");
    expect(bsonTypeOf(2 ** 60)).toBe("double");
    expect(bsonTypeOf(1.5)).toBe("double");
    expect(bsonTypeOf(Number.NaN)).toBe("double");
  });

  it("names the other types", () => {
    expect(bsonTypeOf(null)).toBe("null");
    expect(bsonTypeOf("x")).toBe("string");
    expect(bsonTypeOf(true)).toBe("bool");
    expect(bsonTypeOf([])).toBe("array");
    expect(bsonTypeOf({})).toBe("object");
    expect(bsonTypeOf(new Date(0))).toBe("date");
    expect(bsonTypeOf(new Uint8Array(1))).toBe("binData");
  });
});

describe("compareValues", () => {
  it("orders type brackets as MongoDB does", () => {
    const ascending = [
      null,
      -5,
      3.5,
      "",
      "abc",
      {},
      { a: 1 },
      [],
      [1],
      new Uint8Array([9]),
      false,
      true,
      new Date(0),
    ];
    for (let i = 0; i < ascending.length; i++) {
      for (let j = 0; j < ascending.length; j++) {
        const sign = Math.sign(compareValues(ascending[i], ascending[j]));
        expect(sign, `${i} vs ${j}`).toBe(Math.sign(i - j));
      }
    }
  });

  it("treats missing as null and mixes number kinds", () => {
    expect(compareValues(undefined, null)).toBe(0);
    expect(compareValues(1, 1.0)).toBe(0);
    expect(compareValues(2 ** 40, 3)).toBeGreaterThan(0);
  });

  it("compares strings by code point, not UTF-16 unit", () => {
    // U+FF61 is below U+1F600 in code point order, though its UTF-16 unit is above 0xD83D.
    expect(compareValues("\uff61", "\u{1f600}")).toBeLessThan(0);
    expect(compareValues("a", "b")).toBeLessThan(0);
    expect(compareValues("ab", "a")).toBeGreaterThan(0);
  });

  it("compares objects by value bracket, then name, then value", () => {
    expect(compareValues({ a: 1 }, { b: 0 })).toBeLessThan(0);
    expect(compareValues({ b: 1 }, { a: "x" })).toBeLessThan(0);
    expect(compareValues({ a: 1 }, { a: 1, b: 1 })).toBeLessThan(0);
  });

  it("compares arrays element-wise and binary by length first", () => {
    expect(compareValues([1, 2], [1, 3])).toBeLessThan(0);
    expect(compareValues([2], [1, 3])).toBeGreaterThan(0);
    expect(compareValues(new Uint8Array([9]), new Uint8Array([0, 0]))).toBeLessThan(0);
    expect(compareValues(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBeLessThan(0);
  });
});

describe("valuesEqual", () => {
  it("is deep and order-sensitive for objects", () => {
    expect(valuesEqual({ a: 1, b: [1, { c: 2 }] }, { a: 1, b: [1, { c: 2 }] })).toBe(true);
    expect(valuesEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
    expect(valuesEqual([1, 2], [2, 1])).toBe(false);
  });

  it("compares dates by time, bytes by content, zeros and NaN as MongoDB", () => {
    expect(valuesEqual(new Date(5), new Date(5))).toBe(true);
    expect(valuesEqual(new Date(5), 5)).toBe(false);
    expect(valuesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(valuesEqual(new Uint8Array([1, 2]), [1, 2])).toBe(false);
    expect(valuesEqual(0, -0)).toBe(true);
    expect(valuesEqual(Number.NaN, Number.NaN)).toBe(true);
    expect(valuesEqual(null, undefined)).toBe(false);
  });
});
