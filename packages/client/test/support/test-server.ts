/**
 * Test support: a real AgentVault server on an ephemeral port (memory provider unless one is
 * given), a tenant created through the admin API, and clients for its keys.
 */

import { randomUUID } from "node:crypto";
import { memoryProvider, type StorageProvider } from "@agentvault/core";
import { createLogger, createServer, type ServerOptions } from "@agentvault/server";
import { createVaultClient, type VaultClient, type VaultClientOptions } from "../../src/index.js";

/** A started server with a tenant. */
export interface TestServer {
  readonly url: string;
  readonly provider: StorageProvider;
  readonly rootKey: string;
  /** A client with the root key. */
  readonly root: VaultClient;
  readonly tenant: string;
  /** A client with the tenant's admin key. */
  readonly admin: VaultClient;
  /** A client for a new key of the tenant. */
  clientFor(
    principal: string,
    role?: "admin" | "service" | "agent" | "reader",
  ): Promise<VaultClient>;
  /** A client with other options for a key. */
  client(apiKey: string, options?: Partial<VaultClientOptions>): VaultClient;
  close(): Promise<void>;
}

/** Starts a server and creates one tenant. */
export async function startTestServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const provider = options.provider ?? memoryProvider();
  const server = createServer({
    processMetrics: false,
    logger: createLogger({ level: "silent" }),
    ...options,
    limits: { rate: { points: 100_000 }, ...options.limits },
    provider,
  });
  const rootKey = (await server.broker.ensureRootKey()) as string;
  const { url } = await server.listen(0, "127.0.0.1");
  const client = (apiKey: string, extra: Partial<VaultClientOptions> = {}) =>
    createVaultClient({ url, apiKey, ...extra });
  const root = client(rootKey);
  const tenant = `t-${randomUUID().slice(0, 8)}`;
  const created = await root.admin.createTenant(tenant);
  const admin = client(created.apiKey);
  return {
    url,
    provider,
    rootKey,
    root,
    tenant,
    admin,
    async clientFor(principal, role) {
      const key = await admin.admin.createKey({ principal, role });
      return client(key.apiKey);
    },
    client,
    close: () => server.close(),
  };
}
