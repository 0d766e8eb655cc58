/**
 * The change feed: every write script publishes `{ type, collection, key }` on its database's
 * channel (`<prefix>:{<db>}:changes`), and `watch` subscribes to it. One subscriber connection
 * serves every watcher of a provider and its siblings; it is opened on the first `watch` and
 * re-subscribes by itself after a reconnect (events published while it was away are lost, as
 * with any Redis pub/sub). Expiry by Redis's own clock publishes nothing.
 */

import type { Redis } from "ioredis";
import type { RedisConnection } from "./redis-connection.js";
import { toAgentVaultError } from "./redis-errors.js";

/** One change to a collection, as published after the write. */
export interface RedisChangeEvent {
  /** `put` (store or replace), `update`, `delete`, or `clear` (the whole collection dropped). */
  readonly type: "put" | "update" | "delete" | "clear";
  readonly collection: string;
  /** The record's key; absent for `clear`. */
  readonly key?: string | undefined;
}

/** Receives change events. Exceptions it throws are ignored. */
export type RedisChangeListener = (event: RedisChangeEvent) => void;

function parseEvent(message: string): RedisChangeEvent | undefined {
  try {
    const parsed = JSON.parse(message) as Record<string, unknown>;
    const { type, collection, key } = parsed;
    if (
      (type === "put" || type === "update" || type === "delete" || type === "clear") &&
      typeof collection === "string" &&
      (key === undefined || typeof key === "string")
    ) {
      return key === undefined ? { type, collection } : { type, collection, key };
    }
  } catch {
    // Not one of ours: someone else published on the channel.
  }
  return undefined;
}

/** Listeners by channel, then by collection. */
export class ChangeFeed {
  readonly #connection: RedisConnection;
  #subscriber: Redis | undefined;
  readonly #listeners = new Map<string, Map<string, Set<RedisChangeListener>>>();
  /** The SUBSCRIBE of each channel, which later watchers of the channel also wait for. */
  readonly #subscriptions = new Map<string, Promise<unknown>>();

  constructor(connection: RedisConnection) {
    this.#connection = connection;
  }

  #deliver(channel: string, message: string): void {
    const event = parseEvent(message);
    if (event === undefined) return;
    const listeners = this.#listeners.get(channel)?.get(event.collection);
    for (const listener of [...(listeners ?? [])]) {
      try {
        listener(event);
      } catch {
        // One failing listener must not starve the others.
      }
    }
  }

  #subscriberClient(): Redis {
    if (this.#subscriber === undefined) {
      this.#subscriber = this.#connection.duplicate();
      this.#subscriber.on("message", (channel: string, message: string) => {
        this.#deliver(channel, message);
      });
    }
    return this.#subscriber;
  }

  /**
   * Calls `listener` for each change of `collection` published on `channel`, from the moment the
   * returned promise resolves; its value unsubscribes.
   */
  async watch(
    channel: string,
    collection: string,
    listener: RedisChangeListener,
  ): Promise<() => Promise<void>> {
    let byCollection = this.#listeners.get(channel);
    const subscribe = byCollection === undefined;
    if (byCollection === undefined) {
      byCollection = new Map();
      this.#listeners.set(channel, byCollection);
    }
    let listeners = byCollection.get(collection);
    if (listeners === undefined) {
      listeners = new Set();
      byCollection.set(collection, listeners);
    }
    // A listener may be registered twice; wrap it so each registration unsubscribes alone.
    const registration: RedisChangeListener = (event) => listener(event);
    listeners.add(registration);
    if (subscribe) this.#subscriptions.set(channel, this.#subscriberClient().subscribe(channel));
    try {
      await this.#bounded(this.#subscriptions.get(channel) ?? Promise.resolve());
    } catch (error) {
      listeners.delete(registration);
      if (this.#listeners.get(channel) === byCollection) {
        this.#listeners.delete(channel);
        this.#subscriptions.delete(channel);
      }
      throw toAgentVaultError(error, "subscribe to the change feed");
    }
    let active = true;
    return async () => {
      if (!active) return;
      active = false;
      listeners.delete(registration);
      if (listeners.size === 0) byCollection.delete(collection);
      if (byCollection.size === 0 && this.#listeners.get(channel) === byCollection) {
        this.#listeners.delete(channel);
        this.#subscriptions.delete(channel);
        await this.#subscriber?.unsubscribe(channel).catch(() => {});
      }
    };
  }

  async #bounded<T>(work: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await Promise.race([
        work,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error("Subscribing timed out")),
            this.#connection.options.commandTimeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
