import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  createKey,
  createTenant,
  ok,
  type StartedServer,
  startServer,
} from "./support/test-server.js";

describe("server over HTTP", () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it("stores and queries through a tenant key, with Dates round-tripping", async () => {
    const admin = await createTenant(server, "acme");
    const billing = await createKey(server, admin, "billing");
    const at = new Date("2025-01-02T03:04:05.678Z");
    const key = await ok<string>(
      server.url,
      "vault.store",
      { collection: "events", doc: { kind: "login", at } },
      billing.apiKey,
    );
    expect(typeof key).toBe("string");
    const found = await call(
      server.url,
      "vault.query",
      { collection: "events", filter: { kind: "login" } },
      billing.apiKey,
    );
    expect(found.status).toBe(200);
    expect(found.data).toEqual([{ _id: key, kind: "login", at: { $date: at.toISOString() } }]);
    expect(await ok(server.url, "vault.listCollections", undefined, billing.apiKey)).toEqual([
      "billing.events",
    ]);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
  });
});
