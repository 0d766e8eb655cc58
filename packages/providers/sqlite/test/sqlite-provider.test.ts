/**
 * What the SQLite provider adds to the shared contract: files per database, pragmas, the
 * in-memory pass for filters SQL cannot decide, expiry sweeping, unique indexes, lock errors.
 */

import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ConflictError,
  createVault,
  ProviderUnavailableError,
  toRecordFilter,
  toRecordSort,
  ValidationError,
} from "@agentvault/core";
import { parseFilter, parseSort } from "@agentvault/query";
import Database from "better-sqlite3";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { databaseFileName, sqliteProvider } from "../src/index.js";

let directory = "";
const directories: string[] = [];
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "agentvault-sqlite-provider-"));
  directories.push(directory);
});
afterAll(() => {
  for (const each of directories) rmSync(each, { recursive: true, force: true });
});

describe("files and databases", () => {
  it("keeps one file per database, named safely, sharing nothing", async () => {
    const provider = sqliteProvider({ directory });
    const tenant = provider.withDatabase("Acme/../../etc");
    await provider.put("notes", { key: "a", value: { owner: "default" } });
    await tenant.put("notes", { key: "a", value: { owner: "acme" } });
    expect((await provider.get("notes", "a"))?.value).toEqual({ owner: "default" });
    expect((await tenant.get("notes", "a"))?.value).toEqual({ owner: "acme" });
    const files = readdirSync(directory).filter((name) => name.endsWith(".db"));
    expect(files.sort()).toEqual(["default.db", databaseFileName("Acme/../../etc")].sort());
    expect(databaseFileName("Acme/../../etc")).not.toMatch(/[/\\]|\.\./);
    await provider.close();
    // Siblings share one close.
    await expect(tenant.get("notes", "a")).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it("derives distinct, bounded, portable file names from any name", () => {
    const names = [
      "acme",
      "Acme",
      "ACME",
      "a.b",
      "a~2eb",
      "con",
      "CON",
      "日本",
      "a b",
      "x".repeat(5000),
    ];
    const files = names.map(databaseFileName);
    expect(new Set(files).size).toBe(names.length);
    for (const file of files) {
      expect(file).toMatch(/^[a-z0-9_~-]+\.db$/);
      expect(file.length).toBeLessThanOrEqual(200);
    }
    expect(databaseFileName("con")).not.toBe("con.db");
    expect(() => databaseFileName("")).toThrow(ValidationError);
  });

  it("with path, siblings live beside the file; a name mapping onto it is refused", async () => {
    const path = join(directory, "vault.db");
    const provider = sqliteProvider({ path });
    await provider.withDatabase("other").put("c", { key: "k", value: 1 });
    expect(existsSync(join(directory, "other.db"))).toBe(true);
    await expect(provider.withDatabase("vault").get("c", "k")).rejects.toBeInstanceOf(
      ValidationError,
    );
    await provider.close();
  });

  it("applies WAL, busy timeout and the durability level, and leaves a given connection open", async () => {
    const db = new Database(join(directory, "own.db"));
    const strict = sqliteProvider({ db, durability: "power-loss", busyTimeoutMs: 1234 });
    await strict.put("c", { key: "k", value: 1 });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("synchronous", { simple: true })).toBe(2);
    expect(db.pragma("busy_timeout", { simple: true })).toBe(1234);
    await strict.close();
    expect(db.open).toBe(true);
    const relaxed = sqliteProvider({ db });
    await relaxed.get("c", "k");
    expect(db.pragma("synchronous", { simple: true })).toBe(1);
    await relaxed.close();
    db.close();
    expect(() => sqliteProvider({ directory, durability: "eventually" as never })).toThrow(
      ValidationError,
    );
  });

  it("works in memory", async () => {
    const provider = sqliteProvider({ path: ":memory:" });
    const vault = createVault({ provider });
    await vault.store("c", { n: 1 }, { key: "k" });
    expect(await vault.query("c", { n: 1 })).toEqual([{ _id: "k", n: 1 }]);
    await vault.close();
  });
});

describe("filters SQL cannot decide run again in memory", () => {
  it("a field name JSON paths cannot spell gives a residual plan with exact results", async () => {
    const provider = sqliteProvider({ directory });
    const vault = createVault({ provider });
    for (let index = 0; index < 30; index++) {
      await vault.store(
        "odd",
        { "tab\tname": index % 3, n: index },
        { key: `k${String(index).padStart(2, "0")}` },
      );
    }
    const filter = { "tab\tname": 1, n: { $gte: 10 } };
    const query = {
      filter: toRecordFilter(parseFilter(filter)),
      sort: toRecordSort(parseSort({ n: -1 })),
    };
    expect((await provider.explainFind("odd", query)).mode).toBe("residual");
    const found = await vault.query("odd", filter, { sort: { n: -1 }, skip: 1, limit: 3 });
    expect(found.map((doc) => doc.n)).toEqual([25, 22, 19]);
    expect(await vault.count("odd", filter)).toBe(7);
    expect(await vault.updateMany("odd", filter, { $set: { hit: true } })).toBe(7);
    expect(await vault.count("odd", { hit: true })).toBe(7);
    expect(await vault.deleteMany("odd", filter)).toBe(7);
    expect(await vault.count("odd")).toBe(23);
    await vault.close();
  });

  it("sorts SQL cannot follow (objects on the sort path) are done in memory", async () => {
    const provider = sqliteProvider({ directory });
    const vault = createVault({ provider });
    await vault.store("mixed", { v: { b: 1 } }, { key: "object-b" });
    await vault.store("mixed", { v: { a: 2 } }, { key: "object-a" });
    await vault.store("mixed", { v: 5 }, { key: "number" });
    await vault.store("mixed", { v: "s" }, { key: "string" });
    const query = {
      filter: toRecordFilter(parseFilter({})),
      sort: toRecordSort(parseSort({ v: 1 })),
    };
    expect((await provider.explainFind("mixed", query)).mode).toBe("sortInMemory");
    const sorted = await vault.query("mixed", {}, { sort: { v: 1 } });
    expect(sorted.map((doc) => doc._id)).toEqual(["number", "string", "object-a", "object-b"]);
    await vault.deleteMany("mixed", { v: { $type: "object" } });
    expect((await provider.explainFind("mixed", query)).mode).toBe("sql");
    await vault.close();
  });
});

describe("expiry", () => {
  it("never returns expired records, and sweeps them on a later write", async () => {
    let now = 1_000_000;
    const provider = sqliteProvider({ directory, clock: () => now, sweepIntervalMs: 1000 });
    await provider.put("c", { key: "short", value: { n: 1 }, expiresAt: now + 100 });
    await provider.put("c", { key: "long", value: { n: 1 }, expiresAt: now + 10_000 });
    now += 200;
    expect(await provider.get("c", "short")).toBeNull();
    expect(
      (await provider.find("c", { filter: parseFilter({ "value.n": 1 }) })).map((r) => r.key),
    ).toEqual(["long"]);
    expect(await provider.count("c", parseFilter({}))).toBe(1);
    expect(await provider.delete("c", "short")).toBe(false);
    const rows = () => {
      const raw = new Database(join(directory, "default.db"), { readonly: true });
      const count = raw.prepare("SELECT count(*) FROM _av_c1").pluck().get();
      raw.close();
      return count;
    };
    await provider.put("c", { key: "other", value: {} });
    expect(rows()).toBe(2);
    await provider.put("c", { key: "x", value: {}, expiresAt: now + 50 });
    now += 2000;
    await provider.put("c", { key: "y", value: {} });
    // "long" is still live; "x" was swept by the write after the interval.
    expect(rows()).toBe(3);
    expect(await provider.listCollections()).toEqual(["c"]);
    now += 20_000;
    expect(await provider.get("c", "long")).toBeNull();
    await provider.close();
  });
});

describe("unique indexes and locks", () => {
  it("a unique index refuses duplicates with ConflictError, unless the holder expired", async () => {
    let now = 5_000;
    const provider = sqliteProvider({ directory, clock: () => now });
    await provider.ensureIndexes("users", [{ fields: ["value.email"], type: "unique" }]);
    await provider.put("users", { key: "a", value: { email: "x@y" }, expiresAt: now + 10 });
    await expect(
      provider.put("users", { key: "b", value: { email: "x@y" } }),
    ).rejects.toBeInstanceOf(ConflictError);
    now += 100;
    await provider.put("users", { key: "b", value: { email: "x@y" } });
    expect((await provider.get("users", "b"))?.value).toEqual({ email: "x@y" });
    await provider.close();
  });

  it("a write blocked by another connection's lock fails with ProviderUnavailableError", async () => {
    const provider = sqliteProvider({ directory, busyTimeoutMs: 50 });
    await provider.put("c", { key: "k", value: 1 });
    const other = new Database(join(directory, "default.db"));
    other.exec("BEGIN IMMEDIATE");
    try {
      const error = await provider.put("c", { key: "k", value: 2 }).catch((caught) => caught);
      expect(error).toBeInstanceOf(ProviderUnavailableError);
      expect((error as Error).message).not.toMatch(/SQLITE|INSERT|\.db/);
      // Reads still work under WAL while another connection writes.
      expect((await provider.get("c", "k"))?.value).toBe(1);
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    await provider.put("c", { key: "k", value: 3 });
    expect((await provider.get("c", "k"))?.value).toBe(3);
    await provider.close();
  });

  it("close is idempotent and later calls fail clearly", async () => {
    const provider = sqliteProvider({ directory });
    await provider.put("c", { key: "k", value: 1 });
    await provider.close();
    await provider.close();
    await expect(provider.get("c", "k")).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect((await provider.health()).ok).toBe(false);
  });
});
