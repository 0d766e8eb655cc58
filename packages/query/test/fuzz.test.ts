/**
 * Hostile input: random malformed filters must produce a FilterValidationError or a valid AST,
 * never another exception and never a prototype change; catastrophic regular expressions must
 * evaluate in linear time (the assertions are that evaluation completes, never timings: a
 * backtracking engine would hang these tests).
 */

import fc from "fast-check";
import { RE2JS } from "re2js";
import { describe, expect, it } from "vitest";
import {
  compileFilter,
  compilePredicate,
  compileRegex,
  FilterValidationError,
  parseFilter,
} from "../src/index.js";
import { translateToNativeSource } from "../src/native-regex.js";

const keys = fc.constantFrom(
  "$and",
  "$or",
  "$nor",
  "$not",
  "$eq",
  "$ne",
  "$gt",
  "$lte",
  "$in",
  "$nin",
  "$all",
  "$elemMatch",
  "$size",
  "$mod",
  "$type",
  "$regex",
  "$options",
  "$exists",
  "$where",
  "$expr",
  "$function",
  "$foo",
  "$regularExpression",
  "pattern",
  "options",
  "a",
  "b.c",
  "a.0",
  "",
  "__proto__",
  "constructor",
  "prototype",
);

const hugeArray = Array.from({ length: 20_000 }, (_, index) => index);
let deep: unknown = 1;
for (let level = 0; level < 5_000; level++) deep = { $and: [{ a: deep }] };

const leaf = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    undefined,
    0,
    -0,
    1,
    2.5,
    -1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    2 ** 63,
    "",
    "x",
    "(a+)+$",
    "[",
    "\\",
    "int",
    "imsx",
    true,
    false,
    new Date(0),
    new Date(Number.NaN),
    /x+/i,
    /(a|b)*c/,
    new Uint8Array([1, 2]),
    10n,
    Symbol("s"),
    () => 1,
    new Map(),
    hugeArray,
    deep,
  ),
  fc.string({ maxLength: 8 }),
  fc.double(),
  fc.integer(),
);

/** Objects built with defineProperty, so `__proto__` keys are own data, as JSON.parse makes them. */
function objectFrom(entries: [string, unknown][]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    Object.defineProperty(object, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return object;
}

const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: "small" }, leaf, tie("object"), tie("array")),
  object: fc.array(fc.tuple(keys, tie("tree")), { maxLength: 4 }).map(objectFrom),
  array: fc.array(tie("tree"), { maxLength: 4 }),
}));

function prototypeSnapshot(): string[] {
  return Object.getOwnPropertyNames(Object.prototype).map(
    (name) => `${name}:${String(Object.getOwnPropertyDescriptor(Object.prototype, name)?.value)}`,
  );
}

const sampleDocuments: unknown[] = [
  {},
  { a: 1, b: { c: [1, "x", null] } },
  { a: [{ b: 2 }, [3]], constructor: 5 },
  JSON.parse('{"__proto__": {"a": 1}, "a": "xxxx"}'),
];

describe("fuzz: malformed filters", () => {
  it("yield a FilterValidationError or a working predicate, never another exception", () => {
    const before = prototypeSnapshot();
    let accepted = 0;
    fc.assert(
      fc.property(tree, (filter) => {
        let node: ReturnType<typeof parseFilter>;
        try {
          node = parseFilter(filter);
        } catch (error) {
          expect(FilterValidationError.isInstance(error), String(error)).toBe(true);
          return;
        }
        accepted++;
        const predicate = compilePredicate(node);
        for (const document of sampleDocuments) expect(typeof predicate(document)).toBe("boolean");
      }),
      { numRuns: 10_000, seed: 7 },
    );
    expect(prototypeSnapshot()).toEqual(before);
    expect(({} as Record<string, unknown>).a).toBeUndefined();
    // Some random trees are valid filters; the run must have exercised both outcomes.
    expect(accepted).toBeGreaterThan(100);
  });
});

describe("fuzz: regular expressions cannot block", () => {
  const hostile = [
    ["(a+)+$", `${"a".repeat(40)}!`],
    ["(x+x+)+y", "x".repeat(48)],
    ["(.*a){20}", `${"a".repeat(19)}${"b".repeat(30)}`],
    ["^(a|aa)+$", `${"a".repeat(45)}b`],
    ["(\\w+\\s?)+$", `${"word ".repeat(8)}!`],
  ] as const;

  it.each(hostile)("%s runs on RE2 and a 10k-document batch completes", (pattern, input) => {
    expect(compileRegex({ kind: "regex", pattern, options: "" }).engine).toBe("re2");
    const matches = compileFilter({ text: { $regex: pattern } });
    const documents = Array.from({ length: 10_000 }, (_, index) => ({
      text: index % 2 ? input : ["-", input],
    }));
    const matched = documents.filter(matches).length;
    // Every document holds the hostile input once, so the count is all or nothing, as a
    // linear engine decides for that one input.
    expect(matched).toBe(RE2JS.compile(pattern).test(input) ? documents.length : 0);
  });

  it("the native fast path agrees with RE2 on its subset", () => {
    const atom = fc.constantFrom(
      "a",
      "b",
      "x",
      ".",
      "\\d",
      "\\w",
      "\\s",
      "\\.",
      "[a-c]",
      "[^b]",
      "^",
      "$",
    );
    const pattern = fc
      .array(fc.array(atom, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 })
      .map((branches) => branches.map((branch) => branch.join("")).join("|"));
    const options = fc.constantFrom("", "i", "m", "s", "im", "ims");
    const input = fc.string({
      unit: fc.constantFrom("a", "B", "x", "1", " ", "\n", ".", "_", "é"),
      maxLength: 12,
    });
    fc.assert(
      fc.property(pattern, options, fc.array(input, { maxLength: 8 }), (source, flags, inputs) => {
        expect(translateToNativeSource(source, flags)).toBeDefined();
        const native = compileRegex({ kind: "regex", pattern: source, options: flags });
        expect(native.engine).toBe("native");
        let re2Flags = 0;
        if (flags.includes("i")) re2Flags |= RE2JS.CASE_INSENSITIVE;
        if (flags.includes("m")) re2Flags |= RE2JS.MULTILINE;
        if (flags.includes("s")) re2Flags |= RE2JS.DOTALL;
        const re2 = RE2JS.compile(source, re2Flags);
        for (const text of inputs) {
          const pcreDollar =
            !flags.includes("m") && text.endsWith("\n") && re2.test(text.slice(0, -1));
          expect(native.test(text), JSON.stringify({ source, flags, text })).toBe(
            re2.test(text) || pcreDollar,
          );
        }
      }),
      { numRuns: 2000, seed: 11 },
    );
  });
});
