import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sqliteProvider } from "@agentvault/provider-sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  createKey,
  createTenant,
  ok,
  type StartedServer,
  startServer,
} from "./support/test-server.js";

const yamlManifest = `
kind: AOLAgent
metadata:
  name: billing
spec:
  dataRequirements:
    enabled: true
    collections:
      - name: events
        description: Application event log
        schemaHint: { event_id: string, timestamp: datetime }
        indexes:
          - fields: [timestamp]
            type: ascending
          - fields: [event_type, timestamp]
            type: compound
          - fields: [event_id]
            type: unique
    accessRequests:
      - collection: search.shared
        permission: read
        reason: correlate events
`;

describe("manifests over HTTP on SQLite", () => {
  let server: StartedServer;
  let directory: string;
  let admin: string;
  let billing: string;
  let search: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "agentvault-manifest-"));
    server = await startServer({ provider: sqliteProvider({ directory }), closeProvider: true });
    admin = await createTenant(server, "acme");
    billing = (await createKey(server, admin, "billing")).apiKey;
    search = (await createKey(server, admin, "search")).apiKey;
    await ok(server.url, "vault.store", { collection: "shared", doc: { q: "x" } }, search);
  });
  afterAll(async () => {
    await server.close();
    await rm(directory, { recursive: true, force: true });
  });

  it("registers collections, creates backend indexes and leaves foreign access requests pending", async () => {
    const result = await ok<Record<string, unknown>>(
      server.url,
      "admin.applyManifest",
      { manifest: yamlManifest },
      billing,
    );
    expect(result).toEqual({
      principal: "billing",
      collections: ["billing.events"],
      indexes: { declared: 3, created: true },
      granted: [],
      pending: [{ collection: "search.shared", permission: "read" }],
    });
    const registry = await ok<{ name: string; owner: string; schemaHint?: object }[]>(
      server.url,
      "admin.collections",
      undefined,
      billing,
    );
    expect(registry).toEqual([
      expect.objectContaining({
        name: "billing.events",
        owner: "billing",
        schemaHint: { event_id: "string", timestamp: "datetime" },
      }),
    ]);
    // The unique index is real: a second document with the same event_id is refused.
    await ok(server.url, "vault.store", { collection: "events", doc: { event_id: "e1" } }, billing);
    const duplicate = await call(
      server.url,
      "vault.store",
      { collection: "events", doc: { event_id: "e1" } },
      billing,
    );
    expect(duplicate.status).toBeGreaterThanOrEqual(400);
    expect(duplicate.status).toBeLessThan(500);
  });

  it("lets the owner see and grant the pending request, which then takes effect", async () => {
    expect(
      (await call(server.url, "vault.query", { collection: "search.shared" }, billing)).status,
    ).toBe(403);
    const pending = await ok<{ pending: { principal: string }[] }>(
      server.url,
      "admin.listGrants",
      { collection: "shared" },
      search,
    );
    expect(pending.pending.map((request) => request.principal)).toEqual(["billing"]);
    await ok(
      server.url,
      "admin.grant",
      { collection: "shared", principal: "billing", permission: "read" },
      search,
    );
    expect(
      await ok(server.url, "vault.query", { collection: "search.shared" }, billing),
    ).toHaveLength(1);
  });

  it("grants at once when a tenant admin applies another principal's manifest", async () => {
    const manifest = {
      metadata: { name: "reports" },
      dataRequirements: { accessRequests: [{ collection: "billing.events", permission: "read" }] },
    };
    const result = await ok<{ granted: unknown[]; pending: unknown[] }>(
      server.url,
      "admin.applyManifest",
      { manifest },
      admin,
    );
    expect(result.granted).toHaveLength(1);
    expect(result.pending).toEqual([]);
  });

  it("refuses a manifest for another principal from a non-admin, and invalid manifests", async () => {
    const other = await call(
      server.url,
      "admin.applyManifest",
      {
        manifest: {
          metadata: { name: "search" },
          dataRequirements: { collections: [{ name: "x" }] },
        },
      },
      billing,
    );
    expect(other.status).toBe(403);
    const invalid = await call(
      server.url,
      "admin.applyManifest",
      { manifest: "collections: [{ name: x, indexes: [{ fields: [a], type: hashed }] }]" },
      billing,
    );
    expect(invalid.status).toBe(400);
    expect(invalid.error?.message).toContain("collections.0.indexes.0.type");
  });
});
