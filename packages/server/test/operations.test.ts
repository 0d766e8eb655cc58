import { memoryProvider, type StorageProvider } from "@agentvault/core";
import { describe, expect, it } from "vitest";
import { call, createKey, createTenant, startServer } from "./support/test-server.js";

/** A provider whose `find` waits, and whose health can be switched off. */
function controllable(
  inner: StorageProvider,
  state: { delayMs: number; healthy: boolean },
): StorageProvider {
  return new Proxy(inner, {
    get(target, property) {
      if (property === "withDatabase") {
        return (database: string) => controllable(target.withDatabase(database), state);
      }
      if (property === "find") {
        return async (...args: Parameters<StorageProvider["find"]>) => {
          if (state.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
          return target.find(...args);
        };
      }
      if (property === "health") {
        return async () => (state.healthy ? target.health() : { ok: false, message: "down" });
      }
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("operations", () => {
  it("reports readiness from the storage and metrics per procedure", async () => {
    const state = { delayMs: 0, healthy: true };
    const server = await startServer({ provider: controllable(memoryProvider(), state) });
    try {
      const admin = await createTenant(server, "acme");
      await call(server.url, "vault.count", { collection: "x" }, admin);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      state.healthy = false;
      expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(
        /agentvault_calls_total\{procedure="vault.count",outcome="allowed"\} 1/,
      );
    } finally {
      await server.close();
    }
  });

  it("echoes a well-formed request id and logs it with the request", async () => {
    const server = await startServer();
    try {
      const response = await fetch(`${server.url}/healthz`, {
        headers: { "x-request-id": "trace-123" },
      });
      expect(response.headers.get("x-request-id")).toBe("trace-123");
      const hostile = await fetch(`${server.url}/healthz`, {
        headers: { "x-request-id": 'a b"c' },
      });
      expect(hostile.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      expect(server.logLines.some((line) => line.includes('"requestId":"trace-123"'))).toBe(true);
      // A public call needs no key and is not a warning; a keyless call to anything else is.
      expect((await fetch(`${server.url}/trpc/health`)).status).toBe(200);
      expect(server.logLines.some((line) => line.includes("unauthenticated call"))).toBe(false);
      expect((await fetch(`${server.url}/trpc/vault.listCollections`)).status).toBe(401);
      expect(server.logLines.some((line) => line.includes("unauthenticated call"))).toBe(true);
    } finally {
      await server.close();
    }
  });

  it("drains requests in flight on close and refuses new ones", async () => {
    const state = { delayMs: 0, healthy: true };
    const server = await startServer({ provider: controllable(memoryProvider(), state) });
    const admin = await createTenant(server, "acme");
    const { apiKey } = await createKey(server, admin, "svc");
    state.delayMs = 400;
    const slow = call(server.url, "vault.query", { collection: "x" }, apiKey);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = server.close();
    const result = await slow;
    expect(result.status).toBe(200);
    await closed;
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it("times out a call that takes too long with 408", async () => {
    const state = { delayMs: 0, healthy: true };
    const server = await startServer({
      provider: controllable(memoryProvider(), state),
      limits: { callTimeoutMs: 100 },
    });
    try {
      const admin = await createTenant(server, "acme");
      state.delayMs = 300;
      const result = await call(server.url, "vault.query", { collection: "x" }, admin);
      expect(result.status).toBe(408);
      expect(result.error?.data.agentVaultCode).toBe("LIMIT_EXCEEDED");
    } finally {
      await server.close();
    }
  });
});
