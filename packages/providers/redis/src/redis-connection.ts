/**
 * The connection a provider and its `withDatabase` siblings share: opened on first use, bounded
 * by `commandTimeoutMs` at every step, and closed only if the provider opened it.
 *
 * Fast failure, no hangs: the client is created with the offline queue off (a command issued
 * while disconnected fails at once instead of waiting), `maxRetriesPerRequest: 0` (commands in
 * flight when the connection drops fail instead of being queued), no automatic re-sending of
 * unanswered commands (a write whose reply was lost must not be applied twice), a
 * `commandTimeout`, and a retry strategy that keeps reconnecting every second at most, so calls
 * succeed again as soon as the server is back. A call made while the client is reconnecting
 * waits for it up to `commandTimeoutMs` before failing with `ProviderUnavailableError`.
 *
 * Auto-pipelining, when enabled, is adaptive on the provider's own client: ioredis's version
 * defers every command to the next event-loop turn to batch it with others, which halves the
 * throughput of one caller awaiting one call at a time. So a call made while no other call of
 * the provider is in flight is sent at once, and calls made while others are in flight are
 * auto-pipelined (ioredis reads the option on every command). Commands still leave in call
 * order: once anything is queued for a pipeline, a call is in flight, and later calls queue
 * behind it.
 */

import { type Cluster, Redis } from "ioredis";
import { closedError, toAgentVaultError } from "./redis-errors.js";
import type { ResolvedRedisOptions } from "./redis-options.js";
import { registerScripts, type ScriptedClient } from "./redis-scripts.js";

/** Reconnect delays grow by 100 ms per attempt, up to one second. */
function retryDelay(attempt: number): number {
  return Math.min(attempt * 100, 1000);
}

export class RedisConnection {
  readonly options: ResolvedRedisOptions;
  readonly #owned: boolean;
  #client: ScriptedClient | undefined;
  #connecting: Promise<void> | undefined;
  #closed = false;
  /** Calls of `run` not yet settled, for adaptive auto-pipelining. */
  #inFlight = 0;
  /** Clients made from this one (the change feed's subscriber); closed with it. */
  readonly #duplicates = new Set<Redis>();

  constructor(options: ResolvedRedisOptions) {
    this.options = options;
    this.#owned = options.client === undefined;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The client, created (not yet connected) on first call. */
  client(): ScriptedClient {
    if (this.#client !== undefined) return this.#client;
    const options = this.options;
    if (options.client !== undefined) {
      this.#client = registerScripts(options.client);
      return this.#client;
    }
    const settings = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: options.connectTimeoutMs,
      enableAutoPipelining: false,
      retryStrategy: retryDelay,
      ...(options.username === undefined ? {} : { username: options.username }),
      ...(options.password === undefined ? {} : { password: options.password }),
    };
    const client =
      options.url !== undefined
        ? new Redis(options.url, settings)
        : new Redis({ ...settings, host: options.host, port: options.port, db: options.db });
    // Errors reach callers through their commands; without a listener ioredis would log them.
    client.on("error", () => {});
    this.#client = registerScripts(client);
    return this.#client;
  }

  /** Waits until the client can take commands, at most `commandTimeoutMs`. */
  async #ready(client: ScriptedClient): Promise<void> {
    if (client.status === "ready") return;
    if (client.status === "wait" && this.#owned) {
      this.#connecting ??= client.connect().finally(() => {
        this.#connecting = undefined;
      });
    }
    if (client.status === "end" && this.#owned) {
      this.#connecting ??= client.connect().finally(() => {
        this.#connecting = undefined;
      });
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onReady: (() => void) | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        onReady = resolve;
        client.once("ready", onReady);
        timer = setTimeout(
          () => reject(new Error("Redis connection timed out")),
          this.options.commandTimeoutMs,
        );
        // A failed first connect is retried in the background; keep waiting for "ready".
        this.#connecting?.catch(() => {});
        if (client.status === "ready") resolve();
      });
    } finally {
      clearTimeout(timer);
      if (onReady !== undefined) client.off("ready", onReady);
    }
  }

  /**
   * Runs `fn` with a ready client, mapping failures to AgentVault errors. A client given by the
   * caller may lack a command timeout, so its calls are bounded here instead.
   */
  async run<T>(action: string, fn: (client: ScriptedClient) => Promise<T>): Promise<T> {
    if (this.#closed) throw closedError();
    const client = this.client();
    const adaptive = this.#owned && this.options.enableAutoPipelining;
    this.#inFlight++;
    try {
      if (client.status !== "ready") await this.#ready(client);
      if (adaptive) client.options.enableAutoPipelining = this.#inFlight > 1;
      if (this.#owned) return await fn(client);
      return await this.#bounded(fn(client));
    } catch (error) {
      if (this.#closed) throw closedError();
      throw toAgentVaultError(error, action);
    } finally {
      this.#inFlight--;
    }
  }

  async #bounded<T>(work: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error("Redis command timed out")),
        this.options.commandTimeoutMs,
      );
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A new connection with the same settings (for subscribing), closed with this one. */
  duplicate(): Redis {
    const client = this.client();
    // The subscriber connects at once and queues its SUBSCRIBE until it is connected, whatever
    // the caller's client says (`watch` bounds the wait). A Cluster's duplicate takes startup
    // nodes first (none: the same ones).
    const overrides = {
      lazyConnect: false,
      enableOfflineQueue: true,
      enableAutoPipelining: false,
    };
    const duplicate = (
      (client as { isCluster?: unknown }).isCluster === true
        ? (client as Cluster).duplicate([], overrides)
        : (client as Redis).duplicate(overrides)
    ) as Redis;
    duplicate.on("error", () => {});
    this.#duplicates.add(duplicate);
    return duplicate;
  }

  /** Closes the connections this provider opened; a client given by the caller stays open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const clients: Redis[] = [...this.#duplicates];
    this.#duplicates.clear();
    if (this.#owned && this.#client !== undefined) clients.push(this.#client as Redis);
    await Promise.all(clients.map((client) => closeClient(client)));
  }
}

async function closeClient(client: Redis): Promise<void> {
  if (client.status === "end" || client.status === "wait") {
    client.disconnect();
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
