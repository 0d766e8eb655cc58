import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { probeService } from "@agentvault/conformance";
import { postgresProvider } from "@agentvault/provider-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const appDir = dirname(dirname(fileURLToPath(import.meta.url)));
const postgres = await probeService("POSTGRES_URL");
const redis = await probeService("REDIS_URL");
const reason = [postgres.skipReason, redis.skipReason].filter((text) => text !== "").join("; ");

interface Instance {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: { text: string };
}

function start(env: Record<string, string>): Promise<Instance> {
  const child = spawn(
    process.execPath,
    ["--conditions=@agentvault/source", "--import", "tsx", "src/main.ts"],
    {
      cwd: appDir,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const output = { text: "" };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start in 90 s:\n${output.text}`)), 90_000);
    const read = (chunk: Buffer) => {
      output.text += chunk.toString();
      const match = /listening on (http:\/\/\S+?)"/.exec(output.text);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: match[1], output });
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.once("exit", (code) => reject(new Error(`exited with ${code}:\n${output.text}`)));
  });
}

async function rpc(url: string, path: string, input: unknown, apiKey: string) {
  const response = await fetch(`${url}/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as { result?: { data: unknown } };
  return { status: response.status, data: body.result?.data };
}

describe.skipIf(!(postgres.available && redis.available))(
  `two server processes over one PostgreSQL and Redis ${reason}`,
  () => {
    const prefix = `mp${randomBytes(4).toString("hex")}_`;
    const env = {
      AGENTVAULT_PORT: "0",
      AGENTVAULT_HOST: "127.0.0.1",
      AGENTVAULT_STORAGE_URL: postgres.url ?? "",
      AGENTVAULT_DATABASE_PREFIX: prefix,
      AGENTVAULT_ROOT_KEY: "",
      AGENTVAULT_RATE_LIMIT: "20",
      AGENTVAULT_RATE_WINDOW_SECONDS: "60",
      REDIS_URL: redis.url ?? "",
    };
    let first: Instance;
    let second: Instance;
    let rootKey: string;

    beforeAll(async () => {
      first = await start(env);
      rootKey = /\n {2}(avk_\S+)\n/.exec(first.output.text)?.[1] as string;
      second = await start(env);
    }, 200_000);

    afterAll(async () => {
      for (const instance of [first, second]) {
        if (instance?.child.exitCode === null) {
          instance.child.kill("SIGTERM");
          await new Promise((resolve) => instance.child.once("exit", resolve));
        }
      }
      const cleanup = postgresProvider({ connectionString: postgres.url });
      for (const database of [`${prefix}system`, `${prefix}acme_vault`]) {
        await cleanup.withDatabase(database).dropDatabase();
      }
      await cleanup.close();
    });

    it("act as one: one root key, grants and the rate budget are shared", async () => {
      expect(rootKey).toMatch(/^avk_/);
      expect(second.output.text).not.toContain(rootKey);
      const tenant = await rpc(second.url, "admin.createTenant", { tenant: "acme" }, rootKey);
      const admin = (tenant.data as { apiKey: string }).apiKey;
      const owner = (await rpc(first.url, "admin.createKey", { principal: "owner" }, admin))
        .data as { apiKey: string };
      const reader = (await rpc(second.url, "admin.createKey", { principal: "reader" }, admin))
        .data as { apiKey: string };
      await rpc(first.url, "vault.store", { collection: "data", doc: { n: 1 } }, owner.apiKey);
      expect(
        (await rpc(second.url, "vault.query", { collection: "owner.data" }, reader.apiKey)).status,
      ).toBe(403);
      await rpc(
        second.url,
        "admin.grant",
        { collection: "data", principal: "reader", permission: "read" },
        owner.apiKey,
      );
      expect(
        (await rpc(first.url, "vault.query", { collection: "owner.data" }, reader.apiKey)).status,
      ).toBe(200);
      // reader has spent 2 of 20 calls; alternate instances until the shared budget runs out.
      const statuses: number[] = [];
      for (let index = 0; index < 20; index++) {
        const url = index % 2 === 0 ? first.url : second.url;
        statuses.push(
          (await rpc(url, "vault.count", { collection: "reader.x" }, reader.apiKey)).status,
        );
      }
      expect(statuses.slice(0, 18).every((status) => status === 200)).toBe(true);
      expect(statuses.slice(18)).toEqual([429, 429]);
    });
  },
);
