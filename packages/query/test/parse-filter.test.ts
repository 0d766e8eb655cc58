import { describe, expect, it } from "vitest";
import { FilterValidationError, parseFilter } from "../src/index.js";

/** The path of the FilterValidationError that parsing `filter` throws. */
function errorPath(filter: unknown, limits?: Parameters<typeof parseFilter>[1]): string {
  try {
    parseFilter(filter, limits);
  } catch (error) {
    expect(FilterValidationError.isInstance(error), String(error)).toBe(true);
    return (error as FilterValidationError).path;
  }
  throw new Error(`filter was accepted: ${JSON.stringify(filter)}`);
}

describe("parseFilter: rejections carry the offending path", () => {
  it.each([
    [{ $or: [{ a: 1 }, { price: { $in: 5 } }] }, "$or.1.price.$in"],
    [{ a: { $nin: "x" } }, "a.$nin"],
    [{ a: { $all: 1 } }, "a.$all"],
    [{ a: { $foo: 1 } }, "a.$foo"],
    [{ $foo: 1 }, "$foo"],
    [{ $size: 2 }, "$size"],
    [{ a: { $gt: 1, b: 2 } }, "a.b"],
    [{ a: { b: 2, $gt: 1 } }, "a"],
    [{ a: { $not: 5 } }, "a.$not"],
    [{ a: { $not: {} } }, "a.$not"],
    [{ a: { $not: null } }, "a.$not"],
    [{ $and: [] }, "$and"],
    [{ $or: {} }, "$or"],
    [{ $nor: [{ a: 1 }, null] }, "$nor.1"],
    [{ a: { $size: -1 } }, "a.$size"],
    [{ a: { $size: 1.5 } }, "a.$size"],
    [{ a: { $size: "1" } }, "a.$size"],
    [{ a: { $mod: [0, 1] } }, "a.$mod.0"],
    [{ a: { $mod: [0.5, 1] } }, "a.$mod.0"],
    [{ a: { $mod: [1] } }, "a.$mod"],
    [{ a: { $mod: [1, Number.NaN] } }, "a.$mod.1"],
    [{ a: { $mod: [2 ** 63, 0] } }, "a.$mod.0"],
    [{ a: { $type: "float" } }, "a.$type"],
    [{ a: { $type: ["int", 42] } }, "a.$type.1"],
    [{ a: { $regex: 5 } }, "a.$regex"],
    [{ a: { $options: "i" } }, "a.$options"],
    [{ a: { $regex: "x", $options: "q" } }, "a.$regex"],
    [{ a: { $regex: "(a)\\1" } }, "a.$regex"],
    [{ a: { $regex: "(?=x)" } }, "a.$regex"],
    [{ a: { $in: [{ $regex: "x" }] } }, "a.$in.0"],
    [{ a: { $gt: /x/ } }, "a.$gt"],
    [{ a: { $ne: /x/ } }, "a.$ne"],
    [{ a: { $elemMatch: "x" } }, "a.$elemMatch"],
    [{ a: { $elemMatch: { $gt: 0, b: 1 } } }, "a.$elemMatch.b"],
    [{ a: { $all: [{ $elemMatch: { b: 1 } }, 5] } }, "a.$all.1"],
    [{ a: undefined }, "a"],
    [{ a: () => 1 }, "a"],
    [{ a: new Map() }, "a"],
    [{ a: new Date(Number.NaN) }, "a"],
  ])("%j -> %s", (filter, path) => {
    expect(errorPath(filter)).toBe(path);
  });

  it("rejects non-object filters", () => {
    for (const filter of [null, undefined, 5, "x", [], [{ a: 1 }], new Date(), /x/]) {
      expect(errorPath(filter)).toBe("");
    }
  });

  it("rejects script operators at any depth", () => {
    expect(errorPath({ $where: "1" })).toBe("$where");
    expect(errorPath({ a: { $elemMatch: { $where: "1" } } })).toBe("a.$elemMatch.$where");
    expect(errorPath({ a: { $not: { $expr: 1 } } })).toBe("a.$not.$expr");
    expect(errorPath({ $and: [{ $or: [{ $function: {} }] }] })).toBe("$and.0.$or.0.$function");
    expect(errorPath({ a: { $eq: { b: { $accumulator: 1 } } } })).toBe("a.$eq.b.$accumulator");
    expect(errorPath({ a: { $elemMatch: { b: { $elemMatch: { $expr: 1 } } } } })).toBe(
      "a.$elemMatch.b.$elemMatch.$expr",
    );
  });
});

describe("parseFilter: limits", () => {
  it("rejects deep nesting without overflowing the stack", () => {
    let filter: Record<string, unknown> = { a: 1 };
    for (let level = 0; level < 10000; level++) filter = { $and: [filter] };
    expect(() => parseFilter(filter)).toThrow(FilterValidationError);
    let value: unknown = 1;
    for (let level = 0; level < 10000; level++) value = { b: value };
    expect(() => parseFilter({ a: value })).toThrow(/nested more than 20 levels/);
  });

  it("applies maxDepth, maxNodes, maxRegexLength and maxInValues", () => {
    expect(() => parseFilter({ a: { b: { c: 1 } } }, { maxDepth: 2 })).toThrow(
      FilterValidationError,
    );
    expect(() => parseFilter({ a: { b: { c: 1 } } }, { maxDepth: 3 })).not.toThrow();
    const wide = Object.fromEntries(Array.from({ length: 11 }, (_, index) => [`f${index}`, 1]));
    expect(errorPath(wide, { maxNodes: 10 })).toBe("f10");
    expect(() => parseFilter(wide, { maxNodes: 12 })).not.toThrow();
    expect(errorPath({ a: { $regex: "x".repeat(513) } })).toBe("a.$regex");
    expect(() => parseFilter({ a: { $regex: "x".repeat(512) } })).not.toThrow();
    expect(
      errorPath({ a: { $in: Array.from({ length: 11 }, (_, i) => i) } }, { maxInValues: 10 }),
    ).toBe("a.$in");
  });

  it("rejects invalid limits as a programming error", () => {
    expect(() => parseFilter({}, { maxDepth: 0 })).toThrow(RangeError);
  });
});

describe("parseFilter: the AST", () => {
  it("splits multiple operators on one path into an AND of field nodes", () => {
    expect(parseFilter({ a: { $gt: 1, $lt: 5 } })).toEqual({
      type: "and",
      children: [
        { type: "field", field: { path: "a", segments: ["a"] }, condition: { op: "gt", value: 1 } },
        { type: "field", field: { path: "a", segments: ["a"] }, condition: { op: "lt", value: 5 } },
      ],
    });
  });

  it("converts RegExp values, $regex/$options and $in regexes into regex values", () => {
    const node = parseFilter({
      a: /x/im,
      b: { $regex: "y", $options: "xi" },
      c: { $in: [/z/s, 1] },
    });
    expect(node).toMatchObject({
      children: [
        { condition: { op: "regex", regex: { kind: "regex", pattern: "x", options: "im" } } },
        { condition: { op: "regex", regex: { pattern: "y", options: "ix" } } },
        { condition: { op: "in", values: [1], regexes: [{ pattern: "z", options: "s" }] } },
      ],
    });
  });

  it("reads $exists with BSON truthiness and accepts whole-number $type codes", () => {
    const exists = (value: unknown) =>
      (parseFilter({ a: { $exists: value } }) as { condition: { value: boolean } }).condition.value;
    expect([exists(true), exists(1), exists(""), exists("no"), exists({})]).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect([exists(false), exists(0), exists(null)]).toEqual([false, false, false]);
    expect(parseFilter({ a: { $type: [16.0, "string", "int"] } })).toMatchObject({
      condition: { types: ["int", "string"] },
    });
  });

  it("truncates $mod arguments and chooses the $elemMatch form as MongoDB does", () => {
    expect(parseFilter({ a: { $mod: [-4.9, 2.5] } })).toMatchObject({
      condition: { op: "mod", divisor: -4, remainder: 2 },
    });
    expect(parseFilter({ a: { $elemMatch: { $gt: 1 } } })).toMatchObject({
      condition: { scalar: true, filter: { field: { segments: [] } } },
    });
    expect(parseFilter({ a: { $elemMatch: { $or: [{ b: 1 }] } } })).toMatchObject({
      condition: { scalar: false },
    });
  });

  it("keeps __proto__ and constructor as ordinary data and field names", () => {
    const filter = JSON.parse('{"__proto__": {"x": 1}, "constructor": 2}');
    const node = parseFilter(filter) as unknown as {
      children: { condition: { value: unknown } }[];
    };
    const value = node.children[0]!.condition.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(["x"]);
    expect(parseFilter(JSON.parse('{"a": {"__proto__": 1}}'))).toMatchObject({
      condition: { value: JSON.parse('{"__proto__": 1}') },
    });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it("produces frozen nodes that do not share the caller's values", () => {
    const list = [1, 2];
    const node = parseFilter({ a: { $eq: list } }) as unknown as { condition: { value: number[] } };
    list.push(3);
    expect(node.condition.value).toEqual([1, 2]);
    expect(Object.isFrozen(node)).toBe(true);
    expect(Object.isFrozen(node.condition.value)).toBe(true);
  });
});
