/**
 * Tells every server instance over the same system database that a key was revoked, through a
 * Redis pub/sub channel, so each drops the key from its verification cache at once. Instances
 * trust their cache only while their subscription is up: a subscriber that lost Redis could miss
 * a revocation, so until it is subscribed again every request reads the key from the store.
 */

import { Redis } from "ioredis";

/** What a `SystemStore` needs to keep the key caches of several instances coherent. */
export interface KeyInvalidation {
  /** Whether revocations published by other instances currently reach this one. */
  readonly live: boolean;
  /** Announces a revoked key to every subscribed instance (this one included); never throws. */
  publish(keyId: string): Promise<void>;
  /**
   * Sets what to do on a revocation announced by any instance (`keyId`), and when the
   * subscription was lost (`undefined`: anything cached may be stale).
   */
  listen(listener: (keyId: string | undefined) => void): void;
  /** Stops listening (the publishing client is closed by its owner). */
  close(): void;
}

/** The pub/sub channel of the instances sharing the databases of `databasePrefix`. */
export function keyInvalidationChannel(databasePrefix: string): string {
  return `agentvault:revoked-keys:${databasePrefix}`;
}

/**
 * Publishes a revoked key id on the channel of `databasePrefix`, for a process that revokes
 * keys without serving (the CLI). Resolves to how many instances received it.
 *
 * @param redis A client, or a Redis URL to open a connection for this one message.
 */
export async function publishKeyRevocation(
  redis: Redis | string,
  databasePrefix: string,
  keyId: string,
): Promise<number> {
  const channel = keyInvalidationChannel(databasePrefix);
  if (typeof redis !== "string") return redis.publish(channel, keyId);
  const client = new Redis(redis, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
  });
  client.on("error", () => {});
  try {
    await client.connect();
    return await client.publish(channel, keyId);
  } finally {
    client.disconnect();
  }
}

/**
 * Key invalidation over Redis: publishes with `redis`, subscribes on a duplicate of it.
 *
 * @param redis A connected (or connecting) client; not closed by `close`.
 * @param databasePrefix Names the channel, so only instances over the same databases listen.
 * @param onPublishError Told when an announcement could not be published (the revocation itself
 *   stands; the other instances then refuse the key within their `keyCacheMs`).
 */
export function redisKeyInvalidation(
  redis: Redis,
  databasePrefix: string,
  onPublishError: (error: unknown) => void = () => {},
): KeyInvalidation {
  const channel = keyInvalidationChannel(databasePrefix);
  let listener: (keyId: string | undefined) => void = () => {};
  let live = false;
  let closed = false;
  // Subscribed again by hand on every (re)connection, so `live` turns true only once the
  // subscription is in place.
  const subscriber = redis.duplicate({
    autoResubscribe: false,
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    lazyConnect: false,
  });
  subscriber.on("error", () => {});
  subscriber.on("ready", () => {
    subscriber.subscribe(channel).then(
      () => {
        if (!closed && subscriber.status === "ready") live = true;
      },
      () => subscriber.disconnect(true),
    );
  });
  subscriber.on("close", () => {
    if (!live) return;
    live = false;
    listener(undefined);
  });
  subscriber.on("message", (from: string, keyId: string) => {
    if (from === channel) listener(keyId);
  });
  return {
    get live() {
      return live;
    },
    async publish(keyId) {
      try {
        await redis.publish(channel, keyId);
      } catch (error) {
        onPublishError(error);
      }
    },
    listen(next) {
      listener = next;
    },
    close() {
      closed = true;
      live = false;
      subscriber.disconnect();
    },
  };
}
