/**
 * `admin.*`: tenants and keys (root key), keys of a tenant (tenant admin), grants (owners and
 * collection admins), manifests, the registry and the audit log.
 */

import { ConflictError } from "@agentvault/core";
import { z } from "zod";
import { auditOutcomes } from "./audit-chain.js";
import type { Grant } from "./collection-registry.js";
import {
  collectionName,
  keyRole,
  noInput,
  permission,
  plainObject,
  principalName,
} from "./input-schemas.js";
import { parseManifest } from "./manifest.js";
import { applyManifest } from "./manifest-apply.js";
import { namespaceOf, validatePrincipalName, validateTenantId } from "./names.js";
import {
  authorizeCollection,
  rootProcedure,
  tenantAdminProcedure,
  tenantProcedure,
} from "./procedures.js";
import { t } from "./trpc.js";

const source = "server";

/** The principal of the key `createTenant` returns. */
export const tenantAdminPrincipal = "admin";

/** The `admin` router. */
export const adminRouter = t.router({
  /** Creates a tenant (its database is created on first write) and its first admin key. */
  createTenant: rootProcedure
    .input(z.object({ tenant: z.string().max(48) }).strict())
    .mutation(async ({ ctx, input }) => {
      const tenant = validateTenantId(input.tenant);
      try {
        await ctx.services.system.createTenant(tenant);
      } catch (error) {
        if (ConflictError.isInstance(error)) {
          throw new ConflictError(`Tenant "${tenant}" already exists`, { source, cause: error });
        }
        throw error;
      }
      const key = await ctx.services.system.createKey(tenant, tenantAdminPrincipal, "admin");
      return { tenant, keyId: key.id, apiKey: key.apiKey };
    }),

  listTenants: rootProcedure.input(noInput).query(({ ctx }) => ctx.services.system.listTenants()),

  /** Creates a key for a principal of the caller's tenant; the key is shown only in this answer. */
  createKey: tenantAdminProcedure
    .input(z.object({ principal: principalName, role: keyRole.optional() }).strict())
    .mutation(async ({ ctx, input }) => {
      const principal = validatePrincipalName(input.principal);
      const role = input.role ?? "service";
      const key = await ctx.services.system.createKey(ctx.scope.tenant, principal, role);
      return { id: key.id, apiKey: key.apiKey, principal, role };
    }),

  revokeKey: tenantAdminProcedure
    .input(z.object({ id: z.string().min(1).max(64) }).strict())
    .mutation(({ ctx, input }) => ctx.services.system.revokeKey(ctx.scope.tenant, input.id)),

  listKeys: tenantAdminProcedure
    .input(noInput)
    .query(({ ctx }) => ctx.services.system.listKeys(ctx.scope.tenant)),

  /** Grants a permission on a collection; needs `admin` on it (owners have it). */
  grant: tenantProcedure
    .input(z.object({ collection: collectionName, principal: principalName, permission }).strict())
    .mutation(async ({ ctx, input }): Promise<Grant> => {
      const collection = await authorizeCollection(ctx, input.collection, "admin");
      const principal = validatePrincipalName(input.principal);
      return ctx.scope.registry.grant({
        collection,
        principal,
        permission: input.permission,
        grantedBy: ctx.caller.principal,
      });
    }),

  /** Removes a principal's grant on a collection; needs `admin` on it. */
  revoke: tenantProcedure
    .input(
      z
        .object({
          collection: collectionName,
          principal: principalName,
          permission: permission.optional(),
        })
        .strict(),
    )
    .mutation(async ({ ctx, input }) => {
      const collection = await authorizeCollection(ctx, input.collection, "admin");
      return ctx.scope.registry.revoke(collection, validatePrincipalName(input.principal));
    }),

  /** Grants and pending access requests: of one collection (needs `admin` on it), or the caller's own. */
  listGrants: tenantProcedure
    .input(z.object({ collection: collectionName.optional() }).strict().optional())
    .query(async ({ ctx, input }) => {
      const { registry } = ctx.scope;
      if (input?.collection !== undefined) {
        const collection = await authorizeCollection(ctx, input.collection, "admin");
        return {
          grants: await registry.listGrants({ collection }),
          pending: await registry.listRequests(collection),
        };
      }
      const { principal, role } = ctx.caller;
      const mine = (item: { collection: string; principal: string }) =>
        role === "admin" ||
        item.principal === principal ||
        namespaceOf(item.collection) === principal;
      return {
        grants: (await registry.listGrants()).filter(mine),
        pending: (await registry.listRequests()).filter(mine),
      };
    }),

  /** Applies a manifest (YAML text or object) for the caller, or for any principal by a tenant admin. */
  applyManifest: tenantProcedure
    .input(z.object({ manifest: z.union([z.string().max(256 * 1024), plainObject]) }).strict())
    .mutation(({ ctx, input }) => applyManifest(ctx, parseManifest(input.manifest))),

  /** Registered collections the caller owns, or all of them for a tenant admin. */
  collections: tenantProcedure.input(noInput).query(async ({ ctx }) => {
    const all = await ctx.scope.registry.list();
    const { principal, role } = ctx.caller;
    return role === "admin" ? all : all.filter((entry) => entry.owner === principal);
  }),

  /** Lists audit entries of the tenant, oldest first. */
  audit: tenantAdminProcedure
    .input(
      z
        .object({
          after: z.number().int().min(-1).optional(),
          limit: z.number().int().min(1).max(1000).optional(),
          principal: z.string().max(64).optional(),
          operation: z.string().max(64).optional(),
          collection: z.string().max(120).optional(),
          outcome: z.enum(auditOutcomes).optional(),
        })
        .strict()
        .optional(),
    )
    .query(({ ctx, input }) => ctx.scope.audit.list(input ?? {})),

  /** Verifies the tenant's audit chain. */
  verifyAudit: tenantAdminProcedure.input(noInput).query(({ ctx }) => ctx.scope.audit.verify()),
});
