/**
 * The names the server accepts from callers and administrators: tenant ids, principal names and
 * collection names, and how a short collection name is namespaced to its principal.
 *
 * A collection is `<principal>.<name>`: the part before the first dot is its namespace, which
 * decides who may register (own) it. `events` written by `billing` means `billing.events`.
 */

import { ValidationError, validateCollectionName } from "@agentvault/core";

const source = "server";
const tenantPattern = /^[a-z0-9][a-z0-9_-]{0,47}$/;
const principalPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Checks a tenant id: 1-48 lowercase letters, digits, `_` and `-`, starting with a letter or digit. */
export function validateTenantId(tenant: unknown): string {
  if (typeof tenant !== "string" || !tenantPattern.test(tenant)) {
    throw new ValidationError(
      "Tenant ids are 1-48 lowercase letters, digits, '_' and '-', starting with a letter or digit",
      "tenant",
      { source },
    );
  }
  return tenant;
}

/** Checks a principal name: 1-64 letters, digits, `_` and `-` (no dots: a dot ends a namespace). */
export function validatePrincipalName(principal: unknown): string {
  if (typeof principal !== "string" || !principalPattern.test(principal)) {
    throw new ValidationError(
      "Principal names are 1-64 letters, digits, '_' and '-', starting with a letter or digit",
      "principal",
      { source },
    );
  }
  return principal;
}

/**
 * The full name of a collection as written by `principal`: names without a dot are namespaced
 * to the principal, names with one are taken as they are. The result passes the core's
 * collection-name rules (so reserved `_av` names are rejected here).
 */
export function qualifyCollection(name: unknown, principal: string): string {
  const checked = validateCollectionName(name, { source });
  const full = checked.includes(".") ? checked : `${principal}.${checked}`;
  const qualified = validateCollectionName(full, { source });
  if (qualified.endsWith(".")) {
    throw new ValidationError("Collection names cannot end with '.'", "collection", { source });
  }
  return qualified;
}

/** The namespace (owning principal's name) of a full collection name: the part before the first dot. */
export function namespaceOf(collection: string): string {
  const dot = collection.indexOf(".");
  return dot === -1 ? collection : collection.slice(0, dot);
}

/** The database of a tenant: `<prefix><tenant>_vault`. */
export function tenantDatabaseName(prefix: string, tenant: string): string {
  return `${prefix}${tenant}_vault`;
}
