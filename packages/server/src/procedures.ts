/**
 * The procedure bases, one per kind of caller, and `authorizeCollection`, which every
 * collection procedure calls first: it namespaces the name, asks the access policy and records
 * ownership on first write. Tenant procedures get their tenant's scope in the context, built
 * from the caller's key: no procedure ever reads a tenant from its input.
 */

import { PermissionDeniedError } from "@agentvault/core";
import { type CallRecord, callMiddleware, runCall } from "./call-middleware.js";
import { namespaceOf, qualifyCollection } from "./names.js";
import type { KeyRole, Permission } from "./permissions.js";
import type { TenantScope } from "./tenant-scopes.js";
import { type RequestContext, t } from "./trpc.js";

/** The calling principal of a tenant procedure. */
export interface Caller {
  readonly principal: string;
  readonly role: KeyRole;
  readonly keyId: string;
}

/** The context of a tenant procedure. */
export interface TenantCallContext extends RequestContext {
  readonly call: CallRecord;
  readonly scope: TenantScope;
  readonly caller: Caller;
}

/**
 * The call middleware of tenant procedures: it also puts the caller's tenant scope in the
 * context, built from the key, in the same step.
 */
const tenantCallMiddleware = t.middleware((options) =>
  runCall(options, (call) => {
    const identity = options.ctx.identity;
    // `runCall` has already refused every caller that is not a tenant key.
    if (identity?.kind !== "tenant") {
      throw new PermissionDeniedError("A tenant key is required", { source: "server" });
    }
    return options.next({
      ctx: {
        call,
        scope: options.ctx.services.tenants.get(identity.tenant),
        // The tenant identity holds every field of a caller: no object per call.
        caller: identity,
      },
    });
  }),
);

/** Anyone, even without a key. */
export const publicProcedure = t.procedure.meta({ access: "public" }).use(callMiddleware);
/** The root key only. */
export const rootProcedure = t.procedure.meta({ access: "root" }).use(callMiddleware);
/** Any key of a tenant. */
export const tenantProcedure = t.procedure.meta({ access: "tenant" }).use(tenantCallMiddleware);
/** Tenant admin keys only. */
export const tenantAdminProcedure = t.procedure
  .meta({ access: "tenantAdmin" })
  .use(tenantCallMiddleware);

/**
 * Resolves the full name of a collection and checks the caller holds `needed` on it.
 * @throws PermissionDeniedError when the policy refuses.
 * @returns the full collection name.
 */
export async function authorizeCollection(
  ctx: TenantCallContext,
  name: string,
  needed: Permission,
): Promise<string> {
  const { caller, scope } = ctx;
  const collection = qualifyCollection(name, caller.principal);
  ctx.call.collection = collection;
  const namespace = namespaceOf(collection);
  const owner = await scope.registry.ownerOf(collection);
  const ownsIt =
    caller.role === "admin" ||
    owner === caller.principal ||
    (owner === undefined && namespace === caller.principal);
  // Owners need no grant lookup: one read less on the hot path of a service's own data.
  const granted = ownsIt ? undefined : await scope.registry.grantOf(collection, caller.principal);
  const allowed = ctx.services.policy({
    caller: { principal: caller.principal, role: caller.role },
    collection,
    namespace,
    owner,
    granted,
    needed,
  });
  if (!allowed) {
    throw new PermissionDeniedError(
      `${caller.principal} has no ${needed} permission on ${collection}`,
      { source: "server" },
    );
  }
  if (needed !== "read" && owner === undefined)
    await scope.registry.register(collection, namespace);
  return collection;
}
