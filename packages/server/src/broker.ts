/**
 * `createBroker`: the data broker without any HTTP framework: the router, the services behind
 * it and the per-request context factory. `createServer` and the express adapter serve it.
 */

import {
  AuthenticationError,
  type HealthStatus,
  type StorageProvider,
  systemClock,
} from "@agentvault/core";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { readBearerToken } from "./api-keys.js";
import { type AppRouter, appRouter } from "./app-router.js";
import { AuditLog } from "./audit-log.js";
import type { BrokerServices } from "./broker-services.js";
import { type KeyInvalidation, redisKeyInvalidation } from "./key-invalidation.js";
import { type ResolvedLimits, resolveLimits, type ServerLimits } from "./limits.js";
import { createLogger } from "./logger.js";
import { BrokerMetrics } from "./metrics.js";
import { type AccessPolicy, defaultAccessPolicy } from "./permissions.js";
import { connectRedis, createRateLimiter } from "./rate-limiter.js";
import { type Identity, SystemStore } from "./system-store.js";
import { TenantScopes } from "./tenant-scopes.js";
import type { RequestContext } from "./trpc.js";

/** Options of `createBroker` and `createServer`. */
export interface BrokerOptions {
  /**
   * The storage backend. Each tenant gets `provider.withDatabase("<prefix><tenant>_vault")`;
   * tenants and keys live in `<prefix>system`. The broker does not close it unless
   * `closeProvider` is set.
   */
  readonly provider: StorageProvider;
  /** Prefix of every database name. @default "agentvault_" */
  readonly databasePrefix?: string | undefined;
  /** A root key to accept (for example from `AGENTVAULT_ROOT_KEY`); otherwise see `ensureRootKey`. */
  readonly rootKey?: string | undefined;
  /** Limits; see the README's table. @default defaultLimits */
  readonly limits?: ServerLimits | undefined;
  /**
   * Redis URL sharing the rate limit and key revocations across instances.
   * @default process.env.REDIS_URL, else in-memory
   */
  readonly redisUrl?: string | undefined;
  /**
   * An existing ioredis client for the rate limit and for publishing key revocations (not closed
   * by the broker; revocations are received on a duplicate of it).
   */
  readonly redis?: Redis | undefined;
  /** Prefix of the rate limiter's Redis keys. @default "agentvault:rate" */
  readonly rateKeyPrefix?: string | undefined;
  /** The pino logger. @default createLogger() */
  readonly logger?: Logger | undefined;
  /** The access policy. Replace only to extend it; tests use it to prove the matrix catches a broken rule. @default defaultAccessPolicy */
  readonly accessPolicy?: AccessPolicy | undefined;
  /** The clock of audit times and TTLs. @default systemClock */
  readonly now?: (() => number) | undefined;
  /** Collect process metrics (CPU, memory, event loop) too. @default true */
  readonly processMetrics?: boolean | undefined;
  /**
   * How long a verified API key is trusted without reading the system database again. A revoked
   * key is refused at once by the instance that revoked it and, with Redis, by every instance
   * once the revocation's pub/sub message arrived (milliseconds; the cache is not used while an
   * instance is not subscribed). Without Redis, or when a revocation could not be published,
   * other instances refuse it within this time. 0 reads the key on every request. @default 1000
   */
  readonly keyCacheMs?: number | undefined;
  /** Close `provider` in `close()`. @default false */
  readonly closeProvider?: boolean | undefined;
}

/** What the HTTP layer passes to `createContext`. */
export interface ContextInput {
  /** The raw `Authorization` header. */
  readonly authorization: string | undefined;
  readonly requestId: string;
  /** The client's address: calls without a valid key are rate-limited per address. */
  readonly remoteAddress?: string | undefined;
  /** How many calls the request holds (a batch holds several). @default 1 */
  readonly calls?: number | undefined;
}

/** A broker. */
export interface Broker {
  readonly router: AppRouter;
  readonly services: BrokerServices;
  readonly limits: ResolvedLimits;
  readonly logger: Logger;
  /** Builds the context of one request: authenticates its key. Never throws for a bad key. */
  createContext(input: ContextInput): Promise<RequestContext>;
  /** Generates a root key if none is configured or stored; returns it when it did (print it once). */
  ensureRootKey(): Promise<string | undefined>;
  /** Whether the storage answers (for `/readyz`). */
  ready(): Promise<HealthStatus>;
  /** Releases the Redis connections (and the provider with `closeProvider`). */
  close(): Promise<void>;
}

/**
 * Creates a broker.
 *
 * @example
 * const broker = createBroker({ provider: sqliteProvider({ path: "./data/vault.db" }) });
 * const rootKey = await broker.ensureRootKey();
 */
export function createBroker(options: BrokerOptions): Broker {
  const prefix = options.databasePrefix ?? "agentvault_";
  const limits = resolveLimits(options.limits);
  const now = options.now ?? systemClock;
  const logger = options.logger ?? createLogger();
  const systemProvider = options.provider.withDatabase(`${prefix}system`);
  const redisUrl =
    options.redis === undefined ? (options.redisUrl ?? process.env.REDIS_URL) : undefined;
  const ownedRedis = redisUrl !== undefined && redisUrl !== "" ? connectRedis(redisUrl) : undefined;
  const redis = options.redis ?? ownedRedis;
  const invalidation: KeyInvalidation | undefined =
    redis === undefined
      ? undefined
      : redisKeyInvalidation(redis, prefix, (error) =>
          logger.warn(
            { err: error },
            "could not publish a key revocation; other instances refuse the key within keyCacheMs",
          ),
        );
  const system = new SystemStore(
    systemProvider,
    options.rootKey,
    now,
    options.keyCacheMs,
    invalidation,
  );
  const rate = createRateLimiter({
    points: limits.rate.points,
    durationSeconds: limits.rate.durationSeconds,
    redis,
    keyPrefix: options.rateKeyPrefix,
  });
  const services: BrokerServices = {
    system,
    systemAudit: new AuditLog(systemProvider),
    tenants: new TenantScopes({
      provider: options.provider,
      databasePrefix: prefix,
      maxDocumentBytes: limits.maxDocumentBytes,
      now,
    }),
    limits,
    rate,
    policy: options.accessPolicy ?? defaultAccessPolicy,
    metrics: new BrokerMetrics(options.processMetrics ?? true),
    logger,
    now,
  };

  async function createContext(input: ContextInput): Promise<RequestContext> {
    let identity: Identity | undefined;
    let authError: unknown;
    if (input.authorization !== undefined) {
      const token = readBearerToken(input.authorization);
      if (token === undefined) {
        authError = new AuthenticationError("Send the API key as Authorization: Bearer <key>", {
          source: "server",
        });
      } else {
        try {
          identity = await system.authenticate(token);
        } catch (error) {
          authError = error;
        }
      }
    }
    // A batch takes all its calls from the key's budget at once (one limiter round trip, and a
    // batch that would overrun the budget is refused whole); each call then reports the refusal.
    let rateError: unknown;
    if (identity !== undefined) {
      try {
        await rate.consume(`key:${identity.keyId}`, Math.max(1, input.calls ?? 1));
      } catch (error) {
        rateError = error;
      }
    }
    return {
      requestId: input.requestId,
      services,
      identity,
      authError,
      rateError,
      remoteAddress: input.remoteAddress ?? "unknown",
    };
  }

  return {
    router: appRouter,
    services,
    limits,
    logger,
    createContext,
    ensureRootKey: () => system.ensureRootKey(),
    ready: () => system.health(),
    async close() {
      invalidation?.close();
      await rate.close();
      ownedRedis?.disconnect();
      if (options.closeProvider) await options.provider.close();
    },
  };
}
