/**
 * Tenant scopes: for each tenant, its own database on the configured provider
 * (`provider.withDatabase("<prefix><tenant>_vault")`) and what the broker keeps over it: the
 * Vault procedures use, the collection registry and the audit log. Scopes are built from the
 * tenant named by the caller's key, never from request input, and cached per process (they hold
 * no state that other instances could contradict, except owners, which never change).
 */

import { createVault, type StorageProvider, type Vault } from "@agentvault/core";
import { AuditLog } from "./audit-log.js";
import { CollectionRegistry } from "./collection-registry.js";
import { tenantDatabaseName } from "./names.js";

/** Everything a call in one tenant works with. */
export interface TenantScope {
  readonly tenant: string;
  readonly database: string;
  /** The provider bound to the tenant's database. */
  readonly provider: StorageProvider;
  /** A Vault over it: the only door procedures have to tenant data. */
  readonly vault: Vault;
  readonly registry: CollectionRegistry;
  readonly audit: AuditLog;
}

/** Options of `TenantScopes`. */
export interface TenantScopesOptions {
  readonly provider: StorageProvider;
  readonly databasePrefix: string;
  readonly maxDocumentBytes: number;
  readonly now: () => number;
}

/** Builds and caches tenant scopes. */
export class TenantScopes {
  readonly #options: TenantScopesOptions;
  readonly #scopes = new Map<string, TenantScope>();

  constructor(options: TenantScopesOptions) {
    this.#options = options;
  }

  /** The scope of a tenant (whose existence the caller has checked). */
  get(tenant: string): TenantScope {
    const cached = this.#scopes.get(tenant);
    if (cached !== undefined) return cached;
    const { provider: root, databasePrefix, maxDocumentBytes, now } = this.#options;
    const database = tenantDatabaseName(databasePrefix, tenant);
    const provider = root.withDatabase(database);
    const scope: TenantScope = {
      tenant,
      database,
      provider,
      vault: createVault({ provider, maxValueBytes: maxDocumentBytes, now }),
      registry: new CollectionRegistry(provider, now),
      audit: new AuditLog(provider),
    };
    this.#scopes.set(tenant, scope);
    return scope;
  }

  /** Forgets a tenant's scope (after the tenant was deleted). */
  forget(tenant: string): void {
    this.#scopes.delete(tenant);
  }
}
