/**
 * `client.admin`: the `admin.*` procedures, with inputs and results typed by the server's router.
 * Which key may call what is the server's business (see its README): the root key creates
 * tenants, a tenant admin key manages keys and reads the audit log, owners grant and revoke.
 */

import type { CallRunner } from "./call-runner.js";
import type { RouterInputs, RouterOutputs } from "./router-types.js";

type AdminInputs = RouterInputs["admin"];
type AdminOutputs = RouterOutputs["admin"];

/** The administration API. */
export interface AdminClient {
  /** Root key: creates a tenant and returns its first admin key (shown only here). */
  createTenant(tenant: string): Promise<AdminOutputs["createTenant"]>;
  /** Root key: every tenant. */
  listTenants(): Promise<AdminOutputs["listTenants"]>;
  /** Tenant admin: a key for a principal of the tenant (`role` defaults to `service`). */
  createKey(input: AdminInputs["createKey"]): Promise<AdminOutputs["createKey"]>;
  /** Tenant admin: revokes a key by id, on every server instance at once. */
  revokeKey(id: string): Promise<AdminOutputs["revokeKey"]>;
  /** Tenant admin: the tenant's keys (never their secrets). */
  listKeys(): Promise<AdminOutputs["listKeys"]>;
  /** `admin` on the collection: grants `read`, `write` or `admin` to a principal. */
  grant(input: AdminInputs["grant"]): Promise<AdminOutputs["grant"]>;
  /** `admin` on the collection: removes a principal's grant. */
  revoke(input: AdminInputs["revoke"]): Promise<AdminOutputs["revoke"]>;
  /** Grants and pending access requests of one collection, or the caller's own. */
  listGrants(collection?: string): Promise<AdminOutputs["listGrants"]>;
  /** Applies a manifest (YAML text or the parsed object): collections, indexes, access requests. */
  applyManifest(
    manifest: AdminInputs["applyManifest"]["manifest"],
  ): Promise<AdminOutputs["applyManifest"]>;
  /** Registered collections the caller owns (all of them for a tenant admin). */
  collections(): Promise<AdminOutputs["collections"]>;
  /** Tenant admin: audit entries, oldest first. */
  audit(options?: AdminInputs["audit"]): Promise<AdminOutputs["audit"]>;
  /** Tenant admin: checks the audit log's hash chain. */
  verifyAudit(): Promise<AdminOutputs["verifyAudit"]>;
}

/** The admin API over a call runner. */
export function createAdminClient(runner: CallRunner): AdminClient {
  return {
    createTenant: (tenant) =>
      runner.run((trpc, signal) => trpc.admin.createTenant.mutate({ tenant }, { signal })),
    listTenants: () =>
      runner.run((trpc, signal) => trpc.admin.listTenants.query(undefined, { signal })),
    createKey: (input) =>
      runner.run((trpc, signal) => trpc.admin.createKey.mutate(input, { signal })),
    revokeKey: (id) =>
      runner.run((trpc, signal) => trpc.admin.revokeKey.mutate({ id }, { signal })),
    listKeys: () => runner.run((trpc, signal) => trpc.admin.listKeys.query(undefined, { signal })),
    grant: (input) => runner.run((trpc, signal) => trpc.admin.grant.mutate(input, { signal })),
    revoke: (input) => runner.run((trpc, signal) => trpc.admin.revoke.mutate(input, { signal })),
    listGrants: (collection) =>
      runner.run((trpc, signal) =>
        trpc.admin.listGrants.query(collection === undefined ? undefined : { collection }, {
          signal,
        }),
      ),
    applyManifest: (manifest) =>
      runner.run((trpc, signal) => trpc.admin.applyManifest.mutate({ manifest }, { signal })),
    collections: () =>
      runner.run((trpc, signal) => trpc.admin.collections.query(undefined, { signal })),
    audit: (options) => runner.run((trpc, signal) => trpc.admin.audit.query(options, { signal })),
    verifyAudit: () =>
      runner.run((trpc, signal) => trpc.admin.verifyAudit.query(undefined, { signal })),
  };
}
