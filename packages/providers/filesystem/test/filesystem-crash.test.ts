/**
 * kill -9 during acknowledged writes loses nothing: a child process writes through a Vault and
 * prints each key only after `store` resolved; it is killed with SIGKILL at random moments, and
 * every acknowledged write must then be present with its exact content.
 */

import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { createVault } from "@agentvault/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filesystemProvider } from "../src/index.js";
import { exited, lines, spawnFixture } from "./child-process.js";
import { crashDocument, crashKey } from "./fixtures/crash-values.js";
import { createTemporaryFolder, listTree, removeTemporaryFolder } from "./temporary-folders.js";

const rounds = 22;

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

describe("filesystem provider: kill -9 during writes", () => {
  let basePath: string;
  const acknowledged = new Map<string, { round: number; index: number }>();
  const attempted = new Set<string>();
  let acknowledgedIncrements = 0;
  let startedIncrements = 0;

  beforeAll(async () => {
    basePath = await createTemporaryFolder("crash");
    const vault = createVault({ provider: filesystemProvider({ basePath }) });
    await vault.store("counters", { value: 0 }, { key: "shared" });
    await vault.close();
  });
  const children = new Set<ReturnType<typeof spawnFixture>>();
  afterAll(async () => {
    // Only reached with live writers when the test failed midway.
    for (const child of children) child.kill("SIGKILL");
    await Promise.all([...children].map(exited));
    await removeTemporaryFolder(basePath);
  });

  it(`keeps every acknowledged write across ${rounds} SIGKILLs`, async () => {
    const start = (round: number) => {
      const child = spawnFixture("crash-writer.ts", [basePath, String(round)]);
      children.add(child);
      child.once("exit", () => children.delete(child));
      return { child, output: lines(child) };
    };
    // The next two writers load while the current one writes, so rounds overlap (processes
    // then write at once, sharing the counter) and the test stays short on a busy machine.
    const queue = [start(0), start(1)];
    for (let round = 0; round < rounds; round++) {
      const { child, output } = queue.shift() as ReturnType<typeof start>;
      await output.waitFor("ready");
      if (round + 2 < rounds) queue.push(start(round + 2));
      await sleep(20 + Math.random() * 250);
      child.kill("SIGKILL");
      expect(await exited(child), output.stderr()).toBe("SIGKILL");
      let index = 0;
      for (const line of output.seen) {
        if (line.startsWith("stored ")) {
          const key = JSON.parse(line.slice("stored ".length)) as string;
          expect(key).toBe(crashKey(round, index));
          acknowledged.set(key, { round, index });
          index++;
          startedIncrements++;
        } else if (line === "incremented") {
          acknowledgedIncrements++;
        }
      }
      // The write after the last acknowledged one may have been in flight.
      for (let attempt = 0; attempt <= index; attempt++) attempted.add(crashKey(round, attempt));
    }
    expect(acknowledged.size).toBeGreaterThan(rounds);

    const provider = filesystemProvider({ basePath, lockTimeoutMs: 3000 });
    expect(await provider.health()).toMatchObject({ ok: true });
    const vault = createVault({ provider });
    for (const [key, { round, index }] of acknowledged) {
      expect(await vault.retrieve("documents", key)).toEqual({
        _id: key,
        ...crashDocument(round, index),
      });
    }
    // Every record file is a complete record of a key that was written, and nothing else
    // (temporary or lock files) is read as one.
    const all = await vault.retrieve("documents");
    for (const doc of all) {
      expect(attempted.has(doc._id)).toBe(true);
      const { round, index } = doc as unknown as { round: number; index: number };
      expect(doc).toEqual({ _id: crashKey(round, index), ...crashDocument(round, index) });
    }
    expect(all.length).toBeGreaterThanOrEqual(acknowledged.size);
    const files = await readdir(join(basePath, "default", "documents"));
    expect(files.filter((file) => file.endsWith(".json"))).toHaveLength(all.length);

    // The counter holds every acknowledged increment, plus at most the one in flight per kill
    // (an increment is only attempted after its store was acknowledged).
    const counter = await vault.retrieve("counters", "shared");
    const value = (counter?.value as number | undefined) ?? 0;
    expect(value).toBeGreaterThanOrEqual(acknowledgedIncrements);
    expect(value).toBeLessThanOrEqual(startedIncrements);

    // Locks left behind by killed writers are broken at once: writes go on.
    expect(await vault.update("counters", "shared", { $inc: { value: 1 } })).toBe(true);
    expect((await vault.retrieve("counters", "shared"))?.value).toBe(value + 1);
    await vault.store("documents", { after: true }, { key: "after-crashes" });
    expect(await vault.retrieve("documents", "after-crashes")).toEqual({
      _id: "after-crashes",
      after: true,
    });
    await vault.close();
    expect((await listTree(basePath)).every((path) => !path.startsWith(".."))).toBe(true);
  }, 30_000);
});
