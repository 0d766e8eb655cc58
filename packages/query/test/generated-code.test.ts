/**
 * The code generator against the closure compiler: both must give the same answer for every
 * filter and every value, on the MongoDB corpus and on random filters and documents built to
 * reach the corners (arrays on paths, index and trailing-dot segments, inherited and
 * `Object.prototype` names, class instances, dates, binary, sparse arrays, long paths). Also: no
 * text from a filter ever reaches the generated source, and where strings cannot be compiled
 * filters still work.
 */

import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isOwnSource } from "../src/code-generation.js";
import { compilePredicate } from "../src/compile-filter.js";
import { generatedSource, generatePredicate } from "../src/generate-predicate.js";
import { type FilterNode, FilterValidationError, parseFilter } from "../src/index.js";
import { loadCorpus } from "../src/testing/index.js";

function bothCompilers(node: FilterNode) {
  const generated = generatePredicate(node);
  expect(generated, "the generator compiled the filter").toBeDefined();
  return { generated: generated!, closures: compilePredicate(node, { generateCode: false }) };
}

function parsed(raw: unknown): FilterNode | undefined {
  try {
    return parseFilter(raw);
  } catch (error) {
    if (FilterValidationError.isInstance(error)) return undefined;
    throw error;
  }
}

describe("generated predicates on the MongoDB corpus", () => {
  it("match MongoDB's expectations exactly as the closures do", () => {
    let compared = 0;
    for (const testCase of loadCorpus()) {
      if (testCase.expectation !== "match") continue;
      const node = parsed(testCase.filter);
      if (node === undefined) continue;
      const { generated, closures } = bothCompilers(node);
      testCase.documents.forEach((document, index) => {
        const label = `${testCase.name} #${index}`;
        expect(generated(document), label).toBe(closures(document));
        compared++;
      });
    }
    expect(compared).toBeGreaterThan(3000);
  });
});

/** A class whose prototype has a data field and a getter: inherited names never count. */
class Inheriting {
  own = 1;
  get a(): unknown {
    return [1, { b: 1 }];
  }
}
Object.defineProperty(Inheriting.prototype, "b", { value: "x", enumerable: true });

/** Copies own fields as data fields (assignment would hit the inherited getter). */
function withFields<T extends object>(target: T, fields: object): T {
  return Object.defineProperties(target, Object.getOwnPropertyDescriptors(fields));
}

/** `[first, <hole>, second]`. */
function sparse(first: unknown, second: unknown): unknown[] {
  const array: unknown[] = [first];
  array[2] = second;
  return array;
}

const names = ["a", "b", "0", "1", "constructor", "__proto__", "length", "toString", ""];
const scalar = fc.constantFrom<unknown>(
  null,
  0,
  -0,
  1,
  2,
  1.5,
  -1,
  Number.NaN,
  "x",
  "y",
  "",
  "X",
  true,
  false,
  new Date(0),
  new Date(1000),
  new Uint8Array([1]),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    scalar,
    scalar,
    tie("object"),
    tie("array"),
    tie("exotic"),
  ),
  object: fc
    .array(fc.tuple(fc.constantFrom(...names), tie("value")), { maxLength: 3 })
    .map((entries) => {
      const object: Record<string, unknown> = {};
      for (const [key, entry] of entries) {
        Object.defineProperty(object, key, { value: entry, enumerable: true, writable: true });
      }
      return object;
    }),
  array: fc.array(tie("value"), { maxLength: 3 }),
  exotic: fc.oneof(
    tie("object").map((object) => withFields(new Inheriting(), object as object)),
    tie("object").map((object) => withFields(Object.create(null), object as object)),
    // Sparse: a hole between two values.
    fc.tuple(tie("value"), tie("value")).map(([first, second]) => sparse(first, second)),
  ),
}));
const document = fc.oneof(
  { weight: 5, arbitrary: value.filter((item) => typeof item === "object" && item !== null) },
  { weight: 1, arbitrary: scalar },
);

const path = fc.oneof(
  fc.constantFrom("a", "b", "a.b", "a.0", "a.1", "a.b.c", "a.0.b", "0", "a.", "a.b."),
  fc.constantFrom("constructor", "a.constructor", "__proto__", "a.__proto__.b", "toString"),
  fc.constantFrom("a.length", "own", "a.00", "a.0.0", "a.b.c.a.b.c.a.b.c"),
);
const operand = fc.oneof(scalar, fc.constantFrom<unknown>({ b: 1 }, [1, 2], [], { b: [1] }));
const condition = fc.oneof(
  operand,
  fc
    .constantFrom("$eq", "$ne", "$gt", "$gte", "$lt", "$lte")
    .chain((operator) => operand.map((argument) => ({ [operator]: argument }))),
  fc.record({ $gt: scalar, $lte: scalar, $ne: scalar }, { requiredKeys: [] }),
  fc.record({ $in: fc.array(operand, { maxLength: 10 }) }),
  fc.record({ $nin: fc.array(operand, { maxLength: 3 }) }),
  fc.record({ $in: fc.constant([/^x/i, "y", null]) }),
  fc.record({ $exists: fc.boolean() }),
  fc.record({
    $type: fc.subarray(["null", "array", "object", "string", "number", "bool", "date", "int"], {
      minLength: 1,
    }),
  }),
  fc.record({ $size: fc.constantFrom(0, 1, 2) }),
  fc.record({ $all: fc.array(operand, { maxLength: 3 }) }),
  fc.record({ $all: fc.constant([{ $elemMatch: { b: 1 } }, { $elemMatch: { $gt: 0 } }]) }),
  fc.record({
    $elemMatch: fc.oneof(
      fc.record({ $gt: scalar }),
      fc.record({ b: operand }),
      fc.record({ $in: fc.constant([1, "x"]), $ne: scalar }),
      fc.record({ "b.0": scalar, a: fc.record({ $exists: fc.boolean() }) }),
      // Filters that hold on an empty document, so non-document elements matter.
      fc.constantFrom<unknown>(
        { a: { $exists: false } },
        { b: null },
        { $nor: [{ a: 1 }] },
        { a: { $ne: 1 }, "b.0": { $in: [null, 1] } },
      ),
    ),
  }),
  fc.record({ $mod: fc.constantFrom([2, 0], [3, 1], [-2, -1]) }),
  fc.record({
    $not: fc.oneof(
      fc.record({ $gt: scalar }),
      fc.record({ $in: fc.array(scalar) }),
      fc.constant(/x/),
    ),
  }),
  fc.record({
    $regex: fc.constantFrom("^x", "y", "", "X", "a+b"),
    $options: fc.constantFrom("", "i"),
  }),
);
const leaf = fc.dictionary(path, condition, { minKeys: 1, maxKeys: 3 });
const filter = fc.oneof(
  leaf,
  fc.record({ $or: fc.array(leaf, { minLength: 1, maxLength: 3 }) }),
  fc.record({ $nor: fc.array(leaf, { minLength: 0, maxLength: 2 }) }),
  fc.record({ $and: fc.array(leaf, { minLength: 1, maxLength: 3 }), b: condition }),
);

describe("generated predicates on random filters and documents", () => {
  it("agree with the closures on every pair", () => {
    let compared = 0;
    fc.assert(
      fc.property(filter, fc.array(document, { minLength: 1, maxLength: 6 }), (raw, documents) => {
        const node = parsed(raw);
        if (node === undefined) return;
        const { generated, closures } = bothCompilers(node);
        for (const candidate of documents) {
          if (generated(candidate) !== closures(candidate)) {
            expect.fail(
              `${JSON.stringify(raw)} differs on ${inspect(candidate)}:\n${generatedSource(node)}`,
            );
          }
          compared++;
        }
      }),
      { numRuns: 2500, seed: 20251122 },
    );
    expect(compared).toBeGreaterThan(5000);
  });
});

describe("generated predicates on corner filters and documents", () => {
  const filters: unknown[] = [
    { a: { $elemMatch: { a: { $exists: false } } } },
    { a: { $elemMatch: { b: null } } },
    { a: { $elemMatch: { $nor: [{ b: 1 }] } } },
    { a: { $elemMatch: { b: 1 } } },
    { a: { $elemMatch: { $gte: 1 } } },
    { "a.b": { $elemMatch: { $exists: true } } },
    { a: { $all: [{ $elemMatch: { b: 1 } }, { $elemMatch: { b: { $exists: false } } }] } },
    { a: { $all: [1, 2] } },
    { "a.b": { $all: [1, "x"] } },
    { "a.0": { $all: [1] } },
    { a: null },
    { "a.b": null },
    { "a.0": null },
    { "a.": { $exists: true } },
    { "a.b.": { $exists: false } },
    { a: { $size: 0 } },
    { "a.b": { $size: 1 } },
    { a: { $gt: 0, $lt: 3 } },
    { "a.b": { $gte: 1, $ne: 2 } },
    { "a.0.b": { $in: [1, null] } },
    { "a.1": { $nin: [2] } },
    { a: { $type: "array" } },
    { a: { $not: { $size: 1 } } },
    { constructor: { $exists: true } },
    { "a.constructor": null },
    { toString: { $exists: false } },
    { "a.length": 2 },
    { "0": 1 },
    { "0.b": 1 },
  ];
  const date = new Date(0);
  const documents: unknown[] = [
    {},
    { a: [] },
    { a: [1] },
    { a: [1, 2] },
    { a: [null] },
    { a: [date] },
    { a: [new Uint8Array([1])] },
    { a: [[1], [2]] },
    { a: [[{ b: 1 }]] },
    { a: [{ b: 1 }, 2] },
    { a: [{ b: [1, 2] }] },
    { a: [{}, { b: null }] },
    { a: { b: 1 } },
    { a: { b: [] } },
    { a: { b: [{ c: 1 }] } },
    { a: date },
    { a: null },
    { a: 1 },
    { a: { 0: 1, b: "x" } },
    [1, 2],
    [{ b: 1 }],
    date,
    withFields(new Inheriting(), { b: 1 }),
    withFields(Object.create(null), { a: [1, 2] }),
    JSON.parse('{"__proto__": {"b": 1}, "constructor": 1, "a": {"constructor": null}}'),
    Object.assign(sparse(1, 3), { b: 1 }),
    { a: sparse(1, 3) },
  ];

  it("agree with the closures on every pair", () => {
    for (const raw of filters) {
      const node = parseFilter(raw);
      const { generated, closures } = bothCompilers(node);
      for (const candidate of documents) {
        const label = `${JSON.stringify(raw)} on ${inspect(candidate)}`;
        expect(generated(candidate), label).toBe(closures(candidate));
      }
    }
  });
});

describe("generated source", () => {
  const hostile = [
    '"); throw new Error("injected"); ("',
    "'; process.exit(1); '",
    "`$" + "{process.exit(1)}`",
    "*/ process.exit(1) /*",
    "\\u0022",
    "a\nb",
    "constructor",
    "process",
  ];

  it("never contains text from the filter, and still matches", () => {
    for (const text of hostile) {
      const raw = {
        [`${text}.${text}`]: text,
        [text]: { $in: [text, 1], $regex: "^x" },
        $or: [{ [text]: { $elemMatch: { [text]: { $gte: text } } } }, { x: { $all: [text] } }],
      };
      const node = parseFilter(raw);
      const source = generatedSource(node);
      expect(isOwnSource(source)).toBe(true);
      expect(source).not.toContain(text);
      const { generated, closures } = bothCompilers(node);
      const documents = [
        { [text]: { [text]: text } },
        { [text]: "xa", x: [text] },
        { [text]: [{ [text]: "zz" }], x: [text, 1] },
      ];
      for (const candidate of documents) expect(generated(candidate)).toBe(closures(candidate));
    }
  });

  it("is refused when it holds a literal or a name the generator never writes", () => {
    expect(isOwnSource('"use strict";\nreturn function (d) { return d === c0; };')).toBe(true);
    expect(isOwnSource('return function (d) { return d === "x"; };')).toBe(false);
    expect(isOwnSource("return function (d) { return process; };")).toBe(false);
    expect(isOwnSource("return function (d) { return d; } // comment")).toBe(false);
    expect(isOwnSource("return function (d) { return /x/.test(d); };")).toBe(false);
  });
});

describe("without code generation", () => {
  it("compiles filters on the closures", () => {
    const script = fileURLToPath(new URL("./fixtures/without-code-generation.ts", import.meta.url));
    const output = execFileSync(
      process.execPath,
      [
        "--conditions=@agentvault/source",
        "--import",
        "tsx",
        "--disallow-code-generation-from-strings",
        script,
      ],
      { encoding: "utf8" },
    );
    expect(JSON.parse(output)).toEqual({ available: false, results: [true, false, false] });
  });
});
