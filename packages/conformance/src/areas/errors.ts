/**
 * Refusals: script operators anywhere in a filter, unknown operators and malformed filters fail
 * with `FilterValidationError` before anything is read or written; bad collection names and
 * documents fail with `ValidationError`; a closed provider or vault fails clearly.
 */

import {
  AgentVaultError,
  createVault,
  FilterValidationError,
  ValidationError,
} from "@agentvault/core";
import type { AreaContext } from "../area-context.js";
import { describeError, expectErrorKind } from "../assertions.js";

const scriptFilters: readonly [string, unknown][] = [
  ["$where at the top", { $where: "this.a == 1" }],
  ["$where as a function", { $where: () => true }],
  ["$expr", { $expr: { $eq: ["$a", 1] } }],
  [
    "$function inside $expr",
    { $expr: { $function: { body: "return true", args: [], lang: "js" } } },
  ],
  ["$accumulator", { a: { $accumulator: {} } }],
  ["$where inside $or", { $or: [{ a: 1 }, { $where: "true" }] }],
  ["$where inside $and inside $nor", { $nor: [{ $and: [{ $where: "true" }] }] }],
  ["$where inside $elemMatch", { items: { $elemMatch: { $where: "true" } } }],
  ["$expr inside $not", { a: { $not: { $expr: 1 } } }],
];

const malformedFilters: readonly [string, unknown][] = [
  ["an unknown top-level operator", { $foo: 1 }],
  ["an unknown field operator", { a: { $foo: 1 } }],
  ["$in without an array", { a: { $in: 5 } }],
  ["$and without an array", { $and: { a: 1 } }],
  ["an empty $or", { $or: [] }],
  ["$size with a negative number", { a: { $size: -1 } }],
  ["an invalid regular expression", { a: { $regex: "(" } }],
  ["$mod by zero", { a: { $mod: [0, 1] } }],
  ["$options without $regex", { a: { $options: "i" } }],
  ["an unknown $type", { a: { $type: "nonsense" } }],
  ["a string instead of a filter", "a == 1"],
  ["an array instead of a filter", [{ a: 1 }]],
  ["a filter nested beyond the depth limit", nestedAnd(40)],
  ["a $in list beyond the size limit", { a: { $in: Array.from({ length: 20_001 }, (_, i) => i) } }],
];

function nestedAnd(depth: number): unknown {
  let filter: unknown = { a: 1 };
  for (let level = 0; level < depth; level++) filter = { $and: [filter] };
  return filter;
}

const invalidCollections: readonly unknown[] = [
  "",
  "with space",
  ".hidden",
  "_avreserved",
  "a/b",
  "../escape",
  "x".repeat(121),
  "semi;colon",
  "ünïcode",
  null,
  42,
];

const invalidDocuments: readonly [string, unknown][] = [
  ["null", null],
  ["an array", [1, 2]],
  ["a string", "text"],
  ["a Map", new Map([["a", 1]])],
  [
    "a class instance",
    new (class Point {
      x = 1;
    })(),
  ],
  ["a function field", { f: () => 1 }],
  ["a bigint field", { n: 10n }],
  ["a symbol field", { s: Symbol("s") }],
  ["a NaN field", { n: Number.NaN }],
  ["an Infinity field", { n: Number.POSITIVE_INFINITY }],
  ["an invalid Date", { at: new Date("nope") }],
  ["a $-prefixed field", { $set: 1 }],
  ["a nested $-prefixed field", { a: { $where: "x" } }],
  ["a NUL in a field name", { "a\u0000b": 1 }],
  ["undefined inside an array", { list: [1, undefined] }],
];

function circular(): object {
  const object: { self?: object } = {};
  object.self = object;
  return object;
}

/** Registers the error tests. */
export function errorsTests(context: AreaContext): void {
  const { it, expect, beforeAll } = context.runner;
  let collection = "";
  const seeded = [
    { _id: "a1", a: 1, items: [{ b: 1 }] },
    { _id: "a2", a: 2, items: [] },
  ];

  beforeAll(async () => {
    collection = context.collectionName("seeded");
    for (const document of seeded) await context.vault().store(collection, document);
  });

  async function expectUntouched(): Promise<void> {
    expect(await context.vault().retrieve(collection, "a1")).toEqual(seeded[0]);
    expect(await context.vault().count(collection)).toBe(seeded.length);
  }

  for (const [title, filter] of [...scriptFilters, ...malformedFilters]) {
    it(`${title} is refused by query, count, updateMany and deleteMany`, async () => {
      const vault = context.vault();
      const raw = filter as never;
      await expectErrorKind(expect, () => vault.query(collection, raw), FilterValidationError);
      await expectErrorKind(expect, () => vault.count(collection, raw), FilterValidationError);
      await expectErrorKind(
        expect,
        () => vault.updateMany(collection, raw, { $set: { hacked: true } }),
        FilterValidationError,
      );
      await expectErrorKind(expect, () => vault.deleteMany(collection, raw), FilterValidationError);
      await expectUntouched();
    });
  }

  it("a regular expression with catastrophic backtracking cannot block the process", async () => {
    const vault = context.vault();
    const target = context.collectionName("redos");
    await vault.store(target, { s: `${"a".repeat(40)}!` }, { key: "k" });
    const patterns = ["^(a+)+$", "^(a|aa)+$", "^(a|a?)+$", "(.*a){20}$"];
    for (const pattern of patterns) {
      let found: unknown[] | undefined;
      try {
        found = await vault.query(target, { s: { $regex: pattern } });
      } catch (error) {
        // Refusing a pattern is allowed; hanging is not.
        expect(FilterValidationError.isInstance(error), describeError(error)).toBe(true);
      }
      if (found !== undefined) expect(found).toEqual([]);
    }
  });

  it("invalid collection names are refused with ValidationError", async () => {
    const vault = context.vault();
    const before = await vault.listCollections();
    for (const name of invalidCollections) {
      const raw = name as string;
      await expectErrorKind(expect, () => vault.store(raw, { a: 1 }), ValidationError);
      await expectErrorKind(expect, () => vault.retrieve(raw, "k"), ValidationError);
      await expectErrorKind(expect, () => vault.query(raw, {}), ValidationError);
      await expectErrorKind(expect, () => vault.count(raw), ValidationError);
      await expectErrorKind(expect, () => vault.clear(raw), ValidationError);
      await expectErrorKind(expect, () => vault.kv(raw), ValidationError);
    }
    expect(await vault.listCollections()).toEqual(before);
  });

  it("documents outside the value model are refused with ValidationError and not stored", async () => {
    const vault = context.vault();
    const target = context.collectionName("bad_documents");
    for (const [title, document] of [
      ...invalidDocuments,
      ["a circular object", circular()] as const,
    ]) {
      const error = await expectErrorKind(
        expect,
        () => vault.store(target, document as object, { key: "k" }),
        ValidationError,
      ).catch((failure: unknown) => {
        throw new Error(`${title}: ${describeError(failure)}`);
      });
      expect(AgentVaultError.isInstance(error)).toBe(true);
    }
    await expectErrorKind(
      expect,
      () => vault.store(target, { a: 1 }, { metadata: { $bad: 1 } }),
      ValidationError,
    );
    await expectErrorKind(
      expect,
      () => vault.store(target, { a: 1 }, { vector: [] }),
      ValidationError,
    );
    await expectErrorKind(
      expect,
      () => vault.store(target, { a: 1 }, { vector: [1, Number.NaN] }),
      ValidationError,
    );
    expect(await vault.count(target)).toBe(0);
  });

  it("a closed vault fails every call with a clear error, and closing twice is fine", async () => {
    const provider = await context.extraProvider();
    const vault = createVault({ provider, now: context.clock.now });
    const target = context.collectionName("closing");
    await vault.store(target, { a: 1 }, { key: "k" });
    await provider.dropDatabase();
    await vault.close();
    await vault.close();
    for (const call of [
      () => vault.store(target, { a: 2 }),
      () => vault.retrieve(target, "k"),
      () => vault.query(target, {}),
      () => vault.count(target),
      () => vault.listCollections(),
    ]) {
      const error = await expectErrorKind(expect, call, AgentVaultError);
      expect(String((error as Error).message)).toMatch(/clos/i);
    }
  });

  it("a closed provider fails with a clear AgentVault error, and closing twice is fine", async () => {
    const provider = await context.extraProvider();
    const target = context.collectionName("closed_provider");
    await provider.put(target, { key: "k", value: { a: 1 } });
    await provider.dropDatabase();
    await provider.close();
    await provider.close();
    for (const call of [
      () => provider.get(target, "k"),
      () => provider.put(target, { key: "k", value: { a: 2 } }),
      () => provider.find(target, { filter: { type: "and", children: [] } }),
      () => provider.listCollections(),
    ]) {
      const error = await expectErrorKind(expect, call, AgentVaultError);
      expect(String((error as Error).message)).toMatch(/clos|unavailable/i);
    }
  });
}
