/**
 * Failures as a user sees them: an unreachable or silent server, a statement that waits too
 * long and a closed provider all fail with `ProviderUnavailableError` within the configured time,
 * with no server or driver text in the message; a pool passed in is left open.
 */

import { createServer, type Server, type Socket } from "node:net";
import { probeService } from "@agentvault/conformance";
import { ProviderUnavailableError } from "@agentvault/core";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { postgresProvider } from "../src/index.js";
import { dropSchemasWithPrefix, randomSchemaPrefix } from "./postgres-test-support.js";

const probe = await probeService("POSTGRES_URL");

async function failure(action: Promise<unknown>): Promise<Error> {
  const outcome = await action.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error("expected the call to fail");
  return outcome;
}

function expectUnavailable(error: Error) {
  expect(ProviderUnavailableError.isInstance(error)).toBe(true);
  expect(error.message).toMatch(/^\[agentvault\] \[postgres\] /);
  expect(error.message).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|timeout exceeded|canceling/);
}

describe("postgres provider without a server", () => {
  it("connects lazily and reports a refused connection as unavailable", async () => {
    // Port 1 on the loopback interface refuses connections.
    const provider = postgresProvider({ connectionString: "postgres://postgres@127.0.0.1:1/x" });
    const started = Date.now();
    expectUnavailable(await failure(provider.get("items", "k")));
    expect(Date.now() - started).toBeLessThan(5000);
    const health = await provider.health();
    expect(health.ok).toBe(false);
    expect(health.message).not.toMatch(/ECONNREFUSED/);
    await provider.close();
  });

  it("gives up on a server that never answers within connectTimeoutMs", async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    const provider = postgresProvider({
      connectionString: `postgres://postgres@127.0.0.1:${port}/x`,
      connectTimeoutMs: 300,
    });
    try {
      const started = Date.now();
      expectUnavailable(await failure(provider.put("items", { key: "k", value: 1 })));
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(3000);
    } finally {
      await provider.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("refuses calls after close", async () => {
    const provider = postgresProvider({ connectionString: "postgres://postgres@127.0.0.1:1/x" });
    await provider.close();
    await provider.close();
    expectUnavailable(await failure(provider.get("items", "k")));
  });
});

describe.skipIf(!probe.available)(
  `postgres provider timeouts and pools ${probe.skipReason}`,
  () => {
    const schemaPrefix = randomSchemaPrefix();

    afterAll(async () => {
      await dropSchemasWithPrefix(probe.url!, schemaPrefix);
    });

    it("fails a statement that waits longer than statementTimeoutMs", async () => {
      const provider = postgresProvider({
        connectionString: probe.url,
        schemaPrefix,
        statementTimeoutMs: 200,
      });
      await provider.put("locked", { key: "k", value: { n: 1 } });
      const holder = new pg.Client({ connectionString: probe.url });
      await holder.connect();
      try {
        // Another session holds the row lock, so the update waits until the statement timeout.
        await holder.query("BEGIN");
        await holder.query(`SELECT 1 FROM ${await tableOf(holder, schemaPrefix)} FOR UPDATE`);
        const started = Date.now();
        expectUnavailable(
          await failure(
            provider.update("locked", "k", { value: { kind: "replace", document: {} } }),
          ),
        );
        expect(Date.now() - started).toBeLessThan(3000);
      } finally {
        await holder.query("ROLLBACK");
        await holder.end();
      }
      expect((await provider.get("locked", "k"))?.value).toEqual({ n: 1 });
      await provider.close();
    });

    it("uses a pool it is given and leaves it open on close", async () => {
      const pool = new pg.Pool({ connectionString: probe.url, max: 2 });
      const provider = postgresProvider({ pool, schemaPrefix, database: "given" });
      await provider.put("items", { key: "k", value: "v" });
      await provider.close();
      const result = await pool.query<{ one: number }>("SELECT 1 AS one");
      expect(result.rows[0]?.one).toBe(1);
      expectUnavailable(await failure(provider.get("items", "k")));
      await pool.end();
    });
  },
);

/** The quoted table of collection `locked` in the default database, read from the catalog. */
async function tableOf(client: pg.Client, schemaPrefix: string): Promise<string> {
  const result = await client.query<{ schema: string; table: string }>(
    "SELECT schemaname AS schema, tablename AS table FROM pg_tables WHERE starts_with(schemaname, $1) AND starts_with(tablename, 'c_locked_')",
    [`${schemaPrefix}_`],
  );
  const row = result.rows[0]!;
  return `${pg.escapeIdentifier(row.schema)}.${pg.escapeIdentifier(row.table)}`;
}
