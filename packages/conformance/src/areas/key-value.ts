/**
 * The key-value API (`vault.kv(name)`): Map-like reads and writes, the dict extras (`pop`,
 * `popItem`, `setDefault`, `update`, `setMany`, `snapshot`), `drop` and `mustExist`, over the
 * provider under test.
 */

import { NotFoundError, ValidationError } from "@agentvault/core";
import type { Value } from "@agentvault/query";
import type { AreaContext } from "../area-context.js";
import { expectErrorKind } from "../assertions.js";

/** Registers the key-value tests. */
export function keyValueTests(context: AreaContext): void {
  const { it, expect } = context.runner;
  const open = (label: string) => context.vault().kv(context.collectionName(label));

  it("set, get, has and delete behave like a Map", async () => {
    const store = await open("basic");
    expect(await store.get("missing")).toBeUndefined();
    expect(await store.get("missing", "fallback")).toBe("fallback");
    expect(await store.has("a")).toBe(false);
    await store.set("a", 1);
    await store.set("a", 2);
    expect(await store.get("a")).toBe(2);
    expect(await store.get("a", "fallback")).toBe(2);
    expect(await store.has("a")).toBe(true);
    expect(await store.delete("a")).toBe(true);
    expect(await store.delete("a")).toBe(false);
    expect(await store.has("a")).toBe(false);
  });

  it("stores any value: null, falsy values, arrays, dates and binary", async () => {
    const store = await open("values");
    const values: [string, Value][] = [
      ["null", null],
      ["zero", 0],
      ["false", false],
      ["empty", ""],
      ["list", [1, "two", { three: [3] }]],
      ["when", new Date("2030-05-06T07:08:09.010Z")],
      ["bytes", new Uint8Array([0, 1, 255])],
      ["object", { nested: { deep: true } }],
    ];
    for (const [key, value] of values) await store.set(key, value);
    for (const [key, value] of values) {
      expect(await store.get(key, "absent"), key).toEqual(value);
      expect(await store.has(key), key).toBe(true);
    }
  });

  it("keys, values, entries, size and async iteration agree", async () => {
    const store = await open("listing");
    const entries: [string, Value][] = [
      ["b", 2],
      ["a", 1],
      ["c/d", 3],
    ];
    for (const [key, value] of entries) await store.set(key, value);
    const expected = [...entries].sort(([left], [right]) => (left < right ? -1 : 1));
    expect([...(await store.keys())].sort()).toEqual(expected.map(([key]) => key));
    expect([...(await store.values())].sort()).toEqual([1, 2, 3]);
    const listed = [...(await store.entries())].sort(([l], [r]) => (l < r ? -1 : 1));
    expect(listed).toEqual(expected);
    expect(await store.size()).toBe(3);
    const iterated: [string, Value][] = [];
    for await (const entry of store) iterated.push(entry);
    expect(iterated.sort(([l], [r]) => (l < r ? -1 : 1))).toEqual(expected);
  });

  it("clear removes every entry, returns how many, and keeps the store", async () => {
    const vault = context.vault();
    const name = context.collectionName("clear");
    const store = await vault.kv(name);
    await store.setMany([
      ["x", 1],
      ["y", 2],
    ]);
    expect(await store.clear()).toBe(2);
    expect(await store.size()).toBe(0);
    expect(await store.clear()).toBe(0);
    const reopened = await vault.kv(name, { mustExist: true });
    expect(await reopened.keys()).toEqual([]);
  });

  it("pop removes and returns; a missing key gives the default or NotFoundError", async () => {
    const store = await open("pop");
    await store.set("k", "v");
    expect(await store.pop("k")).toBe("v");
    expect(await store.has("k")).toBe(false);
    expect(await store.pop("k", "default")).toBe("default");
    await expectErrorKind(expect, () => store.pop("k"), NotFoundError);
  });

  it("popItem removes some entry until the store is empty, then throws NotFoundError", async () => {
    const store = await open("pop_item");
    await store.update({ a: 1, b: 2 });
    const first = await store.popItem();
    const second = await store.popItem();
    expect([first, second].sort(([l], [r]) => (l < r ? -1 : 1))).toEqual([
      ["a", 1],
      ["b", 2],
    ]);
    expect(await store.size()).toBe(0);
    await expectErrorKind(expect, () => store.popItem(), NotFoundError);
  });

  it("setDefault stores only when absent and returns the stored value", async () => {
    const store = await open("set_default");
    expect(await store.setDefault("k", "first")).toBe("first");
    expect(await store.setDefault("k", "second")).toBe("first");
    expect(await store.get("k")).toBe("first");
  });

  it("update and setMany write every entry, later duplicates winning", async () => {
    const store = await open("many");
    await store.update({ a: 1, b: 2 });
    await store.setMany([
      ["c", 3],
      ["a", 10],
      ["c", 30],
    ]);
    expect(await store.snapshot()).toEqual({ a: 10, b: 2, c: 30 });
    await store.setMany([]);
    expect(await store.size()).toBe(3);
  });

  it("snapshot is a plain copy: changing it changes nothing stored", async () => {
    const store = await open("snapshot");
    await store.set("list", [1, 2]);
    const snapshot = await store.snapshot();
    (snapshot.list as number[]).push(3);
    expect(await store.get("list")).toEqual([1, 2]);
  });

  it("stores are isolated from each other and from collections", async () => {
    const vault = context.vault();
    const name = context.collectionName("iso");
    const one = await vault.kv(`${name}_one`);
    const two = await vault.kv(`${name}_two`);
    await one.set("k", "one");
    await two.set("k", "two");
    await vault.store(`${name}_one`, { not: "kv" }, { key: "k" });
    expect(await one.get("k")).toBe("one");
    expect(await two.get("k")).toBe("two");
    expect(await vault.retrieve(`${name}_one`, "k")).toEqual({ _id: "k", not: "kv" });
    expect(await vault.listCollections()).not.toContain(`_avkv.${name}_one`);
  });

  it("a store reopened by name sees the same entries", async () => {
    const vault = context.vault();
    const name = context.collectionName("reopen");
    await (await vault.kv(name)).set("k", { v: 1 });
    expect(await (await vault.kv(name)).get("k")).toEqual({ v: 1 });
  });

  it("mustExist fails for a store never created, and after drop", async () => {
    const vault = context.vault();
    const name = context.collectionName("must_exist");
    await expectErrorKind(expect, () => vault.kv(name, { mustExist: true }), NotFoundError);
    const store = await vault.kv(name);
    await store.set("k", 1);
    expect(await (await vault.kv(name, { mustExist: true })).get("k")).toBe(1);
    await store.drop();
    await expectErrorKind(expect, () => vault.kv(name, { mustExist: true }), NotFoundError);
    const recreated = await vault.kv(name);
    expect(await recreated.size()).toBe(0);
  });

  it("invalid store names and entry keys are refused with ValidationError", async () => {
    const vault = context.vault();
    await expectErrorKind(expect, () => vault.kv("bad name"), ValidationError);
    await expectErrorKind(expect, () => vault.kv(""), ValidationError);
    const store = await open("bad_keys");
    await expectErrorKind(expect, () => store.set("", 1), ValidationError);
    await expectErrorKind(expect, () => store.set("a\u0000b", 1), ValidationError);
    await expectErrorKind(expect, () => store.set("k", undefined as never), ValidationError);
    expect(await store.size()).toBe(0);
  });
}
