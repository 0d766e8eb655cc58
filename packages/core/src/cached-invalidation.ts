/**
 * Telling other caches about writes. `cached()` listens to the wrapped provider's change feed
 * when it has one (Redis). For other backends shared by several processes, pass an
 * `invalidation` channel: every write made through the wrapper is published on it, and every
 * event received on it evicts what it names.
 */

import { BroadcastChannel } from "node:worker_threads";

/** What changed: a few keys, a whole collection, or a whole database. */
export interface CacheInvalidationEvent {
  /** The database (tenant) of the change. */
  readonly database: string;
  /** The collection; absent when the whole database may have changed. */
  readonly collection?: string | undefined;
  /** The keys; absent when the whole collection may have changed. */
  readonly keys?: readonly string[] | undefined;
}

/** A channel shared by the caches of several processes (or threads). */
export interface CacheInvalidation {
  /** Sends an event to the other caches. Called after each write; must not throw. */
  publish(event: CacheInvalidationEvent): void;
  /** Receives the other caches' events; returns a function that stops receiving. */
  subscribe(listener: (event: CacheInvalidationEvent) => void): () => void;
}

function isEvent(data: unknown): data is CacheInvalidationEvent {
  if (data === null || typeof data !== "object") return false;
  const event = data as { readonly [field: string]: unknown };
  return (
    typeof event.database === "string" &&
    (event.collection === undefined || typeof event.collection === "string") &&
    (event.keys === undefined ||
      (Array.isArray(event.keys) && event.keys.every((key) => typeof key === "string")))
  );
}

/**
 * An invalidation channel over a `BroadcastChannel`: it reaches every cache using the same
 * `name` in this process and its worker threads. It does not reach other processes; use the
 * Redis change feed, or implement `CacheInvalidation` over your own message bus, for that.
 *
 * @example
 * const channel = broadcastChannelInvalidation("agentvault-cache");
 * const provider = cached(sqliteProvider({ path: "shared.db" }), { invalidation: channel });
 */
export function broadcastChannelInvalidation(name: string): CacheInvalidation & { close(): void } {
  const sender = new BroadcastChannel(name);
  const receivers = new Set<BroadcastChannel>();
  return {
    publish(event) {
      sender.postMessage({
        ...event,
        keys: event.keys === undefined ? undefined : [...event.keys],
      });
    },
    subscribe(listener) {
      // A channel does not hear its own messages, so each subscriber has its own receiver.
      const receiver = new BroadcastChannel(name);
      receiver.onmessage = (message: unknown) => {
        const data = (message as { readonly data?: unknown }).data;
        if (isEvent(data)) listener(data);
      };
      // Waiting for messages must not keep the process alive.
      receiver.unref();
      receivers.add(receiver);
      return () => {
        receivers.delete(receiver);
        receiver.close();
      };
    },
    close() {
      sender.close();
      for (const receiver of receivers) receiver.close();
      receivers.clear();
    },
  };
}
