/**
 * Atomic updates: concurrent `$inc`s on one counter end exact, from one provider, from two
 * providers on the same file (two connections), and from several processes at once (where
 * `BEGIN IMMEDIATE` is what keeps each read-modify-write atomic). Also: what one connection
 * writes, another connection's compiled filters see, even when it changes where arrays are.
 */

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createVault } from "@agentvault/core";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { sqliteProvider } from "../src/index.js";

const here = dirname(fileURLToPath(import.meta.url));
let directory = "";
const directories: string[] = [];

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "agentvault-sqlite-concurrency-"));
  directories.push(directory);
});

afterAll(() => {
  for (const each of directories) rmSync(each, { recursive: true, force: true });
});

describe("concurrent $inc on one counter", () => {
  it("50 concurrent updates through one provider end exact", async () => {
    const vault = createVault({ provider: sqliteProvider({ directory }) });
    await vault.store("counters", { value: 0 }, { key: "shared" });
    await Promise.all(
      Array.from({ length: 50 }, () => vault.update("counters", "shared", { $inc: { value: 1 } })),
    );
    expect(await vault.retrieve("counters", "shared")).toEqual({ _id: "shared", value: 50 });
    await vault.close();
  });

  it("two providers on the same file (two connections) interleaving updates end exact", async () => {
    const first = createVault({ provider: sqliteProvider({ directory }) });
    const second = createVault({ provider: sqliteProvider({ directory }) });
    await first.store("counters", { value: 0 }, { key: "shared" });
    await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        (index % 2 === 0 ? first : second).update("counters", "shared", { $inc: { value: 1 } }),
      ),
    );
    expect(await second.retrieve("counters", "shared")).toEqual({ _id: "shared", value: 100 });
    await Promise.all([first.close(), second.close()]);
  });

  it("three processes incrementing at the same time end exact", { timeout: 60_000 }, async () => {
    const vault = createVault({ provider: sqliteProvider({ directory }) });
    await vault.store("counters", { value: 0 }, { key: "shared" });
    const children = [startIncrementer(300), startIncrementer(300)];
    await Promise.all(children.map((child) => child.ready));
    for (const child of children) child.go();
    for (let index = 0; index < 300; index++) {
      await vault.update("counters", "shared", { $inc: { value: 1 } });
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await Promise.all(children.map((child) => child.finished))).toEqual(["done", "done"]);
    expect(await vault.retrieve("counters", "shared")).toEqual({ _id: "shared", value: 900 });
    await vault.close();
  });
});

/** Starts an increment-writer child; `go()` releases it once `ready` resolved. */
function startIncrementer(count: number) {
  const child = spawn(
    process.execPath,
    [
      "--conditions=@agentvault/source",
      "--import",
      "tsx",
      join(here, "fixtures", "increment-writer.ts"),
      directory,
      String(count),
    ],
    { cwd: join(here, ".."), stdio: ["pipe", "pipe", "inherit"] },
  );
  let output = "";
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes("ready\n")) markReady();
  });
  const finished = new Promise<string>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", () => resolve(output.replace("ready\n", "").trim()));
  });
  return { ready, finished, go: () => child.stdin.write("go\n") };
}

describe("two connections on one file", () => {
  it("filters compiled by one connection see arrays another connection wrote", async () => {
    const reader = createVault({ provider: sqliteProvider({ directory }) });
    const writer = createVault({ provider: sqliteProvider({ directory }) });
    await reader.store("notes", { tag: "a", n: 1 }, { key: "scalar" });
    // The reader has compiled `tag` as a plain (array-free) path...
    expect((await reader.query("notes", { tag: "b" })).map((doc) => doc._id)).toEqual([]);
    // ...then another connection stores an array there.
    await writer.store("notes", { tag: ["b", "c"], n: 2 }, { key: "array" });
    expect((await reader.query("notes", { tag: "b" })).map((doc) => doc._id)).toEqual(["array"]);
    expect(await reader.count("notes", { tag: { $in: ["a", "c"] } })).toBe(2);
    expect((await reader.query("notes", {}, { sort: { tag: 1 } })).map((doc) => doc._id)).toEqual([
      "scalar",
      "array",
    ]);
    await Promise.all([reader.close(), writer.close()]);
  });

  it("a collection dropped and recreated by another connection is read afresh", async () => {
    const reader = createVault({ provider: sqliteProvider({ directory }) });
    const writer = createVault({ provider: sqliteProvider({ directory }) });
    await reader.store("items", { v: 1 }, { key: "old" });
    expect(await reader.retrieve("items", "old")).toEqual({ _id: "old", v: 1 });
    expect(await writer.clear("items")).toBe(1);
    expect(await reader.retrieve("items", "old")).toBeNull();
    await writer.store("items", { v: 2 }, { key: "new" });
    expect(await reader.retrieve("items", "new")).toEqual({ _id: "new", v: 2 });
    expect(await reader.query("items", { v: 2 })).toEqual([{ _id: "new", v: 2 }]);
    await Promise.all([reader.close(), writer.close()]);
  });
});
