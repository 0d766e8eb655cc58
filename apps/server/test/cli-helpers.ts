import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const appDir = dirname(dirname(fileURLToPath(import.meta.url)));
const nodeArgs = ["--conditions=@agentvault/source", "--import", "tsx"];

/** What one CLI run printed, and how it exited. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `src/cli.ts` in a child process with `env` over a clean service environment. */
export function cli(args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  return runScript("src/cli.ts", args, env);
}

/** Runs a script of this app (`src/main.ts`, `src/cli.ts`) in a child process with `env`. */
export function runScript(
  script: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...nodeArgs, script, ...args],
      {
        cwd: appDir,
        env: {
          ...process.env,
          AGENTVAULT_STORAGE_URL: "",
          AGENTVAULT_ENCRYPTION_KEYS: "",
          AGENTVAULT_DATABASE_PREFIX: "",
          ...env,
        },
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Every file under `folder`, read whole. */
export async function filesUnder(folder: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(path, await readFile(path));
  }
  return files;
}
