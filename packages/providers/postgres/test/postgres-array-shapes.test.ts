/**
 * Array shapes on a real PostgreSQL: a collection that never stored an array at a path queries
 * it with one plain comparison (guarded by the registry token), and storing an array there later
 * switches the compiled SQL back to the array-aware form with results staying right, through
 * the same provider, through a second provider with its own pool whose cached shapes are stale,
 * inside transactions, and after a rolled-back registration.
 */

import { probeService } from "@agentvault/conformance";
import { createVault, type Vault } from "@agentvault/core";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { postgresProvider } from "../src/index.js";
import { dropSchemasWithPrefix, randomSchemaPrefix } from "./postgres-test-support.js";

const probe = await probeService("POSTGRES_URL");
const schemaPrefix = randomSchemaPrefix();

/** A pool that remembers the text of every statement it runs. */
function recordingPool(url: string): { pool: pg.Pool; statements: string[] } {
  const pool = new pg.Pool({ connectionString: url, max: 3, options: "-c jit=off" });
  const statements: string[] = [];
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  Object.assign(pool, {
    query: (config: unknown, ...rest: unknown[]) => {
      statements.push(typeof config === "string" ? config : (config as { text: string }).text);
      return query(config, ...rest);
    },
  });
  return { pool, statements };
}

/** The statements that read records of the `items` table with a filter. */
function filteredReads(statements: readonly string[]): string[] {
  return statements.filter((text) => text.startsWith("SELECT key,") && text.includes("->"));
}

const guarded = (text: string) => text.includes("av_current");
const arrayAware = (text: string) => text.includes("'{}'::jsonb");

describe.skipIf(!probe.available)(`postgres array shapes ${probe.skipReason}`, () => {
  const first = recordingPool(probe.url!);
  const second = recordingPool(probe.url!);
  const open = (pool: pg.Pool, database: string): Vault =>
    createVault({ provider: postgresProvider({ pool, schemaPrefix, database }) });

  afterAll(async () => {
    await Promise.all([first.pool.end(), second.pool.end()]);
    await dropSchemasWithPrefix(probe.url!, schemaPrefix);
  });

  it("queries a path with one comparison until an array is stored there, then finds it", async () => {
    const vault = open(first.pool, "single");
    await vault.store("items", { tag: "x", n: 1 }, { key: "a" });
    await vault.store("items", { tag: "y", n: 2 }, { key: "b" });
    first.statements.length = 0;
    expect((await vault.query("items", { tag: "x" })).map((doc) => doc._id)).toEqual(["a"]);
    const before = filteredReads(first.statements);
    expect(before.length).toBe(1);
    expect(guarded(before[0]!)).toBe(true);
    expect(arrayAware(before[0]!)).toBe(false);

    await vault.store("items", { tag: ["x", "z"], n: 3 }, { key: "c" });
    first.statements.length = 0;
    expect((await vault.query("items", { tag: "x" })).map((doc) => doc._id)).toEqual(["a", "c"]);
    expect(await vault.count("items", { tag: "z" })).toBe(1);
    const after = filteredReads(first.statements);
    expect(arrayAware(after.at(-1)!)).toBe(true);
    // Paths that still never held an array keep the plain form.
    first.statements.length = 0;
    expect(await vault.count("items", { n: { $gte: 2 } })).toBe(2);
    expect(first.statements.some(guarded)).toBe(true);
  });

  it("sees arrays stored through another provider whose shapes it had cached", async () => {
    const reader = open(first.pool, "shared");
    const writer = open(second.pool, "shared");
    await writer.store("items", { tag: "x", box: { size: 1 } }, { key: "a" });
    expect(await reader.query("items", { tag: "x" })).toHaveLength(1);
    expect(await reader.count("items", { "box.size": 2 })).toBe(0);
    expect(await reader.query("items", { tag: "w" })).toEqual([]);

    // The reader's cached shapes say no arrays; the writer stores some at both paths.
    await writer.store("items", { tag: ["w", "x"], box: [{ size: 2 }] }, { key: "b" });
    expect((await reader.query("items", { tag: "x" })).map((doc) => doc._id)).toEqual(["a", "b"]);
    // A statement that finds nothing with stale shapes is checked by a second one.
    expect((await reader.query("items", { tag: "w" })).map((doc) => doc._id)).toEqual(["b"]);
    expect(await reader.count("items", { "box.size": 2 })).toBe(1);
    expect(await reader.query("items", { "box.size": { $exists: false } })).toEqual([]);
  });

  it("sees its own arrays inside a transaction and stays right after a rollback", async () => {
    const vault = open(first.pool, "transactions");
    const other = open(second.pool, "transactions");
    await vault.store("items", { tag: "x" }, { key: "a" });
    expect(await other.count("items", { tag: "x" })).toBe(1);
    await expect(
      vault.transaction(async (tx) => {
        await tx.store("items", { tag: ["x"] }, { key: "b" });
        expect(await tx.count("items", { tag: "x" })).toBe(2);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await other.count("items", { tag: "x" })).toBe(1);
    await vault.transaction(async (tx) => {
      await tx.store("items", { tag: ["x"] }, { key: "c" });
    });
    expect((await other.query("items", { tag: "x" })).map((doc) => doc._id)).toEqual(["a", "c"]);
  });

  it("keeps arrays found through updates and batches", async () => {
    const vault = open(first.pool, "updates");
    const other = open(second.pool, "updates");
    await vault.store("items", { tag: "x", list: 1 }, { key: "a" });
    expect(await other.count("items", { list: 2 })).toBe(0);
    await vault.update("items", "a", { $set: { list: [1, 2] } });
    expect(await other.count("items", { list: 2 })).toBe(1);
    expect(await other.count("items", { "deep.path": 5 })).toBe(0);
    await vault.updateMany("items", { tag: "x" }, { $set: { deep: [{ path: 5 }] } });
    expect(await other.count("items", { "deep.path": 5 })).toBe(1);
  });
});
