import { IntegrityError, ValidationError } from "@agentvault/core";
import { bsonTypeOf, type Value } from "@agentvault/query";
import { Binary, BSON, Decimal128, Long, ObjectId, Timestamp } from "mongodb";
import { describe, expect, it } from "vitest";
import { fromBson, toBson } from "../src/mongodb-bson.js";

/** Writes a value as BSON bytes and reads it back the way the driver does for query results. */
function throughBytes(value: Value): unknown {
  const bytes = BSON.serialize({ v: toBson(value) as never });
  return BSON.deserialize(bytes).v;
}

/** The BSON type MongoDB stores for a value (read back without promotion). */
function storedType(value: Value): string {
  const bytes = BSON.serialize({ v: toBson(value) as never });
  const raw = BSON.deserialize(bytes, { promoteValues: false }).v as { _bsontype?: string };
  return raw._bsontype ?? typeof raw;
}

const samples: [string, Value][] = [
  ["null", null],
  ["true", true],
  ["a string with unicode and NUL", "héllo 日本 🙂 \u0000 end"],
  ["an empty string", ""],
  ["a date with milliseconds", new Date("2024-02-29T12:34:56.789Z")],
  ["a date before 1970", new Date("1969-07-20T20:17:40.123Z")],
  ["year 0", new Date("0000-01-01T00:00:00.000Z")],
  ["year 9999", new Date("9999-12-31T23:59:59.999Z")],
  ["binary with a NUL", new Uint8Array([104, 105, 0])],
  ["empty binary", new Uint8Array([])],
  ["nested arrays and documents", { a: [1, [2, { b: "c" }], { d: null }], e: { f: { g: [] } } }],
  ["a __proto__ field", JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Value],
  ["tag-looking fields", { date: "2020-01-01", binary: "AAE=" }],
  ["numbers of every kind", [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 53 - 1, 1.5, 1 / 3]],
];

describe("toBson / fromBson", () => {
  for (const [title, value] of samples) {
    it(`${title} round-trips through BSON bytes`, () => {
      const back = fromBson(throughBytes(value));
      expect(back).toEqual(value);
    });
  }

  it("binary becomes BSON binary subtype 0 and comes back as a plain, unshared Uint8Array", () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const bson = toBson(bytes) as Binary;
    expect(bson).toBeInstanceOf(Binary);
    expect(bson.sub_type).toBe(0);
    bytes[0] = 99;
    expect([...bson.value()]).toEqual([1, 2, 3]);
    const back = fromBson(throughBytes(new Uint8Array([7, 8])));
    expect(back).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(back)).toBe(false);
    expect([...(back as Uint8Array)]).toEqual([7, 8]);
  });

  it("any binary subtype reads back as bytes", () => {
    const uuid = new Binary(new Uint8Array(16).fill(5), 4);
    expect([...(fromBson(uuid) as Uint8Array)]).toEqual(new Array(16).fill(5));
  });

  it("stores each number with the BSON type bsonTypeOf reports, so $type agrees", () => {
    const numbers = [
      0,
      1,
      -1,
      42,
      2 ** 31 - 1,
      -(2 ** 31),
      2 ** 31,
      -(2 ** 31) - 1,
      2 ** 40,
      2 ** 53 - 1,
      -(2 ** 53) + 1,
      2 ** 53,
      2 ** 60,
      1.5,
      -2.25,
      1 / 3,
      1e300,
      Number.MIN_VALUE,
    ];
    const bsonNames: Record<string, string> = { Int32: "int", Long: "long", Double: "double" };
    for (const number of numbers) {
      expect(bsonNames[storedType(number)], String(number)).toBe(bsonTypeOf(number));
    }
  });

  it("writes negative zero as zero, an int, as bsonTypeOf classifies it", () => {
    expect(Object.is(toBson(-0), 0)).toBe(true);
    expect(storedType(-0)).toBe("Int32");
  });

  it("keeps values exact: large integers come back as the same numbers", () => {
    for (const number of [2 ** 31, 2 ** 53 - 1, -(2 ** 53) + 1, 2 ** 60]) {
      expect(fromBson(throughBytes(number))).toBe(number);
    }
    expect(fromBson(Long.fromNumber(2 ** 40))).toBe(2 ** 40);
  });

  it("never lets a __proto__ field change a prototype, in either direction", () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}}') as Value;
    const bson = toBson(value) as object;
    expect(Object.getPrototypeOf(bson)).toBe(Object.prototype);
    expect(Object.hasOwn(bson, "__proto__")).toBe(true);
    const back = fromBson(throughBytes({ nested: value, bin: new Uint8Array([1]) })) as {
      nested: object;
    };
    expect(Object.getPrototypeOf(back.nested)).toBe(Object.prototype);
    expect(Object.hasOwn(back.nested, "__proto__")).toBe(true);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it("copies nothing it does not have to when reading plain data", () => {
    const document = { a: [1, "x", { b: true }] };
    expect(fromBson(document)).toBe(document);
  });

  it("refuses values outside the model with ValidationError and the path", () => {
    const cases: [unknown, string][] = [
      [{ a: { b: () => 1 } }, "a.b"],
      [{ list: [1, undefined] }, "list.1"],
      [{ when: new Date(Number.NaN) }, "when"],
      [{ big: 10n }, "big"],
      [{ map: new Map() }, "map"],
      [{ text: "lone \ud800 surrogate" }, "text"],
      [{ "bad\udc00key": 1 }, ""],
      [{ inner: { _bsontype: "ObjectId" } }, "inner._bsontype"],
    ];
    for (const [value, path] of cases) {
      let caught: unknown;
      try {
        toBson(value as Value);
      } catch (error) {
        caught = error;
      }
      expect(caught, JSON.stringify(path)).toBeInstanceOf(ValidationError);
      expect((caught as ValidationError).path).toBe(path);
    }
  });

  it("reads foreign BSON types as IntegrityError instead of guessing", () => {
    for (const foreign of [
      new ObjectId(),
      Decimal128.fromString("1.5"),
      new Timestamp({ t: 1, i: 1 }),
      /regex/,
    ]) {
      expect(() => fromBson({ nested: [foreign] })).toThrow(IntegrityError);
    }
  });

  it("a stored field named _bsontype that is not a BSON object reads as data", () => {
    expect(fromBson({ _bsontype: "Long", low: 1 })).toEqual({ _bsontype: "Long", low: 1 });
  });
});
