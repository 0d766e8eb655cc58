import { describe, expect, it } from "vitest";
import { FilterValidationError, parseUpdate } from "../src/index.js";

function rejection(input: unknown): FilterValidationError {
  try {
    parseUpdate(input);
  } catch (error) {
    if (FilterValidationError.isInstance(error)) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

describe("parseUpdate", () => {
  it("reads a plain object as one $set per top-level field", () => {
    const spec = parseUpdate({ status: "done", count: 2 });
    expect(spec).toEqual({
      kind: "operators",
      operations: [
        { op: "set", field: { path: "count", segments: ["count"] }, value: 2 },
        { op: "set", field: { path: "status", segments: ["status"] }, value: "done" },
      ],
    });
  });

  it("reads each operator into operations with split paths", () => {
    const spec = parseUpdate({
      $set: { "profile.name": "Ada" },
      $unset: { old: "" },
      $inc: { visits: 1 },
      $mul: { price: 1.5 },
      $min: { low: 3 },
      $max: { high: 9 },
      $push: { log: { $each: [1, 2], $position: 0, $slice: -5 } },
      $addToSet: { tags: { $each: ["a", "b"] } },
      $pullAll: { gone: [1, 2] },
      $rename: { before: "after" },
      $currentDate: { seen: true, stamped: { $type: "timestamp" } },
    });
    expect(spec.kind).toBe("operators");
    if (spec.kind !== "operators") return;
    const byPath = Object.fromEntries(spec.operations.map((op) => [op.field.path, op]));
    expect(byPath["profile.name"]).toMatchObject({
      op: "set",
      field: { segments: ["profile", "name"] },
      value: "Ada",
    });
    expect(byPath.old).toMatchObject({ op: "unset" });
    expect(byPath.visits).toMatchObject({ op: "inc", amount: 1 });
    expect(byPath.price).toMatchObject({ op: "mul", amount: 1.5 });
    expect(byPath.low).toMatchObject({ op: "min", value: 3 });
    expect(byPath.high).toMatchObject({ op: "max", value: 9 });
    expect(byPath.log).toMatchObject({ op: "push", values: [1, 2], position: 0, slice: -5 });
    expect(byPath.tags).toMatchObject({ op: "addToSet", values: ["a", "b"] });
    expect(byPath.gone).toMatchObject({ op: "pullAll", values: [1, 2] });
    expect(byPath.before).toMatchObject({ op: "rename", to: { path: "after" } });
    expect(byPath.seen).toMatchObject({ op: "currentDate", as: "date" });
    expect(byPath.stamped).toMatchObject({ op: "currentDate", as: "timestamp" });
  });

  it("orders operations by field name as MongoDB applies them, numbers numerically", () => {
    const spec = parseUpdate({ $set: { z: 1, "a.10": 1, "a.9": 1 }, $inc: { b: 1 } });
    if (spec.kind !== "operators") throw new Error("operators expected");
    expect(spec.operations.map((op) => op.field.path)).toEqual(["a.9", "a.10", "b", "z"]);
  });

  it("reads $pull of a plain value as exact-equality removal and of a document as a condition", () => {
    const spec = parseUpdate({ $pull: { tags: "a", pairs: [1, 2], scores: { $gte: 6 } } });
    if (spec.kind !== "operators") throw new Error("operators expected");
    const byPath = Object.fromEntries(spec.operations.map((op) => [op.field.path, op]));
    expect(byPath.tags).toMatchObject({ op: "pullAll", values: ["a"] });
    expect(byPath.pairs).toMatchObject({ op: "pullAll", values: [[1, 2]] });
    expect(byPath.scores).toMatchObject({ op: "pull", scalar: true });
    const documents = parseUpdate({ $pull: { items: { sku: "x" } } });
    if (documents.kind !== "operators") throw new Error("operators expected");
    expect(documents.operations[0]).toMatchObject({ op: "pull", scalar: false });
  });

  it("copies values, so changing the input afterwards changes nothing", () => {
    const value = { nested: [1, 2] };
    const spec = parseUpdate({ $set: { a: value } });
    value.nested.push(3);
    if (spec.kind !== "operators") throw new Error("operators expected");
    expect(spec.operations[0]).toMatchObject({ value: { nested: [1, 2] } });
  });

  it("accepts $set of _id (checked against the document when applied)", () => {
    expect(() => parseUpdate({ $set: { _id: "x" } })).not.toThrow();
    expect(() => parseUpdate({ _id: "x", name: "y" })).not.toThrow();
  });

  it.each([
    [[{ $set: { a: 1 } }], ""],
    ["text", ""],
    [{ $set: { a: 1 }, b: 2 }, "b"],
    [{ $frobnicate: { a: 1 } }, "$frobnicate"],
    [{ $pop: { a: 1 } }, "$pop"],
    [{ $set: 5 }, "$set"],
    [{ $inc: { a: "1" } }, "$inc.a"],
    [{ $inc: { a: Number.NaN } }, "$inc.a"],
    [{ $mul: { a: null } }, "$mul.a"],
    [{ $set: { a: 1 }, $inc: { a: 1 } }, "a"],
    [{ $set: { "a.b": 1 }, $unset: { a: "" } }, "a"],
    [{ $set: { a: 1, "a.b": 1 } }, "a.b"],
    [{ $rename: { a: "b" }, $set: { b: 1 } }, "b"],
    [{ $rename: { a: "a" } }, "$rename.a"],
    [{ $rename: { a: "a.b" } }, "a.b"],
    [{ $rename: { a: 5 } }, "$rename.a"],
    [{ $unset: { _id: "" } }, "$unset._id"],
    [{ $set: { "_id.part": 1 } }, "$set._id.part"],
    [{ $inc: { _id: 1 } }, "$inc._id"],
    [{ $rename: { name: "_id" } }, "$rename.name"],
    [{ $set: { a: { $bad: 1 } } }, "$set.a"],
    [{ $push: { a: { nested: [{ $x: 1 }] } } }, "$push.a.nested.0"],
    [{ a: { $inc: 1 } }, "a"],
    [{ $set: { "a..b": 1 } }, "$set.a..b"],
    [{ $set: { "a.": 1 } }, "$set.a."],
    [{ $set: { "tags.$": 1 } }, "$set.tags.$"],
    [{ $set: { "tags.$[]": 1 } }, "$set.tags.$[]"],
    [{ "a.b": 1 }, "a.b"],
    [{ $set: { a: undefined } }, "$set.a"],
    [{ $set: { a: () => 1 } }, "$set.a"],
    [{ $set: { a: new Map() } }, "$set.a"],
    [{ $set: { a: Number.POSITIVE_INFINITY } }, "$set.a"],
    [{ $push: { a: { $position: 0 } } }, "$push.a"],
    [{ $push: { a: { $each: 1 } } }, "$push.a.$each"],
    [{ $push: { a: { $each: [1], $position: 1.5 } } }, "$push.a.$position"],
    [{ $push: { a: { $each: [1], $sort: 1 } } }, "$push.a"],
    [{ $addToSet: { a: { $each: [1], $slice: 1 } } }, "$addToSet.a"],
    [{ $pullAll: { a: 1 } }, "$pullAll.a"],
    [{ $currentDate: { a: "now" } }, "$currentDate.a"],
    [{ $currentDate: { a: { $type: "string" } } }, "$currentDate.a"],
  ])("rejects %j at path %j", (input, path) => {
    expect(rejection(input).path).toBe(path);
  });

  it("rejects values outside the value model, such as bigints", () => {
    expect(rejection({ $set: { a: 10n } }).path).toBe("$set.a");
  });

  it("names the conflict the way MongoDB does", () => {
    expect(rejection({ $set: { "a.b": 1 }, $inc: { a: 1 } }).message).toMatch(
      /would create a conflict at "a/,
    );
  });

  it("rejects values nested deeper than 100 levels", () => {
    let deep: unknown = 1;
    for (let level = 0; level < 150; level++) deep = { d: deep };
    expect(rejection({ $set: { a: deep } }).message).toMatch(/at most 100 levels/);
  });
});
