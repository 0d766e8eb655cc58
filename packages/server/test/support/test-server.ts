/**
 * Test support: a real server on an ephemeral port, and a minimal tRPC-over-HTTP caller built
 * on fetch, so tests see exact HTTP statuses and bodies.
 */

import { Writable } from "node:stream";
import { encodeValue, memoryProvider, type StorageProvider } from "@agentvault/core";
import type { Value } from "@agentvault/query";
import {
  type AgentVaultServer,
  createLogger,
  createServer,
  type ServerOptions,
} from "../../src/index.js";

/** A started server plus everything written to its log. */
export interface StartedServer {
  readonly server: AgentVaultServer;
  readonly url: string;
  readonly provider: StorageProvider;
  readonly logLines: string[];
  readonly rootKey: string;
  close(): Promise<void>;
}

/** Starts a server (memory provider unless one is given) and generates its root key. */
export async function startServer(options: Partial<ServerOptions> = {}): Promise<StartedServer> {
  const provider = options.provider ?? memoryProvider();
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      logLines.push(String(chunk));
      callback();
    },
  });
  const server = createServer({
    processMetrics: false,
    logger: createLogger({ level: "debug" }, sink),
    // Each test server keeps its rate budgets in memory unless a test shares them on purpose:
    // with REDIS_URL set (as in CI), budgets keyed by 127.0.0.1 would be shared by every test
    // file running at the same time.
    redisUrl: "",
    ...options,
    provider,
  });
  const rootKey = await server.broker.ensureRootKey();
  const { url } = await server.listen(0, "127.0.0.1");
  return {
    server,
    url,
    provider,
    logLines,
    rootKey: options.rootKey ?? (rootKey as string),
    close: () => server.close(),
  };
}

/** The answer to one call. */
export interface CallResult {
  readonly status: number;
  readonly data?: unknown;
  readonly error?: {
    message: string;
    data: { code: string; agentVaultCode: string; httpStatus: number };
  };
}

const queries = new Set([
  "vault.retrieve",
  "vault.query",
  "vault.count",
  "vault.listCollections",
  "vault.search",
  "admin.listTenants",
  "admin.listKeys",
  "admin.listGrants",
  "admin.collections",
  "admin.audit",
  "admin.verifyAudit",
  "health",
]);

/** Whether a procedure is a query (GET) rather than a mutation (POST). */
export function isQuery(path: string): boolean {
  return queries.has(path);
}

/** Calls one procedure over HTTP. */
export async function call(
  url: string,
  path: string,
  input: unknown,
  apiKey?: string,
): Promise<CallResult> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (apiKey !== undefined) headers.authorization = `Bearer ${apiKey}`;
  const encoded = input === undefined ? undefined : JSON.stringify(encodeValue(input as Value));
  // Long query inputs go by POST (the server allows method override), as a client would send them.
  const response =
    isQuery(path) && (encoded?.length ?? 0) < 4000
      ? await fetch(
          `${url}/trpc/${path}${encoded === undefined ? "" : `?input=${encodeURIComponent(encoded)}`}`,
          { headers },
        )
      : await fetch(`${url}/trpc/${path}`, { method: "POST", headers, body: encoded ?? "{}" });
  const text = await response.text();
  if (text === "") return { status: response.status };
  const body = JSON.parse(text) as {
    result?: { data: unknown };
    error?: CallResult["error"];
  };
  return body.error === undefined
    ? { status: response.status, data: body.result?.data }
    : { status: response.status, error: body.error };
}

/** Calls and expects success, returning the data. */
export async function ok<T = unknown>(
  url: string,
  path: string,
  input: unknown,
  apiKey?: string,
): Promise<T> {
  const result = await call(url, path, input, apiKey);
  if (result.error !== undefined) {
    throw new Error(`${path} failed with ${result.status}: ${result.error.message}`);
  }
  return result.data as T;
}

/** Creates a tenant with the root key; returns its admin key. */
export async function createTenant(server: StartedServer, tenant: string): Promise<string> {
  const created = await ok<{ apiKey: string }>(
    server.url,
    "admin.createTenant",
    { tenant },
    server.rootKey,
  );
  return created.apiKey;
}

/** Creates a key in the tenant of `adminKey`. */
export async function createKey(
  server: StartedServer,
  adminKey: string,
  principal: string,
  role?: string,
): Promise<{ id: string; apiKey: string }> {
  return ok(
    server.url,
    "admin.createKey",
    role === undefined ? { principal } : { principal, role },
    adminKey,
  );
}
