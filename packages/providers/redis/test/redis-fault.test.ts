/**
 * A Redis server of the test's own, on a free port, stopped and restarted mid-run: calls fail
 * with ProviderUnavailableError within the configured timeout (never hang), and succeed again
 * once the server is back.
 */

import type { ChildProcess } from "node:child_process";
import { canConnect } from "@agentvault/conformance";
import { ProviderUnavailableError } from "@agentvault/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisProvider } from "../src/index.js";
import {
  freePort,
  hasRedisServer,
  launcherTitle,
  startServer,
  stopServer,
  until,
} from "./redis-server-launcher.js";

const timeoutMs = 500;
/** Scheduling slack on a shared two-core machine; a hang would take far longer. */
const marginMs = 1000;
const empty = { type: "and", children: [] } as const;

/** Runs `call`, expecting ProviderUnavailableError; returns how long it took. */
async function timedFailure(call: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  const error = await call().then(
    () => undefined,
    (failure: unknown) => failure,
  );
  const elapsed = performance.now() - started;
  expect(ProviderUnavailableError.isInstance(error), String(error)).toBe(true);
  expect(String((error as Error).message)).not.toMatch(/127\.0\.0\.1|:\d{4,5}/);
  return elapsed;
}

describe.skipIf(!hasRedisServer)(launcherTitle("redis outage"), () => {
  let port = 0;
  let server: ChildProcess;
  let provider: ReturnType<typeof redisProvider>;

  beforeAll(async () => {
    port = await freePort();
    server = startServer(port);
    expect(await until(() => canConnect("127.0.0.1", port, 200), 10_000)).toBe(true);
    provider = redisProvider({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: timeoutMs });
  });

  afterAll(async () => {
    await provider?.close();
    if (server !== undefined) {
      if (server.signalCode === null && server.exitCode === null) server.kill("SIGCONT");
      await stopServer(server);
    }
  });

  it("works before the outage", async () => {
    await provider.put("c", { key: "k", value: { n: 1 } });
    expect((await provider.get("c", "k"))?.value).toEqual({ n: 1 });
  });

  it("a hung server (SIGSTOP) fails calls within the command timeout", async () => {
    server.kill("SIGSTOP");
    try {
      for (const call of [
        () => provider.get("c", "k"),
        () => provider.put("c", { key: "k2", value: 2 }),
        () => provider.update("c", "k", { value: { kind: "operators", operations: [] } }),
      ]) {
        expect(await timedFailure(call)).toBeLessThan(timeoutMs + marginMs);
      }
      const started = performance.now();
      expect((await provider.health()).ok).toBe(false);
      expect(performance.now() - started).toBeLessThan(timeoutMs + marginMs);
    } finally {
      server.kill("SIGCONT");
    }
    expect(await until(async () => (await provider.health()).ok, 5000)).toBe(true);
  });

  it("a stopped server fails every call within the timeout, and calls succeed after a restart", async () => {
    await stopServer(server);
    for (const call of [
      () => provider.get("c", "k"),
      () => provider.put("c", { key: "k", value: 1 }),
      () => provider.find("c", { filter: empty }),
      () => provider.count("c", empty),
      () => provider.delete("c", "k"),
      () => provider.listCollections(),
    ]) {
      expect(await timedFailure(call)).toBeLessThan(timeoutMs + marginMs);
    }
    expect((await provider.health()).ok).toBe(false);

    server = startServer(port);
    const recovered = await until(async () => {
      try {
        await provider.put("c", { key: "back", value: "again" });
        return true;
      } catch {
        return false;
      }
    }, 10_000);
    expect(recovered).toBe(true);
    expect((await provider.get("c", "back"))?.value).toBe("again");
    expect((await provider.health()).ok).toBe(true);
  });
});
