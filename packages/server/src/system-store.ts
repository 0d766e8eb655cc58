/**
 * The system database: tenants and API keys, shared by every server instance. Keys are stored
 * by id with only their SHA-256 hash (see `api-keys.ts`); the root key, when generated, is
 * stored the same way with role `root` and no tenant.
 */

import { timingSafeEqual } from "node:crypto";
import {
  AuthenticationError,
  ConflictError,
  type HealthStatus,
  NotFoundError,
  type StorageProvider,
  type StoredRecord,
} from "@agentvault/core";
import type { Value } from "@agentvault/query";
import { apiKeyMatches, generateApiKey, hashApiKey, parseApiKey } from "./api-keys.js";
import type { KeyInvalidation } from "./key-invalidation.js";
import type { KeyRole } from "./permissions.js";
import { valueFilter } from "./record-filters.js";

const tenantsCollection = "_av_tenants";
const keysCollection = "_av_keys";
const settingsCollection = "_av_settings";
const source = "server";

/** Who a key belongs to. */
export type Identity =
  | { readonly kind: "root"; readonly keyId: string }
  | {
      readonly kind: "tenant";
      readonly keyId: string;
      readonly tenant: string;
      readonly principal: string;
      readonly role: KeyRole;
    };

/** A key as listed by `admin.listKeys` (never its secret or hash). */
export interface KeyInfo {
  readonly id: string;
  readonly principal: string;
  readonly role: KeyRole;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

interface StoredKey {
  readonly tenant: string | null;
  readonly principal: string;
  readonly role: KeyRole | "root";
  readonly hash: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

/** Why a presented key was refused, for the audit log of the key's tenant. */
export class RevokedKeyError extends AuthenticationError {
  readonly tenant: string;
  readonly principal: string;
  constructor(tenant: string, principal: string) {
    super("The API key was revoked", { source });
    this.tenant = tenant;
    this.principal = principal;
  }
}

/** A verified key, trusted without a store read until `expires` (a `performance.now()` time). */
interface CachedKey {
  readonly hash: string;
  readonly identity: Identity;
  readonly expires: number;
}

const maxCachedKeys = 10_000;

/** How long a verified key is trusted without reading the store again, by default. */
export const defaultKeyCacheMs = 1000;

function keyValue(record: StoredRecord | null): StoredKey | undefined {
  return record === null ? undefined : (record.value as unknown as StoredKey);
}

/** Tenants and keys in the system database. */
export class SystemStore {
  readonly #provider: StorageProvider;
  readonly #configuredRootHash: Buffer | undefined;
  readonly #now: () => number;
  readonly #keyCacheMs: number;
  readonly #invalidation: KeyInvalidation | undefined;
  /** Verified keys by id (only their hash, never the secret). */
  readonly #keyCache = new Map<string, CachedKey>();
  /** Bumped by every revocation, so a lookup that raced with one is not cached. */
  #revocations = 0;

  /**
   * @param provider Bound to the system database.
   * @param rootKey A root key given by configuration (`AGENTVAULT_ROOT_KEY`), accepted as is.
   * @param keyCacheMs How long a verified key is trusted without reading the store again. A key
   *   revoked through this store is refused at once; one revoked elsewhere (another instance,
   *   the CLI) at once when both share `invalidation`, otherwise within this time. 0 reads the
   *   store on every request. @default 1000
   * @param invalidation Shares revocations with the other instances (Redis pub/sub). With it,
   *   the cache is used only while the subscription is up, and a revocation announced by any
   *   instance drops the key from this cache.
   */
  constructor(
    provider: StorageProvider,
    rootKey: string | undefined,
    now: () => number,
    keyCacheMs: number = defaultKeyCacheMs,
    invalidation?: KeyInvalidation,
  ) {
    this.#provider = provider;
    this.#configuredRootHash =
      rootKey === undefined ? undefined : Buffer.from(hashApiKey(rootKey), "hex");
    this.#now = now;
    if (!(keyCacheMs >= 0)) throw new RangeError("keyCacheMs must be 0 or more");
    this.#keyCacheMs = keyCacheMs;
    this.#invalidation = invalidation;
    invalidation?.listen((keyId) => {
      if (keyId === undefined) {
        this.#revocations++;
        this.#keyCache.clear();
      } else {
        this.#forget(keyId);
      }
    });
  }

  /** Whether a cached key may be trusted now: always alone, only while subscribed when shared. */
  #cacheUsable(): boolean {
    return this.#invalidation === undefined || this.#invalidation.live;
  }

  #cached(id: string, apiKey: string): Identity | undefined {
    const cached = this.#keyCache.get(id);
    if (cached === undefined) return undefined;
    if (!this.#cacheUsable()) {
      this.#keyCache.clear();
      return undefined;
    }
    if (cached.expires <= performance.now()) {
      this.#keyCache.delete(id);
      return undefined;
    }
    return apiKeyMatches(apiKey, cached.hash) ? cached.identity : undefined;
  }

  #remember(id: string, hash: string, identity: Identity, revocations: number): Identity {
    if (this.#keyCacheMs === 0 || revocations !== this.#revocations || !this.#cacheUsable()) {
      return identity;
    }
    if (this.#keyCache.size >= maxCachedKeys) {
      const oldest = this.#keyCache.keys().next().value;
      if (oldest !== undefined) this.#keyCache.delete(oldest);
    }
    this.#keyCache.set(id, { hash, identity, expires: performance.now() + this.#keyCacheMs });
    return identity;
  }

  #time(): string {
    return new Date(this.#now()).toISOString();
  }

  /** The system database's health (what `/readyz` reports). */
  health(): Promise<HealthStatus> {
    return this.#provider.health();
  }

  /** Identifies the holder of a presented key. @throws AuthenticationError */
  async authenticate(apiKey: string): Promise<Identity> {
    const parsed = parseApiKey(apiKey);
    if (parsed !== undefined) {
      const cached = this.#cached(parsed.id, apiKey);
      if (cached !== undefined) return cached;
      const revocations = this.#revocations;
      const stored = keyValue(await this.#provider.get(keysCollection, parsed.id));
      if (stored !== undefined && apiKeyMatches(apiKey, stored.hash)) {
        if (stored.revokedAt !== null) {
          if (stored.tenant !== null) throw new RevokedKeyError(stored.tenant, stored.principal);
          throw new AuthenticationError("The API key was revoked", { source });
        }
        const identity: Identity =
          stored.role === "root" || stored.tenant === null
            ? { kind: "root", keyId: parsed.id }
            : {
                kind: "tenant",
                keyId: parsed.id,
                tenant: stored.tenant,
                principal: stored.principal,
                role: stored.role,
              };
        return this.#remember(parsed.id, stored.hash, identity, revocations);
      }
    }
    if (this.#configuredRootHash !== undefined) {
      const presented = Buffer.from(hashApiKey(apiKey), "hex");
      if (timingSafeEqual(presented, this.#configuredRootHash)) {
        return { kind: "root", keyId: "configured-root" };
      }
    }
    throw new AuthenticationError("Invalid API key", { source });
  }

  /**
   * Makes sure a root key exists. Returns the new key when this call generated it (to print
   * once); undefined when one was configured or already generated before. Safe when several
   * instances start at once: only one wins the `ifAbsent` marker.
   */
  async ensureRootKey(): Promise<string | undefined> {
    if (this.#configuredRootHash !== undefined) return undefined;
    if ((await this.#provider.get(settingsCollection, "rootKey")) !== null) return undefined;
    const key = generateApiKey();
    // The key first, then the marker: a crash in between leaves an unknown, unusable key rather
    // than a marker that forbids ever generating one.
    await this.#putKey(key.id, { tenant: null, principal: "root", role: "root", hash: key.hash });
    try {
      await this.#provider.put(
        settingsCollection,
        { key: "rootKey", value: { keyId: key.id, createdAt: this.#time() } },
        { ifAbsent: true },
      );
    } catch (error) {
      // Another instance generated the root key first: withdraw ours.
      await this.#provider.delete(keysCollection, key.id);
      if (ConflictError.isInstance(error)) return undefined;
      throw error;
    }
    return key.apiKey;
  }

  async #putKey(id: string, fields: Omit<StoredKey, "createdAt" | "revokedAt">): Promise<void> {
    const value: StoredKey = { ...fields, createdAt: this.#time(), revokedAt: null };
    await this.#provider.put(
      keysCollection,
      { key: id, value: value as unknown as Value },
      {
        ifAbsent: true,
      },
    );
  }

  /** Registers a tenant. @throws ConflictError when it exists. */
  async createTenant(tenant: string): Promise<void> {
    await this.#provider.put(
      tenantsCollection,
      { key: tenant, value: { createdAt: this.#time() } },
      { ifAbsent: true },
    );
  }

  async tenantExists(tenant: string): Promise<boolean> {
    return (await this.#provider.get(tenantsCollection, tenant)) !== null;
  }

  /** Every tenant id, sorted. */
  async listTenants(): Promise<string[]> {
    const records = await this.#provider.find(tenantsCollection, {
      filter: valueFilter({}),
    });
    return records.map((record) => record.key).sort();
  }

  /** Creates a key for a principal of a tenant; returns the key to show once. */
  async createKey(
    tenant: string,
    principal: string,
    role: KeyRole,
  ): Promise<{ id: string; apiKey: string }> {
    if (!(await this.tenantExists(tenant))) {
      throw new NotFoundError(`Tenant "${tenant}" does not exist`, { source });
    }
    const key = generateApiKey();
    await this.#putKey(key.id, { tenant, principal, role, hash: key.hash });
    return { id: key.id, apiKey: key.apiKey };
  }

  /**
   * Revokes a key of `tenant`; false when it does not exist there or was already revoked.
   * Refused at once by this store, and by the instances sharing its `invalidation` once the
   * announcement reached them (it is published before this resolves); without one, by other
   * instances within their `keyCacheMs`.
   */
  async revokeKey(tenant: string, id: string): Promise<boolean> {
    this.#forget(id);
    try {
      return await this.#revoke(tenant, id);
    } finally {
      this.#forget(id);
      // Announced even when nothing changed here: a key revoked by a process that could not
      // publish is then dropped everywhere by revoking it again.
      await this.#invalidation?.publish(id);
    }
  }

  #forget(id: string): void {
    this.#revocations++;
    this.#keyCache.delete(id);
  }

  async #revoke(tenant: string, id: string): Promise<boolean> {
    const stored = keyValue(await this.#provider.get(keysCollection, id));
    if (stored === undefined || stored.tenant !== tenant || stored.revokedAt !== null) return false;
    const updated = await this.#provider.update(keysCollection, id, {
      value: {
        kind: "operators",
        operations: [
          { op: "set", field: { path: "revokedAt", segments: ["revokedAt"] }, value: this.#time() },
        ],
      },
    });
    return updated !== null;
  }

  /** The keys of a tenant, without secrets. */
  async listKeys(tenant: string): Promise<KeyInfo[]> {
    const records = await this.#provider.find(keysCollection, {
      filter: valueFilter({ tenant }),
    });
    return records
      .map((record) => {
        const stored = record.value as unknown as StoredKey;
        return {
          id: record.key,
          principal: stored.principal,
          role: stored.role as KeyRole,
          createdAt: stored.createdAt,
          revokedAt: stored.revokedAt,
        };
      })
      .sort((left, right) => left.createdAt.localeCompare(right.createdAt));
  }
}
