/**
 * kill -9 during acknowledged writes loses nothing. Writer processes (four at a time, on one
 * database file) store records through a Vault and print each key only after `store` (or a
 * transaction) resolved; the test SIGKILLs them at random moments, again and again. Then the
 * file must open cleanly, pass `PRAGMA integrity_check`, and hold every acknowledged key with
 * exactly its document.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createVault } from "@agentvault/core";
import Database from "better-sqlite3";
import { afterAll, expect, it } from "vitest";
import { sqliteProvider } from "../src/index.js";
import { crashDocument } from "./fixtures/crash-document.js";

const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = join(here, "..");
const writer = join(here, "fixtures", "crash-writer.ts");
const directory = mkdtempSync(join(tmpdir(), "agentvault-sqlite-crash-"));

afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Runs one writer until a random moment after its first acknowledgement, then SIGKILLs it. */
function writeUntilKilled(prefix: string, acknowledged: Set<string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      ["--conditions=@agentvault/source", "--import", "tsx", writer, directory, prefix],
      { cwd: packageRoot, stdio: ["ignore", "pipe", "pipe"] },
    );
    let pending = "";
    let armed = false;
    let errors = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      errors += chunk.toString();
    });
    child.stdout!.on("data", (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        if (line === "ready") continue;
        acknowledged.add(line);
        if (!armed) {
          armed = true;
          // A random moment while writes are in full flow.
          setTimeout(() => child.kill("SIGKILL"), 5 + Math.random() * 250);
        }
      }
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") resolve();
      else reject(new Error(`writer exited with ${code}: ${errors.slice(0, 2000)}`));
    });
  });
}

// Each kill costs a process start (about 0.4 s on an idle machine; much more on a loaded one),
// so the writers run four at a time and the timeout is generous.
it("acknowledged writes survive SIGKILL at random moments", { timeout: 120_000 }, async () => {
  const acknowledged = new Set<string>();
  const wanted = 20;
  const started = Date.now();
  let kills = 0;
  let launched = 0;
  const slot = async () => {
    while (launched < wanted) {
      const prefix = `w${launched++}`;
      await writeUntilKilled(prefix, acknowledged);
      kills++;
    }
  };
  await Promise.all(Array.from({ length: 4 }, slot));
  console.log(
    `crash test: ${kills} SIGKILLs, ${acknowledged.size} acknowledged keys, ${Date.now() - started} ms`,
  );
  expect(kills).toBeGreaterThanOrEqual(20);

  const raw = new Database(join(directory, "default.db"));
  expect(raw.pragma("integrity_check", { simple: true })).toBe("ok");
  raw.close();

  const vault = createVault({ provider: sqliteProvider({ directory }) });
  try {
    const missing: string[] = [];
    for (const key of acknowledged) {
      const stored = await vault.retrieve("crash", key);
      if (stored === null) missing.push(key);
      else expect(stored).toEqual({ _id: key, ...crashDocument(key) });
    }
    expect(missing).toEqual([]);
    expect(await vault.count("crash")).toBeGreaterThanOrEqual(acknowledged.size);
  } finally {
    await vault.close();
  }
});
