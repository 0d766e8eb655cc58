/**
 * Declared indexes on a real PostgreSQL: `ensureIndexes` creates them, and the plans of compiled
 * filters (`EXPLAIN`, sequential scans disabled so the planner shows what it can use) name them
 * for equality, `$in`, number, string and date ranges, compound and metadata paths. Unique
 * indexes reject duplicates with `ConflictError`.
 */

import { probeService } from "@agentvault/conformance";
import { ConflictError, createVault, type StoredRecord, toRecordFilter } from "@agentvault/core";
import { parseFilter } from "@agentvault/query";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  compileFilterToSql,
  indexNameFor,
  postgresProvider,
  SqlParameters,
  schemaNameFor,
  tableNameFor,
} from "../src/index.js";
import { dropSchemasWithPrefix, randomSchemaPrefix } from "./postgres-test-support.js";

const probe = await probeService("POSTGRES_URL");
const schemaPrefix = randomSchemaPrefix();
const collection = "products";
const rows = 3000;

describe.skipIf(!probe.available)(`postgres declared indexes ${probe.skipReason}`, () => {
  const provider = postgresProvider({ connectionString: probe.url, schemaPrefix, database: "idx" });
  const client = new pg.Client({ connectionString: probe.url });
  const table = `${pg.escapeIdentifier(schemaNameFor(schemaPrefix, "idx"))}.${pg.escapeIdentifier(tableNameFor(collection))}`;
  const indexName = (declared: string) => indexNameFor(tableNameFor(collection), declared);

  beforeAll(async () => {
    const records: StoredRecord[] = [];
    for (let index = 0; index < rows; index++) {
      records.push({
        key: `p${index}`,
        value: {
          price: index,
          name: `name-${String(index).padStart(5, "0")}`,
          category: index % 10 === 0 ? "rare" : "common",
          at: new Date(Date.UTC(2020, 0, 1) + index * 86_400_000),
          sku: `sku-${index}`,
          title: `product number ${index}`,
        },
        metadata: { owner: `owner-${index % 100}` },
      });
    }
    await provider.putMany(collection, records);
    const created = await provider.ensureIndexes(collection, [
      { fields: ["value.price"], name: "by_price" },
      { fields: ["value.name"], name: "by_name" },
      { fields: ["value.at"], type: "descending", name: "by_at" },
      { fields: ["value.category", "value.price"], type: "compound", name: "by_category_price" },
      { fields: ["value.sku"], type: "unique", name: "sku_unique" },
      { fields: ["value.title"], type: "text", name: "title_text" },
      { fields: ["metadata.owner"], name: "by_owner" },
    ]);
    expect(created).toBe(true);
    await client.connect();
    await client.query(`ANALYZE ${table}`);
    await client.query("SET enable_seqscan = off");
  });

  afterAll(async () => {
    await client.end();
    await provider.close();
    await dropSchemasWithPrefix(probe.url!, schemaPrefix);
  });

  /** Explains a filter over documents (paths under `value`), or over the record view. */
  async function plan(filter: Record<string, unknown>) {
    const recordView = Object.keys(filter).every((path) => path.startsWith("metadata."));
    const parsed = parseFilter(filter);
    const compiled = compileFilterToSql(recordView ? parsed : toRecordFilter(parsed), {
      codePointCollation: true,
      parameters: new SqlParameters([Date.now()]),
    });
    const result = await client.query<{ "QUERY PLAN": string }>(
      `EXPLAIN SELECT key FROM ${table} WHERE (expires_at IS NULL OR expires_at > $1::float8) AND ${compiled.sql}`,
      compiled.params,
    );
    return { exact: compiled.exact, text: result.rows.map((row) => row["QUERY PLAN"]).join("\n") };
  }

  it("creates every declared index", async () => {
    const result = await client.query<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE schemaname = $1",
      [schemaNameFor(schemaPrefix, "idx")],
    );
    const names = result.rows.map((row) => row.indexname);
    for (const declared of [
      "by_price",
      "by_name",
      "by_at",
      "by_category_price",
      "sku_unique",
      "title_text",
      "by_owner",
    ]) {
      expect(names).toContain(indexName(declared));
    }
  });

  it.each([
    ["number equality", { price: 1234 }, "by_price"],
    ["$in", { price: { $in: [3, 30, 300] } }, "by_price"],
    ["number range", { price: { $gte: 100, $lt: 120 } }, "by_price"],
    ["string range", { name: { $gt: "name-02990" } }, "by_name"],
    ["date range", { at: { $gte: new Date(Date.UTC(2027, 0, 1)) } }, "by_at"],
    ["compound prefix", { category: "rare", price: { $lt: 50 } }, "by_category_price"],
    ["metadata path", { "metadata.owner": "owner-7" }, "by_owner"],
  ])("%s uses the declared index", async (_label, filter, declared) => {
    const { exact, text } = await plan(filter);
    expect(exact).toBe(true);
    expect(text).toContain(indexName(declared));
  });

  it("answers indexed queries with the right records", async () => {
    const vault = createVault({ provider });
    expect(await vault.count(collection, { price: { $gte: 100, $lt: 120 } })).toBe(20);
    expect(await vault.count(collection, { category: "rare", price: { $lt: 50 } })).toBe(5);
    const found = await vault.query(collection, { name: { $gt: "name-02990" } });
    expect(found.map((doc) => doc._id).sort()).toEqual(
      Array.from({ length: 9 }, (_, index) => `p${2991 + index}`).sort(),
    );
  });

  it("rejects a duplicate under a unique index with ConflictError, without server text", async () => {
    const error = await provider
      .put(collection, { key: "dup", value: { sku: "sku-5" } })
      .catch((caught: unknown) => caught);
    expect(ConflictError.isInstance(error)).toBe(true);
    expect((error as Error).message).not.toContain("sku_unique");
    expect(await provider.get(collection, "dup")).toBeNull();
  });
});
