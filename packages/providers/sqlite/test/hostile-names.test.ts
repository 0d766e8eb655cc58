/**
 * Collection names, keys, field names and values that look like SQL never reach SQL as text:
 * they are stored, queried, listed and dropped exactly, and the database keeps its tables.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createVault, toRecordFilter } from "@agentvault/core";
import { parseFilter } from "@agentvault/query";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { sqliteProvider } from "../src/index.js";

const directory = mkdtempSync(join(tmpdir(), "agentvault-sqlite-hostile-"));
const provider = sqliteProvider({ directory });
afterAll(async () => {
  await provider.close();
  rmSync(directory, { recursive: true, force: true });
});

const hostile = [
  "'; DROP TABLE _av_collections; --",
  '"; DROP TABLE _av_collections; --',
  "]; DROP TABLE x; [",
  "`backtick`",
  "Robert'); DELETE FROM _av_meta WHERE ('1'='1",
  "__proto__",
  "constructor",
  "_av_c1",
  "a\"b'c]d`e",
  "日本語 ✓ 😀",
  "$where",
  "x".repeat(300),
];

function tables(): string[] {
  const raw = new Database(join(directory, "default.db"), { readonly: true });
  try {
    return raw
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all() as string[];
  } finally {
    raw.close();
  }
}

describe("hostile collection names (straight to the provider, which accepts any string)", () => {
  it("each is its own collection: stored, read, queried, listed and dropped", async () => {
    for (const [index, name] of hostile.entries()) {
      await provider.put(name, { key: `k${index}`, value: { name, index } });
    }
    for (const [index, name] of hostile.entries()) {
      expect(await provider.get(name, `k${index}`)).toMatchObject({ value: { name, index } });
      const found = await provider.find(name, { filter: parseFilter({ "value.name": name }) });
      expect(found.map((record) => record.key)).toEqual([`k${index}`]);
    }
    expect(await provider.listCollections()).toEqual([...hostile].sort());
    const registry = tables();
    expect(registry).toContain("_av_collections");
    expect(registry).toContain("_av_meta");
    for (const name of hostile) expect(await provider.dropCollection(name)).toBe(1);
    expect(await provider.listCollections()).toEqual([]);
    expect(tables()).toContain("_av_collections");
  });
});

describe("hostile keys, field names and values through the Vault", () => {
  it("round-trip and match exactly, with exact SQL", async () => {
    const vault = createVault({ provider });
    const keys = ["'; DROP TABLE _av_collections; --", 'a"b', "]`[", "x' OR '1'='1", "__proto__"];
    for (const key of keys) {
      await vault.store(
        "docs",
        { 'it\'s "odd"': key, "]": ["'", '"'], "back`tick": { "x'y": 1 } },
        { key },
      );
    }
    for (const key of keys) {
      expect(await vault.retrieve("docs", key)).toEqual({
        _id: key,
        'it\'s "odd"': key,
        "]": ["'", '"'],
        "back`tick": { "x'y": 1 },
      });
    }
    const filters = [
      { 'it\'s "odd"': "x' OR '1'='1" },
      { _id: "'; DROP TABLE _av_collections; --" },
      { "]": '"', "back`tick.x'y": 1, _id: 'a"b' },
      { 'it\'s "odd"': { $regex: "^'; DROP" } },
    ];
    const expected = [
      ["x' OR '1'='1"],
      ["'; DROP TABLE _av_collections; --"],
      ['a"b'],
      ["'; DROP TABLE _av_collections; --"],
    ];
    for (const [index, filter] of filters.entries()) {
      const found = await vault.query("docs", filter);
      expect(found.map((doc) => doc._id)).toEqual(expected[index]);
      const explained = await provider.explainFind("docs", {
        filter: toRecordFilter(parseFilter(filter)),
      });
      expect(explained.mode).toBe("sql");
    }
    expect(await vault.count("docs", { 'it\'s "odd"': { $in: keys } })).toBe(keys.length);
    expect(tables()).toContain("_av_collections");
  });

  it("prototype-looking keys and fields never touch prototypes", async () => {
    const vault = createVault({ provider });
    await vault.store("proto", JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1}'), {
      key: "__proto__",
    });
    const stored = await vault.retrieve("proto", "__proto__");
    expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.hasOwn(stored!, "__proto__")).toBe(true);
    expect(await vault.query("proto", { "__proto__.polluted": true })).toHaveLength(1);
  });
});
