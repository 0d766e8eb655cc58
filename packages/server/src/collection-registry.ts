/**
 * A tenant's collection registry and access grants, kept in reserved collections of the
 * tenant's own database so every server instance sees the same facts.
 *
 * - `_av_registry`: one record per registered collection (owner, schema hint, indexes). The
 *   owner is the collection's namespace, recorded on first write (`register` uses `ifAbsent`,
 *   so concurrent first writes on several instances agree). Ownership never changes, so owners
 *   are cached in process; grants are not (a grant made on one instance holds on all at once).
 * - `_av_grants`: one record per (collection, principal) with the permission granted.
 * - `_av_access_requests`: manifest access requests waiting for an owner's grant.
 */

import { ConflictError, type StorageProvider } from "@agentvault/core";
import type { Value } from "@agentvault/query";
import type { ManifestIndex } from "./manifest.js";
import type { Permission } from "./permissions.js";
import { valueFilter } from "./record-filters.js";

const registryCollection = "_av_registry";
const grantsCollection = "_av_grants";
const requestsCollection = "_av_access_requests";

/** A registered collection. */
export interface RegisteredCollection {
  readonly name: string;
  readonly owner: string;
  readonly createdAt: string;
  readonly description?: string | undefined;
  readonly schemaHint?: { readonly [field: string]: string } | undefined;
  readonly indexes?: readonly ManifestIndex[] | undefined;
}

/** A permission one principal holds on one collection. */
export interface Grant {
  readonly collection: string;
  readonly principal: string;
  readonly permission: Permission;
  readonly grantedBy: string;
  readonly grantedAt: string;
}

/** An access request from a manifest, not granted yet. */
export interface AccessRequest {
  readonly collection: string;
  readonly principal: string;
  readonly permission: Permission;
  readonly reason: string | null;
}

// Collection names and principal names never contain spaces, so a space separates them safely.
function pairKey(collection: string, principal: string): string {
  return `${collection} ${principal}`;
}

function withoutUndefined(object: Record<string, unknown>): Value {
  const copy: Record<string, Value> = {};
  for (const [field, value] of Object.entries(object)) {
    if (value !== undefined) copy[field] = value as Value;
  }
  return copy;
}

/** The registry and grants of one tenant. */
export class CollectionRegistry {
  readonly #provider: StorageProvider;
  readonly #now: () => number;
  readonly #owners = new Map<string, string>();

  constructor(provider: StorageProvider, now: () => number) {
    this.#provider = provider;
    this.#now = now;
  }

  /** The owner of a collection, or undefined when it is not registered. */
  async ownerOf(collection: string): Promise<string | undefined> {
    const cached = this.#owners.get(collection);
    if (cached !== undefined) return cached;
    const record = await this.#provider.get(registryCollection, collection);
    if (record === null) return undefined;
    const owner = (record.value as { owner: string }).owner;
    this.#owners.set(collection, owner);
    return owner;
  }

  /** Registers a collection if it is not registered yet; returns its owner either way. */
  async register(collection: string, owner: string): Promise<string> {
    const known = await this.ownerOf(collection);
    if (known !== undefined) return known;
    try {
      await this.#provider.put(
        registryCollection,
        { key: collection, value: { owner, createdAt: new Date(this.#now()).toISOString() } },
        { ifAbsent: true },
      );
      this.#owners.set(collection, owner);
      return owner;
    } catch (error) {
      if (!ConflictError.isInstance(error)) throw error;
      return (await this.ownerOf(collection)) ?? owner;
    }
  }

  /** Registers (if needed) and records a manifest's description, schema hint and indexes. */
  async describe(
    collection: string,
    owner: string,
    details: Pick<RegisteredCollection, "description" | "schemaHint" | "indexes">,
  ): Promise<void> {
    const registeredOwner = await this.register(collection, owner);
    const record = await this.#provider.get(registryCollection, collection);
    const createdAt = (record?.value as { createdAt?: string } | undefined)?.createdAt;
    await this.#provider.put(registryCollection, {
      key: collection,
      value: withoutUndefined({
        owner: registeredOwner,
        createdAt: createdAt ?? new Date(this.#now()).toISOString(),
        description: details.description,
        schemaHint: details.schemaHint,
        indexes: details.indexes,
      }),
    });
  }

  /** Every registered collection, sorted by name. */
  async list(): Promise<RegisteredCollection[]> {
    const records = await this.#provider.find(registryCollection, { filter: valueFilter({}) });
    return records
      .map((record) => ({ name: record.key, ...(record.value as object) }) as RegisteredCollection)
      .sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
  }

  /** What was granted to `principal` on `collection`, if anything. */
  async grantOf(collection: string, principal: string): Promise<Permission | undefined> {
    const record = await this.#provider.get(grantsCollection, pairKey(collection, principal));
    return record === null ? undefined : (record.value as unknown as Grant).permission;
  }

  /** Grants (or changes) a permission. */
  async grant(grant: Omit<Grant, "grantedAt">): Promise<Grant> {
    const stored: Grant = { ...grant, grantedAt: new Date(this.#now()).toISOString() };
    await this.#provider.put(grantsCollection, {
      key: pairKey(grant.collection, grant.principal),
      value: stored as unknown as Value,
    });
    await this.#provider.delete(requestsCollection, pairKey(grant.collection, grant.principal));
    return stored;
  }

  /** Removes a grant; false when there was none. */
  async revoke(collection: string, principal: string): Promise<boolean> {
    return this.#provider.delete(grantsCollection, pairKey(collection, principal));
  }

  /** Grants, all or those of one collection or one principal. */
  async listGrants(options: { collection?: string; principal?: string } = {}): Promise<Grant[]> {
    const filter: Record<string, string> = {};
    if (options.collection !== undefined) filter.collection = options.collection;
    if (options.principal !== undefined) filter.principal = options.principal;
    const records = await this.#provider.find(grantsCollection, { filter: valueFilter(filter) });
    return records.map((record) => record.value as unknown as Grant);
  }

  /** Records an access request for an owner to grant later. */
  async request(request: AccessRequest): Promise<void> {
    await this.#provider.put(requestsCollection, {
      key: pairKey(request.collection, request.principal),
      value: request as unknown as Value,
    });
  }

  /** Pending access requests, all or those for one collection. */
  async listRequests(collection?: string): Promise<AccessRequest[]> {
    const filter = collection === undefined ? {} : { collection };
    const records = await this.#provider.find(requestsCollection, { filter: valueFilter(filter) });
    return records.map((record) => record.value as unknown as AccessRequest);
  }
}
