import { ValidationError } from "@agentvault/core";
import { parseUpdate, type UpdateSpec } from "@agentvault/query";
import { Binary, Long } from "mongodb";
import { describe, expect, it } from "vitest";
import { translateUpdate } from "../src/mongodb-update-translator.js";

const now = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
const stamp = { updatedAt: new Date(now) };

function translate(update: unknown) {
  return translateUpdate({ value: parseUpdate(update) }, now);
}

describe("translateUpdate: one case per operator, on value. paths", () => {
  const cases: [string, unknown, unknown][] = [
    [
      "a merge patch becomes $set",
      { a: 1, b: "x" },
      { $set: { "value.a": 1, "value.b": "x", ...stamp } },
    ],
    ["$set of a nested path", { $set: { "p.q": [1] } }, { $set: { "value.p.q": [1], ...stamp } }],
    ["$unset", { $unset: { a: "" } }, { $unset: { "value.a": "" }, $set: stamp }],
    ["$inc", { $inc: { n: 2 } }, { $inc: { "value.n": 2 }, $set: stamp }],
    ["$inc by a fraction", { $inc: { n: -0.5 } }, { $inc: { "value.n": -0.5 }, $set: stamp }],
    ["$mul", { $mul: { n: 3 } }, { $mul: { "value.n": 3 }, $set: stamp }],
    ["$min", { $min: { n: 1 } }, { $min: { "value.n": 1 }, $set: stamp }],
    ["$max", { $max: { d: new Date(5) } }, { $max: { "value.d": new Date(5) }, $set: stamp }],
    [
      "$push of one value",
      { $push: { t: "x" } },
      { $push: { "value.t": { $each: ["x"] } }, $set: stamp },
    ],
    [
      "$push with $each, $position and $slice",
      { $push: { t: { $each: [1, 2], $position: 0, $slice: -3 } } },
      { $push: { "value.t": { $each: [1, 2], $position: 0, $slice: -3 } }, $set: stamp },
    ],
    [
      "$addToSet of one value",
      { $addToSet: { t: { a: 1 } } },
      { $addToSet: { "value.t": { $each: [{ a: 1 }] } }, $set: stamp },
    ],
    [
      "$addToSet with $each",
      { $addToSet: { t: { $each: ["a", "b"] } } },
      { $addToSet: { "value.t": { $each: ["a", "b"] } }, $set: stamp },
    ],
    [
      "$pull with a condition on the element itself",
      { $pull: { scores: { $gte: 6, $lt: 9 } } },
      { $pull: { "value.scores": { $gte: 6, $lt: 9 } }, $set: stamp },
    ],
    [
      "$pull with a condition on sub-documents",
      { $pull: { items: { sku: "a", qty: { $lt: 1 } } } },
      { $pull: { "value.items": { sku: "a", qty: { $lt: 1 } } }, $set: stamp },
    ],
    [
      "$pull with a regular expression",
      { $pull: { tags: { $regex: "^old" } } },
      { $pull: { "value.tags": { $regex: "^old", $options: "" } }, $set: stamp },
    ],
    [
      "$pull of a plain value compares exactly, as $pullAll",
      { $pull: { tags: "x" } },
      { $pullAll: { "value.tags": ["x"] }, $set: stamp },
    ],
    ["$pullAll", { $pullAll: { t: [1, [2]] } }, { $pullAll: { "value.t": [1, [2]] }, $set: stamp }],
    ["$rename", { $rename: { a: "b.c" } }, { $rename: { "value.a": "value.b.c" }, $set: stamp }],
    [
      "$currentDate",
      { $currentDate: { at: true } },
      { $currentDate: { "value.at": { $type: "date" } }, $set: stamp },
    ],
    [
      "$currentDate as a timestamp stores a date (the model has no BSON timestamp)",
      { $currentDate: { at: { $type: "timestamp" } } },
      { $currentDate: { "value.at": { $type: "date" } }, $set: stamp },
    ],
  ];
  for (const [title, update, expected] of cases) {
    it(title, () => {
      expect(translate(update)).toEqual(expected);
    });
  }
});

describe("translateUpdate: values and record fields", () => {
  it("groups several operators, each path once", () => {
    expect(translate({ $inc: { a: 1, b: 2 }, $set: { c: true }, $unset: { d: "" } })).toEqual({
      $inc: { "value.a": 1, "value.b": 2 },
      $set: { "value.c": true, ...stamp },
      $unset: { "value.d": "" },
    });
  });

  it("converts values with toBson (binary, long integers) and amounts beyond int32 to Long", () => {
    expect(translate({ $set: { raw: new Uint8Array([1]) }, $inc: { big: 2 ** 40 } })).toEqual({
      $set: { "value.raw": new Binary(new Uint8Array([1]), 0), ...stamp },
      $inc: { "value.big": Long.fromNumber(2 ** 40) },
    });
  });

  it("a replacement sets the whole value", () => {
    const spec: UpdateSpec = { kind: "replace", document: { a: 1, b: { c: [] } } };
    expect(translateUpdate({ value: spec }, now)).toEqual({
      $set: { value: { a: 1, b: { c: [] } }, ...stamp },
    });
  });

  it("metadata, expiry and vector changes are $set beside the value's operators", () => {
    expect(
      translateUpdate(
        {
          value: parseUpdate({ $inc: { n: 1 } }),
          metadata: { m: 2 },
          expiresAt: 99,
          vector: [0.5, 1],
        },
        now,
      ),
    ).toEqual({
      $inc: { "value.n": 1 },
      $set: { metadata: { m: 2 }, expiresAt: new Date(99), vector: [0.5, 1], ...stamp },
    });
    expect(translateUpdate({ expiresAt: null, vector: null }, now)).toEqual({
      $set: { expiresAt: null, vector: null, ...stamp },
    });
  });

  it("a __proto__ field in a patch stays a field", () => {
    const update = translate(JSON.parse('{"__proto__": {"x": 1}}')) as { $set: object };
    expect(Object.hasOwn(update.$set, "value.__proto__")).toBe(true);
    const nested = translate(JSON.parse('{"$set": {"a": {"__proto__": {"x": 1}}}}')) as {
      $set: { "value.a": object };
    };
    expect(Object.hasOwn(nested.$set["value.a"], "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(nested.$set["value.a"])).toBe(Object.prototype);
  });

  it("refuses malformed record changes with ValidationError", () => {
    expect(() => translateUpdate({ expiresAt: Number.NaN }, now)).toThrow(ValidationError);
    expect(() => translateUpdate({ vector: [] }, now)).toThrow(ValidationError);
    expect(() => translateUpdate({ vector: [1, Number.POSITIVE_INFINITY] }, now)).toThrow(
      ValidationError,
    );
    expect(() => translateUpdate({ metadata: [] as never }, now)).toThrow(ValidationError);
    expect(() => translate({ $set: { s: "lone \ud800" } })).toThrow(ValidationError);
  });
});
