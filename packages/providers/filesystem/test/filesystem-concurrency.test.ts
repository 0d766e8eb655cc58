/**
 * A single-record update is atomic: concurrent `$inc` on one counter end exact, within one
 * provider, across providers in one process, and across processes; locks left by dead
 * processes are broken, live ones are waited for.
 */

import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { createVault, ProviderUnavailableError, type Vault } from "@agentvault/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { filesystemProvider } from "../src/index.js";
import { exited, lines, spawnFixture } from "./child-process.js";
import { createTemporaryFolder, removeTemporaryFolder } from "./temporary-folders.js";

const counterFolder = ["default", "counters"];

describe("filesystem provider: concurrent updates", () => {
  let basePath: string;
  const vaults: Vault[] = [];

  function open(options: { lockTimeoutMs?: number; staleLockMs?: number } = {}): Vault {
    const vault = createVault({ provider: filesystemProvider({ basePath, ...options }) });
    vaults.push(vault);
    return vault;
  }

  async function counter(vault: Vault): Promise<unknown> {
    return (await vault.retrieve("counters", "shared"))?.value;
  }

  function increments(vault: Vault, count: number): Promise<boolean[]> {
    return Promise.all(
      Array.from({ length: count }, () =>
        vault.update("counters", "shared", { $inc: { value: 1 } }),
      ),
    );
  }

  async function writeLock(owner: { pid: number; host: string; at: number }): Promise<string> {
    const path = join(basePath, ...counterFolder, "shared.lock");
    await writeFile(path, JSON.stringify({ ...owner, nonce: "foreign" }));
    return path;
  }

  beforeEach(async () => {
    basePath = await createTemporaryFolder("concurrency");
    await open().store("counters", { value: 0 }, { key: "shared" });
  });
  afterEach(async () => {
    for (const vault of vaults.splice(0)) await vault.close();
    await removeTemporaryFolder(basePath);
  });

  it("50 concurrent $inc through one vault end exact", async () => {
    const vault = open();
    expect(await increments(vault, 50)).toEqual(Array(50).fill(true));
    expect(await counter(vault)).toBe(50);
  });

  it("concurrent $inc through two providers on the same folder end exact", async () => {
    await Promise.all([increments(open(), 25), increments(open(), 25)]);
    expect(await counter(open())).toBe(50);
  });

  it("concurrent $inc from three processes and this one end exact", async () => {
    // Every process starts incrementing at the same moment, once all have loaded.
    const startAt = Date.now() + 1500;
    const children = Array.from({ length: 3 }, () =>
      spawnFixture("increment-worker.ts", [basePath, "40", String(startAt)]),
    );
    const outputs = children.map(lines);
    const vault = createVault({ provider: filesystemProvider({ basePath, fsync: false }) });
    vaults.push(vault);
    await new Promise((resolve) => setTimeout(resolve, startAt - Date.now()));
    await increments(vault, 40);
    for (const [index, child] of children.entries()) {
      expect(await exited(child), outputs[index]?.stderr()).toBe(0);
      expect(outputs[index]?.seen).toEqual(["done"]);
    }
    expect(await counter(open())).toBe(160);
  });

  it("breaks a lock left by a dead process at once", async () => {
    const dead = spawn(process.execPath, ["-e", ""]);
    await new Promise((resolve) => dead.once("exit", resolve));
    await writeLock({ pid: dead.pid as number, host: hostname(), at: Date.now() });
    // A stale age of a minute proves the lock is broken because its owner is dead, not old.
    const vault = open({ lockTimeoutMs: 2000, staleLockMs: 60_000 });
    expect(await vault.update("counters", "shared", { $inc: { value: 1 } })).toBe(true);
    expect(await counter(vault)).toBe(1);
  });

  it("breaks a lock of another host once it is older than staleLockMs", async () => {
    await writeLock({ pid: 1, host: "another-host", at: Date.now() - 5000 });
    const vault = open({ lockTimeoutMs: 2000, staleLockMs: 1000 });
    expect(await vault.update("counters", "shared", { $inc: { value: 1 } })).toBe(true);
    expect(await counter(vault)).toBe(1);
  });

  it("waits for a live process's lock, then fails with ProviderUnavailableError", async () => {
    const lockPath = await writeLock({
      pid: process.pid + 0,
      host: "another-host",
      at: Date.now(),
    });
    const vault = open({ lockTimeoutMs: 150, staleLockMs: 60_000 });
    const started = Date.now();
    const failure = await vault
      .update("counters", "shared", { $inc: { value: 1 } })
      .catch((error) => error);
    expect(ProviderUnavailableError.isInstance(failure)).toBe(true);
    expect(String(failure.message)).not.toContain(basePath);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(await counter(vault)).toBe(0);
    // Once the owner releases it, writes go through.
    await removeTemporaryFolder(lockPath);
    expect(await vault.update("counters", "shared", { $inc: { value: 1 } })).toBe(true);
    expect(await counter(vault)).toBe(1);
  });

  it("batches locking overlapping keys in opposite orders never deadlock", async () => {
    const provider = filesystemProvider({ basePath, fsync: false });
    const record = (key: string, value: number) => ({ key, value: { value } });
    const batches = Array.from({ length: 20 }, (_, index) =>
      provider.putMany(
        "letters",
        index % 2 === 0
          ? [record("a", index), record("b", index), record("c", index)]
          : [record("c", index), record("b", index), record("a", index)],
      ),
    );
    await Promise.all(batches);
    const stored = await provider.getMany("letters", ["a", "b", "c"]);
    // Each batch is written under all three locks, so the three keys end on the same batch.
    const values = stored.map((item) => (item?.value as { value?: number } | undefined)?.value);
    expect(values.every((value) => typeof value === "number")).toBe(true);
    expect(new Set(values).size).toBe(1);
    await provider.close();
  });
});
