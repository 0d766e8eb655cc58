/**
 * Group commit: single puts issued in one event-loop turn share one transaction, yet each
 * succeeds or fails on its own, and operations issued after a put (gets included) still see it.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConflictError, ValidationError } from "@agentvault/core";
import Database from "better-sqlite3";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { sqliteProvider } from "../src/index.js";

let directory = "";
const directories: string[] = [];

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "agentvault-sqlite-group-"));
  directories.push(directory);
});

afterAll(() => {
  for (const each of directories) rmSync(each, { recursive: true, force: true });
});

describe("group-committed puts", () => {
  it("fail one by one: a conflict or a bad key refuses only that put", async () => {
    const provider = sqliteProvider({ directory });
    await provider.put("items", { key: "taken", value: { n: -1 } });
    const results = await Promise.allSettled([
      ...Array.from({ length: 10 }, (_, n) =>
        provider.put("items", { key: `k${n}`, value: { n } }, { ifAbsent: true }),
      ),
      provider.put("items", { key: "taken", value: { n: 99 } }, { ifAbsent: true }),
      provider.put("items", { key: "", value: { n: 100 } }),
      provider.put("items", { key: "k10", value: { n: 10, tags: ["new", "array"] } }),
    ]);
    expect(results.slice(0, 10).every((result) => result.status === "fulfilled")).toBe(true);
    const conflict = results[10] as PromiseRejectedResult;
    expect(ConflictError.isInstance(conflict.reason)).toBe(true);
    const invalid = results[11] as PromiseRejectedResult;
    expect(ValidationError.isInstance(invalid.reason)).toBe(true);
    expect(results[12]?.status).toBe("fulfilled");
    expect((await provider.get("items", "taken"))?.value).toEqual({ n: -1 });
    const stored = await provider.getMany(
      "items",
      Array.from({ length: 11 }, (_, n) => `k${n}`),
    );
    expect(stored.map((record) => (record?.value as { n: number } | undefined)?.n)).toEqual(
      Array.from({ length: 11 }, (_, n) => n),
    );
    await provider.close();
  });

  it("keep the order operations were issued in, even when the put is not awaited", async () => {
    const provider = sqliteProvider({ directory });
    const put = provider.put("items", { key: "a", value: { n: 1 } });
    const read = provider.get("items", "a");
    const second = provider.put("items", { key: "a", value: { n: 2 } });
    const removed = provider.delete("items", "a");
    await Promise.all([put, second]);
    expect((await read)?.value).toEqual({ n: 1 });
    expect(await removed).toBe(true);
    expect(await provider.get("items", "a")).toBeNull();
    await provider.close();
  });

  it("are written before a transaction that starts after them, and before close", async () => {
    const provider = sqliteProvider({ directory });
    const put = provider.put("items", { key: "a", value: { n: 1 } });
    const seen = await provider.transaction(async (tx) => (await tx.get("items", "a"))?.value);
    await put;
    expect(seen).toEqual({ n: 1 });
    const last = provider.put("items", { key: "b", value: { n: 2 } });
    await provider.close();
    await last;
    const reopened = sqliteProvider({ directory });
    expect((await reopened.get("items", "b"))?.value).toEqual({ n: 2 });
    await reopened.close();
  });

  it("answer gets issued together each with its own record, mixed with puts in issue order", async () => {
    const provider = sqliteProvider({ directory });
    await Promise.all(
      Array.from({ length: 5 }, (_, n) => provider.put("items", { key: `k${n}`, value: { n } })),
    );
    const answers = await Promise.all([
      provider.get("items", "k3"),
      provider.get("items", "missing"),
      provider.get("elsewhere", "k1"),
      provider.get("items", "k0"),
      provider.put("items", { key: "k0", value: { n: 100 } }).then(() => "put"),
      provider.get("items", "k0"),
    ]);
    expect(
      answers.map((answer) => (answer as { value?: unknown } | null)?.value ?? answer),
    ).toEqual([{ n: 3 }, null, null, { n: 0 }, "put", { n: 100 }]);
    await provider.close();
  });
});

/** Records of the only collection (table `_av_c1`), read through a connection of its own. */
function committedRows(dir: string): number {
  const raw = new Database(join(dir, "default.db"), { readonly: true });
  try {
    return (raw.prepare("SELECT count(*) AS n FROM _av_c1").get() as { n: number }).n;
  } finally {
    raw.close();
  }
}

describe("groupCommit option", () => {
  it('"microtask" commits a lone put before the next turn; "turn" waits for the check phase', async () => {
    const seen: Record<string, number> = {};
    for (const mode of ["microtask", "turn"] as const) {
      const dir = mkdtempSync(join(tmpdir(), `agentvault-sqlite-group-${mode}-`));
      directories.push(dir);
      const provider = sqliteProvider({ directory: dir, groupCommit: mode });
      await provider.put("items", { key: "first", value: { n: 0 } });
      // Queued before the put, so it runs in the same check phase but before the put's flush.
      const checked = new Promise<number>((resolve) =>
        setImmediate(() => resolve(committedRows(dir))),
      );
      const put = provider.put("items", { key: "second", value: { n: 1 } });
      seen[mode] = await checked;
      await put;
      expect(committedRows(dir)).toBe(2);
      await provider.close();
    }
    expect(seen).toEqual({ microtask: 2, turn: 1 });
  });

  it("refuses an unknown mode with a ValidationError", () => {
    expect(() => sqliteProvider({ directory, groupCommit: "never" as "turn" })).toThrow(
      ValidationError,
    );
  });
});
