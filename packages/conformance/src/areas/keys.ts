/**
 * Keys: any printable key round-trips exactly and stays distinct from its look-alikes (case,
 * unicode normalisation, path-like spellings); unusable keys are refused; generated keys have
 * the documented shape.
 */

import { ValidationError } from "@agentvault/core";
import type { AreaContext } from "../area-context.js";
import { expectErrorKind, idSet } from "../assertions.js";

/** Keys that break naive storage: paths, escapes, URL syntax, quotes, prototype names. */
export const printableKeys: readonly string[] = [
  "simple",
  "a/b",
  "a/b/c/",
  "../x",
  "..",
  ".",
  "./hidden",
  "/absolute",
  "C:\\windows\\path",
  "with space",
  " leading and trailing ",
  "trailing dot.",
  "ünïcödé",
  "日本語のキー",
  "emoji 😀👍🏽",
  "family 👨‍👩‍👧",
  "100%",
  "%2e%2e%2f",
  "query?x=1&y=2",
  "#fragment",
  "single ' quote",
  'double " quote',
  "back`tick",
  "semi;colon",
  "star*glob?",
  "pipe|and>redirect<",
  "tab-less\\backslash",
  "{braces}[brackets]",
  "$dollar",
  "key:with:colons",
  "__proto__",
  "constructor",
  "prototype",
  "hasOwnProperty",
  "toString",
  "a".repeat(1024),
  `${"€".repeat(300)}${"x".repeat(10)}`,
];

/** Registers the key tests. */
export function keysTests(context: AreaContext): void {
  const { it, expect } = context.runner;

  it(`${printableKeys.length} printable keys round-trip through store, retrieve, query and delete`, async () => {
    const vault = context.vault();
    const collection = context.collectionName("printable");
    for (const [index, key] of printableKeys.entries()) {
      expect(await vault.store(collection, { index }, { key })).toBe(key);
    }
    for (const [index, key] of printableKeys.entries()) {
      expect(await vault.retrieve(collection, key), `retrieve ${JSON.stringify(key)}`).toEqual({
        _id: key,
        index,
      });
      const found = await vault.query(collection, { _id: key });
      expect(found, `query _id ${JSON.stringify(key.slice(0, 40))}`).toEqual([{ _id: key, index }]);
    }
    expect(idSet(await vault.retrieve(collection))).toEqual([...printableKeys].sort());
    for (const key of printableKeys) expect(await vault.delete(collection, key)).toBe(true);
    expect(await vault.count(collection)).toBe(0);
  });

  it("keys are exact: case, unicode normalisation and path spellings stay distinct", async () => {
    const vault = context.vault();
    const collection = context.collectionName("distinct");
    const lookAlikes = [
      "Key",
      "key",
      "KEY",
      "caf\u00e9",
      "cafe\u0301",
      "a/b",
      "a//b",
      "a/./b",
      "a\\b",
      "x",
      "x ",
      " x",
      "ﬁ",
      "fi",
    ];
    for (const key of lookAlikes) await vault.store(collection, { key }, { key });
    for (const key of lookAlikes) {
      expect(await vault.retrieve(collection, key), JSON.stringify(key)).toEqual({ _id: key, key });
    }
    expect(await vault.count(collection)).toBe(lookAlikes.length);
  });

  it("prototype-named keys never touch Object.prototype", async () => {
    const vault = context.vault();
    const collection = context.collectionName("proto");
    await vault.store(collection, { polluted: true }, { key: "__proto__" });
    await vault.store(collection, { polluted: true }, { key: "constructor" });
    const kv = await vault.kv(context.collectionName("proto_kv"));
    await kv.set("__proto__", { polluted: true });
    expect(await kv.get("__proto__")).toEqual({ polluted: true });
    const snapshot = await kv.snapshot();
    const prototype = Object.getPrototypeOf(snapshot);
    expect(prototype === Object.prototype || prototype === null).toBe(true);
    expect(Object.getOwnPropertyDescriptor(snapshot, "__proto__")?.value).toEqual({
      polluted: true,
    });
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(await vault.retrieve(collection, "constructor")).toEqual({
      _id: "constructor",
      polluted: true,
    });
  });

  it("empty, NUL, control-character, lone-surrogate and over-long keys are refused", async () => {
    const vault = context.vault();
    const collection = context.collectionName("invalid");
    const invalid = ["", "a\u0000b", "line\nbreak", "bell\u0007", "\ud800lone", "a".repeat(1025)];
    for (const key of invalid) {
      await expectErrorKind(
        expect,
        () => vault.store(collection, { a: 1 }, { key }),
        ValidationError,
      );
      await expectErrorKind(expect, () => vault.retrieve(collection, key), ValidationError);
      await expectErrorKind(expect, () => vault.delete(collection, key), ValidationError);
    }
    await expectErrorKind(expect, () => vault.store(collection, { _id: "" }), ValidationError);
    await expectErrorKind(
      expect,
      () => vault.store(collection, { a: 1 }, { key: 42 as unknown as string }),
      ValidationError,
    );
    expect(await vault.count(collection)).toBe(0);
  });

  it("generated keys are a collection prefix plus at least 12 URL-safe characters, all unique", async () => {
    const vault = context.vault();
    const products = `products_${context.collectionName("gen").replace(/[^A-Za-z0-9]/g, "")}`;
    const keys = new Set<string>();
    for (let index = 0; index < 100; index++) keys.add(await vault.store(products, { index }));
    expect(keys.size).toBe(100);
    for (const key of keys) expect(key).toMatch(/^prod_[A-Za-z0-9_-]{12,}$/);
    expect(await vault.count(products)).toBe(100);
  });
}
