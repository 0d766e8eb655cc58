/** Starting the test fixtures as child processes, running on the TypeScript sources. */

import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const packageRoot = fileURLToPath(new URL("..", import.meta.url));

/** Spawns `node --conditions=@agentvault/source --import tsx test/fixtures/<script> ...args`. */
export function spawnFixture(
  script: string,
  args: readonly string[],
): ChildProcessWithoutNullStreams {
  return spawn(
    process.execPath,
    ["--conditions=@agentvault/source", "--import", "tsx", `test/fixtures/${script}`, ...args],
    { cwd: packageRoot, stdio: ["pipe", "pipe", "pipe"] },
  );
}

/** Resolves with the exit code (or signal) once the child has exited. */
export function exited(child: ChildProcessWithoutNullStreams): Promise<number | NodeJS.Signals> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => {
    child.once("exit", (code, signal) => resolve(signal ?? code ?? 0));
  });
}

/** Collects a child's output lines, and lets a caller wait for a given line. */
export function lines(child: ChildProcessWithoutNullStreams) {
  const seen: string[] = [];
  let buffer = "";
  const waiters: { line: string; resolve: () => void }[] = [];
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    buffer += chunk;
    let newline = buffer.indexOf("\n");
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      seen.push(line);
      for (const waiter of waiters.filter((item) => item.line === line)) waiter.resolve();
      newline = buffer.indexOf("\n");
    }
  });
  let errors = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    errors += chunk;
  });
  return {
    /** Complete lines printed so far (a partial last line is not included). */
    seen,
    stderr: () => errors,
    waitFor(line: string): Promise<void> {
      if (seen.includes(line)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        waiters.push({ line, resolve });
        child.once("exit", () =>
          seen.includes(line) ? resolve() : reject(new Error(`exited before "${line}": ${errors}`)),
        );
      });
    },
  };
}
