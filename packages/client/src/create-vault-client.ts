/**
 * `createVaultClient`: a `Vault` backed by an AgentVault server, plus its `admin` API. Code
 * written against `Vault` runs unchanged on an embedded vault and on this one.
 */

import type { HealthStatus, Vault } from "@agentvault/core";
import { type AdminClient, createAdminClient } from "./admin-client.js";
import { CallRunner, type ClientState } from "./call-runner.js";
import {
  type CallOptions,
  checkCallOptions,
  resolveClientOptions,
  type VaultClientOptions,
} from "./client-options.js";
import { RemoteVault } from "./remote-vault.js";
import { createTrpcConnection } from "./trpc-connection.js";

/** A remote vault: the `Vault` interface, the admin API, a health check and per-call options. */
export interface VaultClient extends Vault {
  /** Tenants, keys, grants, manifests and the audit log. */
  readonly admin: AdminClient;
  /** Whether the server and its storage answer. Never throws. */
  health(): Promise<HealthStatus>;
  /**
   * A view of this client whose calls use `options` (an `AbortSignal`, a timeout). It shares
   * the connection: closing either closes both.
   *
   * @example
   * const controller = new AbortController();
   * await vault.withOptions({ signal: controller.signal, timeoutMs: 2000 }).query("orders", {});
   */
  withOptions(options: CallOptions): VaultClient;
}

class HttpVaultClient extends RemoteVault implements VaultClient {
  readonly admin: AdminClient;

  constructor(runner: CallRunner) {
    super(runner);
    this.admin = createAdminClient(runner);
  }

  async health(): Promise<HealthStatus> {
    const started = performance.now();
    const latencyMs = () => Math.round((performance.now() - started) * 100) / 100;
    try {
      const status = await this.runner.run((trpc, signal) =>
        trpc.health.query(undefined, { signal }),
      );
      return { ok: status.ok, latencyMs: latencyMs() };
    } catch (error) {
      const message = error instanceof Error ? error.message : "The health check failed";
      return { ok: false, latencyMs: latencyMs(), message };
    }
  }

  withOptions(options: CallOptions): VaultClient {
    const merged = { ...this.runner.callOptions, ...checkCallOptions(options) };
    return new HttpVaultClient(new CallRunner(this.runner.state, merged));
  }
}

/**
 * Connects to an AgentVault server. Nothing is sent until the first call.
 *
 * @throws ValidationError when an option is invalid (no url, no API key, a bad number).
 * @example
 * import { createVaultClient } from "@agentvault/client";
 *
 * const vault = createVaultClient({ url: "https://vault.example.com", apiKey: process.env.AGENTVAULT_API_KEY });
 * const key = await vault.store("orders", { item: "lamp", placedAt: new Date() });
 * const open = await vault.query("orders", { status: "open" }, { sort: { placedAt: -1 }, limit: 20 });
 */
export function createVaultClient(options: VaultClientOptions): VaultClient {
  const resolved = resolveClientOptions(options);
  const state: ClientState = {
    trpc: createTrpcConnection(resolved),
    options: resolved,
    closed: false,
  };
  return new HttpVaultClient(new CallRunner(state));
}
