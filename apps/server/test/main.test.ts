import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const appDir = dirname(dirname(fileURLToPath(import.meta.url)));
const nodeArgs = ["--conditions=@agentvault/source", "--import", "tsx"];
const run = promisify(execFile);

async function rpc(url: string, path: string, input: unknown, apiKey: string, method = "POST") {
  const headers = { "content-type": "application/json", authorization: `Bearer ${apiKey}` };
  const response =
    method === "GET"
      ? await fetch(`${url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, {
          headers,
        })
      : await fetch(`${url}/trpc/${path}`, { method, headers, body: JSON.stringify(input) });
  const body = (await response.json()) as {
    result?: { data: unknown };
    error?: { message: string };
  };
  if (body.error) throw new Error(`${path}: ${response.status} ${body.error.message}`);
  return body.result?.data;
}

function waitForOutput(
  child: ChildProcess,
  pattern: RegExp,
  output: { text: string },
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out; output so far:\n${output.text}`)),
      90_000,
    );
    const onExit = (code: number | null) =>
      reject(new Error(`exited with ${code}:\n${output.text}`));
    const finish = (match: RegExpMatchArray) => {
      clearTimeout(timer);
      child.stdout?.off("data", check);
      child.stderr?.off("data", check);
      child.off("exit", onExit);
      resolve(match);
    };
    const check = (chunk: Buffer) => {
      output.text += chunk.toString();
      const match = pattern.exec(output.text);
      if (match) finish(match);
    };
    child.stdout?.on("data", check);
    child.stderr?.on("data", check);
    child.once("exit", onExit);
    // The line may already have arrived with an earlier chunk.
    const already = pattern.exec(output.text);
    if (already) finish(already);
  });
}

describe("pnpm start entry (src/main.ts) in a child process", () => {
  let dataDir: string;
  let child: ChildProcess;
  const output = { text: "" };
  let url: string;
  let rootKey: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "agentvault-app-"));
    child = spawn(process.execPath, [...nodeArgs, "src/main.ts"], {
      cwd: appDir,
      env: {
        ...process.env,
        AGENTVAULT_PORT: "0",
        AGENTVAULT_HOST: "127.0.0.1",
        AGENTVAULT_DATA_DIR: dataDir,
        AGENTVAULT_ROOT_KEY: "",
        AGENTVAULT_STORAGE_URL: "",
        REDIS_URL: "",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    rootKey = (await waitForOutput(child, /\n {2}(avk_\S+)\n/, output))[1] as string;
    url = (await waitForOutput(child, /listening on (http:\/\/\S+?)"/, output))[1] as string;
  }, 120_000);

  afterAll(async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it("prints the root key once, serves tenants over HTTP, and answers /healthz", async () => {
    const tenant = (await rpc(url, "admin.createTenant", { tenant: "acme" }, rootKey)) as {
      apiKey: string;
    };
    const agent = (await rpc(
      url,
      "admin.createKey",
      { principal: "agent", role: "agent" },
      tenant.apiKey,
    )) as {
      apiKey: string;
    };
    const key = await rpc(
      url,
      "vault.store",
      { collection: "notes", doc: { text: "hello", n: 1 } },
      agent.apiKey,
    );
    const found = await rpc(
      url,
      "vault.query",
      { collection: "notes", filter: { n: 1 } },
      agent.apiKey,
      "GET",
    );
    expect(found).toEqual([{ _id: key, text: "hello", n: 1 }]);
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${url}/metrics`)).text()).toContain("agentvault_calls_total");
    expect(output.text.split(rootKey)).toHaveLength(2);
  });

  it("drains and exits 0 on SIGTERM, and keeps data for the admin CLI", async () => {
    child.kill("SIGTERM");
    const code = await new Promise((resolve) => child.once("exit", resolve));
    expect(code).toBe(0);
    const env = { ...process.env, AGENTVAULT_DATA_DIR: dataDir, AGENTVAULT_STORAGE_URL: "" };
    const cli = (args: string[]) =>
      run(process.execPath, [...nodeArgs, "src/cli.ts", ...args], { cwd: appDir, env });
    expect((await cli(["tenants", "list"])).stdout).toBe("acme\n");
    const created = await cli(["keys", "create", "acme", "reporter", "--role", "reader"]);
    expect(created.stdout).toMatch(/^avk_\S+\n$/);
    expect((await cli(["keys", "list", "acme"])).stdout).toContain("\treporter\treader\t");
    const exported = (await cli(["export", "acme"])).stdout;
    expect(exported).toContain('"hello"');
    await cli(["tenants", "create", "copy"]);
    const file = join(dataDir, "acme.jsonl");
    await writeFile(file, exported);
    expect((await cli(["import", "copy", file])).stderr).toMatch(/Imported \d+ records/);
    expect((await cli(["export", "copy"])).stdout).toContain('"hello"');
    await expect(cli(["keys", "revoke", "acme", "nope"])).rejects.toThrow();
  }, 120_000);
});
