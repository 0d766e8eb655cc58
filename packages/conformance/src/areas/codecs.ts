/**
 * Values round-trip exactly: dates to the millisecond across the whole year range, binary
 * (empty, zero bytes, every byte value), unicode, deep nesting, large strings, numbers at their
 * limits, metadata and vectors. Prototype-named fields stay plain data.
 */

import type { Value } from "@agentvault/query";
import type { AreaContext } from "../area-context.js";

const allBytes = Uint8Array.from({ length: 256 }, (_, index) => index);

/** Named values that must come back unchanged. */
const roundTripValues: readonly [string, Value][] = [
  ["a date with milliseconds", new Date("2024-02-29T12:34:56.789Z")],
  ["the epoch", new Date(0)],
  ["a date before 1970", new Date("1969-07-20T20:17:40.123Z")],
  ["year 0", new Date("0000-01-01T00:00:00.000Z")],
  ["the end of year 9999", new Date("9999-12-31T23:59:59.999Z")],
  ["empty binary", new Uint8Array(0)],
  ["binary of zero bytes", new Uint8Array([0, 0, 0])],
  ["every byte value", allBytes],
  ["a NUL character in a string", "before\u0000after"],
  ["combining marks and RTL text", "e\u0301 שלום مرحبا"],
  ["astral and joined emoji", "😀 👨‍👩‍👧 🏳️‍🌈 𝄞"],
  ["line and paragraph separators", "a\u2028b\u2029c"],
  ["escapes-looking text", '\\u0000 \\n "quoted" \'single\' {"$date":"x"}'],
  ["an empty string", ""],
  ["the largest safe integer", Number.MAX_SAFE_INTEGER],
  ["the smallest safe integer", Number.MIN_SAFE_INTEGER],
  ["a float that is not exact in binary", 0.1],
  ["the largest double", Number.MAX_VALUE],
  ["the smallest positive double", Number.MIN_VALUE],
  ["a tiny negative float", -1e-300],
  ["a large integer-valued float", 1e21],
  ["booleans and null", [true, false, null]],
  ["empty containers", { list: [], object: {} }],
  ["nested arrays", [[1, [2, [3, []]]], [], [[]]]],
  ["objects in arrays in objects", { a: [{ b: [{ c: { d: [1, "two", null] } }] }] }],
  ["dates and binary deep inside", { at: [{ when: new Date(1) }], raw: [new Uint8Array([7])] }],
  ["a document-looking object with tag-like fields", { date: "2020-01-01", binary: "AAE=" }],
  ["unicode field names", { clé: 1, 名前: 2, "emoji 😀": 3, "with space": 4 }],
];

function nested(depth: number): Value {
  let value: Value = { leaf: true };
  for (let level = 0; level < depth; level++) value = { level, child: value };
  return value;
}

/** Registers the codec tests. */
export function codecsTests(context: AreaContext): void {
  const { it, expect } = context.runner;

  for (const [title, value] of roundTripValues) {
    it(`round-trips ${title}`, async () => {
      const vault = context.vault();
      const collection = context.collectionName("values");
      await vault.store(collection, { value, list: [value] }, { key: "k" });
      const stored = await vault.retrieve(collection, "k");
      expect(stored).toEqual({ _id: "k", value, list: [value] });
      const [queried] = await vault.query(collection, {});
      expect(queried).toEqual({ _id: "k", value, list: [value] });
    });
  }

  it("dates come back as Date instances and binary as Uint8Array", async () => {
    const vault = context.vault();
    const collection = context.collectionName("types");
    await vault.store(
      collection,
      { at: new Date(1234), raw: new Uint8Array([1, 2]) },
      { key: "k" },
    );
    const stored = await vault.retrieve(collection, "k");
    expect(stored?.at).toBeInstanceOf(Date);
    expect((stored!.at as Date).getTime()).toBe(1234);
    expect(stored?.raw).toBeInstanceOf(Uint8Array);
    expect(Array.from(stored!.raw as Uint8Array)).toEqual([1, 2]);
  });

  it("a Node Buffer is stored as its bytes", async () => {
    const vault = context.vault();
    const collection = context.collectionName("buffer");
    await vault.store(collection, { raw: Buffer.from("hi\u0000") }, { key: "k" });
    const stored = await vault.retrieve(collection, "k");
    expect(stored?.raw).toBeInstanceOf(Uint8Array);
    expect(Array.from(stored!.raw as Uint8Array)).toEqual([104, 105, 0]);
  });

  it("negative zero comes back as a number equal to zero (its sign may be lost, as in JSON)", async () => {
    const vault = context.vault();
    const collection = context.collectionName("negative_zero");
    await vault.store(collection, { z: -0 }, { key: "k" });
    const stored = await vault.retrieve(collection, "k");
    expect(typeof stored?.z).toBe("number");
    expect(stored?.z === 0).toBe(true);
    expect(await vault.count(collection, { z: 0 })).toBe(1);
  });

  it("integers and floats keep their exact values", async () => {
    const vault = context.vault();
    const collection = context.collectionName("numbers");
    const numbers = [
      0,
      1,
      -1,
      2 ** 31,
      -(2 ** 31) - 1,
      2 ** 53 - 1,
      1.5,
      -2.25,
      1 / 3,
      123456.789e-5,
    ];
    await vault.store(collection, { numbers }, { key: "k" });
    const stored = (await vault.retrieve(collection, "k"))?.numbers as number[];
    expect(stored).toEqual(numbers);
    for (const [index, number] of numbers.entries())
      expect(Object.is(stored[index], number)).toBe(true);
  });

  it("a 100-level nested document round-trips", async () => {
    const vault = context.vault();
    const collection = context.collectionName("deep");
    const value = nested(98);
    await vault.store(collection, { value }, { key: "k" });
    expect(await vault.retrieve(collection, "k")).toEqual({ _id: "k", value });
  });

  it("a 1 MB string round-trips and its document stays queryable", async (test) => {
    if (context.limits.maxValueBytes < 1_100_000) {
      return test.skip(`limits.maxValueBytes is ${context.limits.maxValueBytes}`);
    }
    const vault = context.vault();
    const collection = context.collectionName("large");
    const chunk = "0123456789abcdefé😀";
    const big = chunk.repeat(Math.ceil(1_048_576 / chunk.length)).slice(0, 1_048_576);
    await vault.store(collection, { big, tag: "large" }, { key: "k" });
    await vault.store(collection, { tag: "small" }, { key: "other" });
    const stored = (await vault.retrieve(collection, "k"))?.big as string;
    expect(stored.length).toBe(big.length);
    expect(stored === big).toBe(true);
    const [found] = await vault.query(collection, { tag: "large" });
    expect(found?.big === big).toBe(true);
  }, 60_000);

  it("metadata and vectors round-trip through the record envelope", async () => {
    const vault = context.vault();
    const collection = context.collectionName("envelope");
    const metadata = {
      owner: "agent-7",
      at: new Date("2025-01-02T03:04:05.006Z"),
      raw: new Uint8Array([0, 9]),
      nested: { tags: ["a", "ü"], n: 1.25 },
    };
    const vector = [0.1, -0.2, 3e-8, 1];
    await vault.store(collection, { a: 1 }, { key: "k", metadata, vector });
    const record = await context.provider().get(collection, "k");
    expect(record?.value).toEqual({ a: 1 });
    expect(record?.metadata).toEqual(metadata);
    expect(record?.vector).toEqual(vector);
  });

  it("undefined fields are dropped, as JSON drops them", async () => {
    const vault = context.vault();
    const collection = context.collectionName("undefined");
    await vault.store(
      collection,
      { a: 1, gone: undefined, nested: { b: undefined, c: 2 } },
      { key: "k" },
    );
    const stored = await vault.retrieve(collection, "k");
    expect(stored).toEqual({ _id: "k", a: 1, nested: { c: 2 } });
    expect(Object.keys(stored!).sort()).toEqual(["_id", "a", "nested"]);
  });

  it("__proto__ and constructor fields stay plain data and never change a prototype", async () => {
    const vault = context.vault();
    const collection = context.collectionName("proto_fields");
    const hostile = JSON.parse(
      '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "a": {"__proto__": {"x": 1}}}',
    ) as { [field: string]: Value };
    await vault.store(collection, hostile, { key: "k" });
    const stored = (await vault.retrieve(collection, "k")) as { [field: string]: unknown };
    expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(stored, "__proto__")?.value).toEqual({ polluted: true });
    expect(stored.constructor).toEqual({ prototype: { polluted: true } });
    const inner = stored.a as object;
    expect(Object.getPrototypeOf(inner)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(inner, "__proto__")?.value).toEqual({ x: 1 });
    expect(await vault.count(collection, { "__proto__.polluted": true })).toBe(1);
    await vault.update(collection, "k", { $set: { "__proto__.again": true } });
    await vault.updateMany(collection, {}, { $set: { "constructor.prototype.again": true } });
    const updated = (await vault.retrieve(collection, "k")) as { [field: string]: unknown };
    expect(Object.getOwnPropertyDescriptor(updated, "__proto__")?.value).toEqual({
      polluted: true,
      again: true,
    });
    expect(({} as { polluted?: unknown; again?: unknown }).polluted).toBeUndefined();
    expect(({} as { polluted?: unknown; again?: unknown }).again).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
  });
}
