/**
 * PostgreSQL-specific behaviour the conformance suite does not reach: the schema layout, exact
 * round-trips of what `jsonb` alone would change (field order, NUL characters), background
 * sweeping of expired rows, all-or-nothing batches under a unique index, nested transactions
 * and index declaration errors.
 */

import { probeService } from "@agentvault/conformance";
import {
  ConflictError,
  createVault,
  type StoredRecord,
  toRecordFilter,
  ValidationError,
} from "@agentvault/core";
import { parseFilter } from "@agentvault/query";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresProvider, schemaNameFor, tableNameFor } from "../src/index.js";
import { dropSchemasWithPrefix, randomSchemaPrefix } from "./postgres-test-support.js";

const probe = await probeService("POSTGRES_URL");
const schemaPrefix = randomSchemaPrefix();

describe.skipIf(!probe.available)(`postgres provider specifics ${probe.skipReason}`, () => {
  let time = Date.UTC(2030, 0, 1);
  const clock = () => time;
  const provider = postgresProvider({
    connectionString: probe.url,
    schemaPrefix,
    clock,
    sweepIntervalMs: 1000,
  });
  const client = new pg.Client({ connectionString: probe.url });
  const rowCount = async (database: string, collection: string) => {
    const table = `${pg.escapeIdentifier(schemaNameFor(schemaPrefix, database))}.${pg.escapeIdentifier(tableNameFor(collection))}`;
    const result = await client.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM ${table}`,
    );
    return result.rows[0]!.count;
  };

  beforeAll(async () => {
    await client.connect();
  });

  afterAll(async () => {
    await client.end();
    await provider.close();
    await dropSchemasWithPrefix(probe.url!, schemaPrefix);
  });

  it("maps each database to its own schema and each collection to its own table", async () => {
    const tenant = provider.withDatabase("Tenant One!");
    await tenant.put("orders", { key: "o1", value: { total: 1 } });
    const schemas = await client.query<{ nspname: string }>(
      "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)",
      [`${schemaPrefix}_`],
    );
    expect(schemas.rows.map((row) => row.nspname)).toContain(
      schemaNameFor(schemaPrefix, "Tenant One!"),
    );
    expect(schemaNameFor(schemaPrefix, "Tenant One!")).toMatch(
      /^avt[0-9a-f]+_tenant_one_[0-9a-f]{10}$/,
    );
    expect(await rowCount("Tenant One!", "orders")).toBe(1);
    expect(await provider.get("orders", "o1")).toBeNull();
  });

  it("keeps field order, which jsonb alone would not, and compares objects in order", async () => {
    const vault = createVault({ provider, now: clock });
    await vault.store(
      "shapes",
      { zeta: 1, alpha: { yy: 1, b: 2 }, mid: [{ d: 1, c: 2 }] },
      { key: "s" },
    );
    const stored = await vault.retrieve("shapes", "s");
    expect(Object.keys(stored!)).toEqual(["_id", "zeta", "alpha", "mid"]);
    expect(Object.keys(stored!.alpha as object)).toEqual(["yy", "b"]);
    expect(await vault.count("shapes", { alpha: { yy: 1, b: 2 } })).toBe(1);
    expect(await vault.count("shapes", { alpha: { b: 2, yy: 1 } })).toBe(0);
  });

  it("stores, finds and orders strings with NUL characters exactly", async () => {
    const vault = createVault({ provider, now: clock });
    const names = ["a", "a\u0000", "a\u0000b", "a\u0001", "a\u0001\u0002", "b"];
    for (const [index, name] of names.entries()) {
      await vault.store("nul", { name }, { key: `n${index}` });
    }
    for (const [index, name] of names.entries()) {
      expect(await vault.retrieve("nul", `n${index}`)).toEqual({ _id: `n${index}`, name });
      expect((await vault.query("nul", { name })).map((doc) => doc._id)).toEqual([`n${index}`]);
    }
    const above = await vault.query("nul", { name: { $gt: "a\u0000" } }, { sort: { name: 1 } });
    expect(above.map((doc) => doc.name)).toEqual(names.slice(2));
  });

  it("keeps exact values and metadata through batches and batch updates", async () => {
    const records: StoredRecord[] = [
      { key: "m1", value: { zz: "a\u0000", a: 1 }, metadata: { tag: "x\u0001y", b: [1] } },
      { key: "m2", value: { a: 2 }, metadata: { long: 1, s: "plain" } },
      { key: "m3", value: "top-level\u0000string" },
    ];
    await provider.putMany("exact", records);
    const read = async () =>
      (await provider.getMany("exact", ["m1", "m2", "m3"])).map((record) => ({
        value: record?.value,
        metadata: record?.metadata,
        order: Object.keys((record?.value ?? {}) as object),
      }));
    expect(await read()).toEqual(
      records.map((record) => ({
        value: record.value,
        metadata: record.metadata,
        order: Object.keys(record.value as object),
      })),
    );
    const changed = await provider.updateMany("exact", parseFilter({}), {
      metadata: { tag: "y\u0000", a: 0 },
    });
    expect(changed).toBe(3);
    const after = await provider.getMany("exact", ["m1", "m3"]);
    expect(after.map((record) => record?.metadata)).toEqual([
      { tag: "y\u0000", a: 0 },
      { tag: "y\u0000", a: 0 },
    ]);
    expect(Object.keys(after[0]!.value as object)).toEqual(["zz", "a"]);
    expect(after[1]!.value).toBe("top-level\u0000string");
  });

  it("deletes expired rows in the background on writes", async () => {
    await provider.put("sessions", { key: "old", value: 1, expiresAt: time + 10 });
    await provider.put("sessions", { key: "live", value: 2 });
    time += 5000;
    expect(await provider.get("sessions", "old")).toBeNull();
    await provider.put("sessions", { key: "new", value: 3 });
    let remaining = await rowCount("default", "sessions");
    for (let attempt = 0; attempt < 50 && remaining > 2; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      remaining = await rowCount("default", "sessions");
    }
    expect(remaining).toBe(2);
  });

  it("writes a batch all or nothing when a unique index rejects one record", async () => {
    await provider.ensureIndexes("users", [{ fields: ["value.email"], type: "unique" }]);
    await provider.put("users", { key: "u0", value: { email: "taken@example.com" } });
    const batch: StoredRecord[] = [
      { key: "u1", value: { email: "one@example.com" } },
      { key: "u2", value: { email: "taken@example.com" } },
    ];
    const error = await provider.putMany("users", batch).catch((caught: unknown) => caught);
    expect(ConflictError.isInstance(error)).toBe(true);
    expect(await provider.get("users", "u1")).toBeNull();
  });

  it("rolls back a nested transaction alone", async () => {
    await provider.transaction(async (tx) => {
      await tx.put("ledger", { key: "outer", value: 1 });
      await tx.transaction!(async (inner) => {
        await inner.put("ledger", { key: "inner", value: 2 });
        throw new Error("undo the inner part");
      }).catch(() => {});
      await Promise.all([
        tx.put("ledger", { key: "a", value: 3 }),
        tx.put("ledger", { key: "b", value: 4 }),
      ]);
    });
    const keys = (await provider.find("ledger", { filter: parseFilter({}) })).map((r) => r.key);
    expect(keys).toEqual(["outer", "a", "b"]);
  });

  it("refuses index declarations outside the record view before creating anything", async () => {
    const error = await provider
      .ensureIndexes("catalog", [
        { fields: ["value.sku"], name: "good" },
        { fields: ["price"], name: "bad" },
      ])
      .catch((caught: unknown) => caught);
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(await provider.listCollections()).not.toContain("catalog");
  });

  it("answers an exact, _id-sorted page in SQL the same as the evaluator would", async () => {
    const records = Array.from({ length: 40 }, (_, index) => ({
      key: `k${String(index).padStart(2, "0")}`,
      value: { n: index % 7, tags: index % 2 ? ["odd"] : ["even", "x"] },
    }));
    await provider.putMany("pages", records);
    const filter = toRecordFilter(parseFilter({ n: { $gte: 2 }, tags: "even" }));
    const page = await provider.find("pages", {
      filter,
      sort: [{ field: { path: "_id", segments: ["_id"] }, direction: -1 }],
      skip: 3,
      limit: 5,
    });
    const expected = records
      .filter((record) => record.value.n >= 2 && record.value.tags.includes("even"))
      .map((record) => record.key)
      .sort()
      .reverse()
      .slice(3, 8);
    expect(page.map((record) => record.key)).toEqual(expected);
  });

  it("reads only keys and values when asked, matching and ordering as a full find", async () => {
    time = Date.UTC(2030, 0, 2);
    const records: StoredRecord[] = Array.from({ length: 12 }, (_, index) => ({
      key: `m${String(index).padStart(2, "0")}`,
      value: { group: index % 3, "z-first": index, at: new Date(Date.UTC(2030, 0, index + 1)) },
      metadata: { owner: `u${index}` },
      expiresAt: index === 4 ? time - 1 : time + 60_000,
      vector: [index, 1],
    }));
    await provider.putMany("lean", records);
    const filter = toRecordFilter(parseFilter({ group: 1 }));
    const full = await provider.find("lean", { filter });
    const lean = await provider.find("lean", { filter, keysAndValuesOnly: true });
    expect(full.map((record) => record.key)).toEqual(["m01", "m07", "m10"]);
    expect(full[0]!.metadata).toEqual({ owner: "u1" });
    expect(lean).toEqual(full.map((record) => ({ key: record.key, value: record.value })));
    expect(Object.keys(lean[0]!.value as object)).toEqual(["group", "z-first", "at"]);
    expect((lean[0]!.value as { at: unknown }).at).toEqual(new Date(Date.UTC(2030, 0, 2)));
    const documents = await createVault({ provider }).query("lean", { group: 1 });
    expect(documents.map((document) => document._id)).toEqual(["m01", "m07", "m10"]);
    expect(documents[0]).toEqual({ _id: "m01", ...(records[1]!.value as object) });
  });
});
