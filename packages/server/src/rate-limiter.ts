/**
 * The per-key call rate, with `rate-limiter-flexible`: in Redis when a Redis URL or client is
 * configured, so every server instance draws from the same budget, and in memory otherwise.
 * If Redis stops answering, an in-memory limiter with the same budget takes over (the library's
 * "insurance" limiter): the limit degrades to per instance, and requests keep being served.
 */

import { LimitExceededError } from "@agentvault/core";
import { Redis } from "ioredis";
import rateLimiterFlexible from "rate-limiter-flexible";

const { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } = rateLimiterFlexible;

/** Options of `createRateLimiter`. */
export interface RateLimiterOptions {
  /** Calls per window. */
  readonly points: number;
  /** Window in seconds. */
  readonly durationSeconds: number;
  /** A Redis URL to share the budget across instances. */
  readonly redisUrl?: string | undefined;
  /** An existing ioredis client to use instead of `redisUrl` (not closed by `close`). */
  readonly redis?: Redis | undefined;
  /** Prefix of the Redis keys. @default "agentvault:rate" */
  readonly keyPrefix?: string | undefined;
}

/** Consumes calls from a key's budget. */
export interface CallRateLimiter {
  /** Whether the budget is shared through Redis. */
  readonly shared: boolean;
  /** Takes `calls` from `key`'s budget. @throws LimitExceededError (`limit: "rate"`) when over. */
  consume(key: string, calls?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the broker's Redis client: commands fail fast while Redis is away (the limiter falls
 * back to memory) instead of queueing.
 */
export function connectRedis(url: string): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    lazyConnect: false,
  });
  // Connection errors surface through the insurance limiter; keep them off the event loop.
  client.on("error", () => {});
  return client;
}

/** Builds the limiter. */
export function createRateLimiter(options: RateLimiterOptions): CallRateLimiter {
  const keyPrefix = options.keyPrefix ?? "agentvault:rate";
  const base = { points: options.points, duration: options.durationSeconds, keyPrefix };
  const memory = new RateLimiterMemory(base);
  let ownedClient: Redis | undefined;
  let client = options.redis;
  if (client === undefined && options.redisUrl !== undefined && options.redisUrl !== "") {
    ownedClient = connectRedis(options.redisUrl);
    client = ownedClient;
  }
  const limiter =
    client === undefined
      ? memory
      : new RateLimiterRedis({ ...base, storeClient: client, insuranceLimiter: memory });
  return {
    shared: client !== undefined,
    async consume(key, calls = 1) {
      try {
        await limiter.consume(key, calls);
      } catch (error) {
        if (error instanceof RateLimiterRes) {
          const seconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
          throw new LimitExceededError(
            "rate",
            `Too many calls for this API key; retry in ${seconds} s`,
            { source: "server" },
          );
        }
        throw error;
      }
    },
    async close() {
      if (ownedClient !== undefined) {
        ownedClient.disconnect();
      }
    },
  };
}
