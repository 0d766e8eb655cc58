/**
 * Declared indexes are used: for filters on indexed paths, SQLite's own query plan (EXPLAIN
 * QUERY PLAN) searches the declared index, also after the path starts holding arrays.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createVault, type FindQuery, toRecordFilter, toRecordSort } from "@agentvault/core";
import { parseFilter, parseSort } from "@agentvault/query";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SqliteStorageProvider, sqliteProvider } from "../src/index.js";

const directory = mkdtempSync(join(tmpdir(), "agentvault-sqlite-explain-"));
let provider: SqliteStorageProvider;

function query(filter: object, sort?: object): FindQuery {
  return {
    filter: toRecordFilter(parseFilter(filter)),
    sort: sort === undefined ? undefined : toRecordSort(parseSort(sort as never)),
  };
}

beforeAll(async () => {
  provider = sqliteProvider({ directory });
  const vault = createVault({ provider });
  const products = Array.from({ length: 400 }, (_, index) => ({
    _id: `p${index}`,
    category: `c${index % 20}`,
    price: index,
    sku: `sku-${index}`,
    color: index % 2 === 0 ? "red" : "blue",
  }));
  for (const product of products) await vault.store("products", product);
  const created = await provider.ensureIndexes("products", [
    { fields: ["value.category"], name: "by_category" },
    { fields: ["value.price"], type: "descending", name: "by_price" },
    { fields: ["value.sku"], type: "unique", name: "by_sku" },
    { fields: ["metadata.owner"], name: "by_owner" },
    { fields: ["value.title"], type: "text", name: "by_title" },
  ]);
  // Text indexes have no native form here: reported, not faked.
  expect(created).toBe(false);
});

afterAll(async () => {
  await provider.close();
  rmSync(directory, { recursive: true, force: true });
});

describe("EXPLAIN QUERY PLAN uses declared indexes", () => {
  it("equality on an indexed path searches its index", async () => {
    const explained = await provider.explainFind("products", query({ category: "c3" }));
    expect(explained.mode).toBe("sql");
    expect(explained.indexes).toEqual(["by_category"]);
    expect(explained.plan.join("\n")).toMatch(
      /SEARCH r USING INDEX _av_c\d+_i[0-9a-f]+ \(<expr>=\?\)/,
    );
  });

  it("a range and $in use their indexes", async () => {
    const range = await provider.explainFind("products", query({ price: { $gte: 10, $lt: 20 } }));
    expect(range.indexes).toEqual(["by_price"]);
    expect(range.plan.join("\n")).toMatch(/SEARCH r USING INDEX \S+ \(<expr>>\? AND <expr><\?\)/);
    const membership = await provider.explainFind(
      "products",
      query({ sku: { $in: ["sku-1", "sku-2"] } }),
    );
    expect(membership.indexes).toEqual(["by_sku"]);
  });

  it("$or of indexed paths is a multi-index OR", async () => {
    const explained = await provider.explainFind(
      "products",
      query({ $or: [{ category: "c1" }, { sku: "sku-7" }] }),
    );
    expect(explained.plan.join("\n")).toContain("MULTI-INDEX OR");
    expect([...explained.indexes].sort()).toEqual(["by_category", "by_sku"]);
  });

  it("metadata paths and _id are indexed too", async () => {
    const owner = await provider.explainFind("products", {
      filter: parseFilter({ "metadata.owner": "ana" }),
    });
    expect(owner.indexes).toEqual(["by_owner"]);
    const byKey = await provider.explainFind("products", query({ _id: "p5" }));
    expect(byKey.plan.join("\n")).toMatch(/SEARCH r USING INDEX sqlite_autoindex/);
  });

  it("an unindexed path scans, and says so", async () => {
    const explained = await provider.explainFind("products", query({ color: "red" }));
    expect(explained.indexes).toEqual([]);
    expect(explained.plan.join("\n")).toMatch(/SCAN r/);
  });

  it("once the path holds arrays, the index still serves the plain branch", async () => {
    const vault = createVault({ provider });
    await vault.store("products", { _id: "multi", category: ["c3", "c4"], price: 1000, sku: "m" });
    const explained = await provider.explainFind("products", query({ category: "c4" }));
    const plan = explained.plan.join("\n");
    expect(plan).toContain("MULTI-INDEX OR");
    expect(explained.indexes).toEqual(["by_category"]);
    const found = await vault.query(
      "products",
      { category: "c4" },
      { sort: { price: -1 }, limit: 3 },
    );
    expect(found.map((doc) => doc._id)).toEqual(["multi", "p384", "p364"]);
  });
});
