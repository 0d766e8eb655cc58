import { describe, expect, it } from "vitest";
import {
  decodeRecord,
  decodeValue,
  encodeRecord,
  encodeValue,
  parseValue,
  stringifyValue,
  ValidationError,
} from "../src/index.js";

describe("codec", () => {
  it("tags dates as ISO strings and binary as base64", () => {
    const encoded = encodeValue({
      at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)),
      bytes: new Uint8Array([0, 1, 254, 255]),
    });
    expect(encoded).toEqual({
      at: { $date: "2024-01-02T03:04:05.678Z" },
      bytes: { $binary: "AAH+/w==" },
    });
  });

  it("round-trips dates to the millisecond, including years 0 and 9999", () => {
    const dates = [
      new Date("0000-01-01T00:00:00.000Z"),
      new Date("9999-12-31T23:59:59.999Z"),
      new Date(-1),
      new Date(1_700_000_000_123),
      new Date("+010000-01-01T00:00:00.000Z"),
    ];
    const decoded = parseValue(stringifyValue(dates)) as Date[];
    expect(decoded.map((date) => date.getTime())).toEqual(dates.map((date) => date.getTime()));
    expect(decoded.every((date) => date instanceof Date)).toBe(true);
  });

  it("keeps lexicographic order of encoded dates between years 0 and 9999", () => {
    const times = [
      Date.parse("0000-01-01T00:00:00.000Z"),
      Date.parse("0999-06-01T00:00:00.000Z"),
      Date.parse("1969-12-31T23:59:59.999Z"),
      0,
      Date.parse("9999-12-31T23:59:59.999Z"),
    ];
    const texts = times.map((time) => (encodeValue(new Date(time)) as { $date: string }).$date);
    expect([...texts].sort()).toEqual(texts);
  });

  it("round-trips binary as plain Uint8Array, also from a pooled Buffer", () => {
    const pooled = Buffer.from("hello");
    const decoded = parseValue(stringifyValue({ b: pooled, empty: new Uint8Array() })) as {
      b: Uint8Array;
      empty: Uint8Array;
    };
    expect(decoded.b).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(decoded.b)).toBe(false);
    expect(Array.from(decoded.b)).toEqual(Array.from(pooled));
    expect(decoded.empty.byteLength).toBe(0);
    expect(decoded.b.buffer.byteLength).toBe(5);
  });

  it("round-trips unicode and a 1 MB string unchanged", () => {
    const value = {
      text: 'héllo 世界 🎉 \u2028 \u0000 "quoted" \\',
      big: "x".repeat(1024 * 1024),
      nested: [{ a: [1, 2.5, -0.125, null, true] }],
    };
    expect(parseValue(stringifyValue(value))).toEqual(value);
  });

  it("keeps strings that look like tags as strings", () => {
    const value = { note: '{"$date":"2020-01-01T00:00:00.000Z"}', list: ["$binary", '"$'] };
    expect(parseValue(stringifyValue(value))).toEqual(value);
    expect(decodeRecord(encodeRecord({ key: "k", value }))).toEqual({ key: "k", value });
  });

  it("does not copy values without dates or binary", () => {
    const value = { a: { b: [1, 2, { c: "d" }] } };
    expect(encodeValue(value)).toBe(value);
    expect(decodeValue(value)).toBe(value);
  });

  it("never lets __proto__ change a prototype", () => {
    const decoded = parseValue(
      '{"__proto__":{"polluted":true},"at":{"$date":"2020-01-01T00:00:00.000Z"}}',
    ) as {
      [field: string]: unknown;
    };
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.hasOwn(decoded, "__proto__")).toBe(true);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect((decoded as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it("encodes own fields only, tagging dates in an own __proto__ field", () => {
    const value = Object.create({ inherited: new Date(0) }) as { [field: string]: unknown };
    value.own = new Date(1);
    Object.defineProperty(value, "__proto__", {
      value: { at: new Date(2) },
      enumerable: true,
      configurable: true,
      writable: true,
    });
    const encoded = encodeValue(value as never) as { [field: string]: unknown };
    expect(Object.keys(encoded)).toEqual(["own", "__proto__"]);
    expect(Object.getPrototypeOf(encoded)).toBe(Object.prototype);
    expect(encoded.own).toEqual({ $date: "1970-01-01T00:00:00.001Z" });
    expect(Object.getOwnPropertyDescriptor(encoded, "__proto__")?.value).toEqual({
      at: { $date: "1970-01-01T00:00:00.002Z" },
    });
    expect(stringifyValue(value as never)).toBe(
      '{"own":{"$date":"1970-01-01T00:00:00.001Z"},"__proto__":{"at":{"$date":"1970-01-01T00:00:00.002Z"}}}',
    );
  });

  it("rejects malformed tags", () => {
    expect(() => decodeValue({ $date: "not a date" })).toThrow(ValidationError);
    expect(() => decodeValue({ $binary: "%%%%" })).toThrow(ValidationError);
    expect(() => encodeValue(new Date(Number.NaN))).toThrow(ValidationError);
    expect(() => parseValue("{")).toThrow(ValidationError);
  });

  it("round-trips whole records", () => {
    const record = {
      key: "a/b ../c",
      value: { at: new Date(5), list: [new Uint8Array([9])] },
      metadata: { source: "test", when: new Date(7) },
      expiresAt: 1000,
      vector: [0.5, -1],
      createdAt: 1,
      updatedAt: 2,
    };
    expect(decodeRecord(encodeRecord(record))).toEqual(record);
    const minimal = decodeRecord(encodeRecord({ key: "k", value: 3 }));
    expect(minimal.key).toBe("k");
    expect(minimal.value).toBe(3);
    expect(minimal.expiresAt).toBeUndefined();
    expect(() => decodeRecord('{"v":1}')).toThrow(ValidationError);
    expect(() => decodeRecord('{"k":"x","v":1,"e":"soon"}')).toThrow(ValidationError);
  });

  it("decodes tags wherever they come, also after plain dollar signs in text", () => {
    const at = new Date(Date.UTC(2024, 0, 2));
    const value = { price: "$5", note: "a$b", at, list: ["$", "$$"] };
    expect(parseValue(stringifyValue(value))).toEqual(value);
    expect(parseValue('{"a":"$","b":{"$date":"2024-01-02T00:00:00.000Z"}}')).toEqual({
      a: "$",
      b: at,
    });
    expect(decodeRecord('{"k":"x","v":{"$binary":"AAE="}}').value).toEqual(new Uint8Array([0, 1]));
    expect(parseValue('{"plain":"no dollar"}')).toEqual({ plain: "no dollar" });
  });
});
