/**
 * Applies a parsed manifest for one principal: registers each declared collection in the
 * principal's namespace with its description and schema hint, creates its indexes on the
 * backend (document paths become record-view paths `value.<path>`; `_id` stays the key), and
 * handles access requests: granted at once when the caller may grant them (a tenant admin, or
 * the target's owner), recorded as pending for the owner otherwise.
 */

import { type IndexSpec, PermissionDeniedError } from "@agentvault/core";
import type { Grant } from "./collection-registry.js";
import type { ManifestIndex, ParsedManifest } from "./manifest.js";
import { namespaceOf, qualifyCollection, validatePrincipalName } from "./names.js";
import type { Permission } from "./permissions.js";
import type { TenantCallContext } from "./procedures.js";

const source = "manifest";

/** What `admin.applyManifest` reports. */
export interface ManifestResult {
  /** The principal the manifest was applied for. */
  readonly principal: string;
  /** Full names of the declared collections. */
  readonly collections: string[];
  /** How many indexes were declared, and whether the backend created real ones. */
  readonly indexes: { readonly declared: number; readonly created: boolean };
  /** Access requests granted at once. */
  readonly granted: Grant[];
  /** Access requests left for the owners to grant. */
  readonly pending: { collection: string; permission: Permission }[];
}

/** Maps a document path to the record-view path providers index. */
export function toRecordPath(path: string): string {
  return path === "_id" ? "_id" : `value.${path}`;
}

/** The provider index specs of one declared collection. */
export function toIndexSpecs(indexes: readonly ManifestIndex[]): IndexSpec[] {
  return indexes.map((index) => ({
    fields: index.fields.map(toRecordPath),
    type: index.type ?? (index.fields.length > 1 ? "compound" : "ascending"),
    name: index.name,
  }));
}

function principalFor(ctx: TenantCallContext, manifest: ParsedManifest): string {
  const { caller } = ctx;
  if (manifest.service === undefined || manifest.service === caller.principal)
    return caller.principal;
  if (caller.role !== "admin") {
    throw new PermissionDeniedError(
      `The manifest is for "${manifest.service}"; only a tenant admin applies another principal's manifest`,
      { source },
    );
  }
  return validatePrincipalName(manifest.service);
}

/** Applies `manifest` in the caller's tenant. */
export async function applyManifest(
  ctx: TenantCallContext,
  manifest: ParsedManifest,
): Promise<ManifestResult> {
  const principal = principalFor(ctx, manifest);
  const { registry, provider } = ctx.scope;
  const collections: string[] = [];
  let declared = 0;
  let created = true;
  for (const collection of manifest.requirements.collections ?? []) {
    const name = qualifyCollection(collection.name, principal);
    if (namespaceOf(name) !== principal) {
      throw new PermissionDeniedError(
        `${principal} cannot declare ${name}: it is in another namespace`,
        {
          source,
        },
      );
    }
    const allowed = ctx.services.policy({
      caller: { principal: ctx.caller.principal, role: ctx.caller.role },
      collection: name,
      namespace: principal,
      owner: await registry.ownerOf(name),
      granted: undefined,
      needed: "admin",
    });
    if (!allowed) {
      throw new PermissionDeniedError(`${ctx.caller.principal} cannot declare ${name}`, { source });
    }
    collections.push(name);
  }
  for (const [position, collection] of (manifest.requirements.collections ?? []).entries()) {
    const name = collections[position] as string;
    await registry.describe(name, principal, {
      description: collection.description,
      schemaHint: collection.schemaHint,
      indexes: collection.indexes,
    });
    const indexes = collection.indexes ?? [];
    declared += indexes.length;
    if (indexes.length > 0) {
      const made = provider.ensureIndexes
        ? await provider.ensureIndexes(name, toIndexSpecs(indexes))
        : false;
      created &&= made;
    }
  }
  const granted: Grant[] = [];
  const pending: { collection: string; permission: Permission }[] = [];
  for (const request of manifest.requirements.accessRequests ?? []) {
    const collection = qualifyCollection(request.collection, principal);
    const permission = request.permission as Permission;
    if (namespaceOf(collection) === principal) continue;
    const owner = await registry.ownerOf(collection);
    const callerGrants = ctx.services.policy({
      caller: { principal: ctx.caller.principal, role: ctx.caller.role },
      collection,
      namespace: namespaceOf(collection),
      owner,
      granted: await registry.grantOf(collection, ctx.caller.principal),
      needed: "admin",
    });
    if (callerGrants) {
      granted.push(
        await registry.grant({
          collection,
          principal,
          permission,
          grantedBy: ctx.caller.principal,
        }),
      );
    } else {
      await registry.request({ collection, principal, permission, reason: request.reason ?? null });
      pending.push({ collection, permission });
    }
  }
  return {
    principal,
    collections,
    indexes: { declared, created: declared === 0 ? false : created },
    granted,
    pending,
  };
}
