/**
 * The permission policy: a pure function from who is asking, about which collection, with which
 * registry and grant facts, to allowed or not. It is injectable (`BrokerOptions.accessPolicy`)
 * so tests can prove the isolation matrix fails when one rule is broken on purpose.
 *
 * Rules (`defaultAccessPolicy`):
 * - a tenant `admin` key has `admin` on every collection of its tenant;
 * - the owner of a collection (its registered creator) has `admin` on it;
 * - an unregistered collection in a principal's own namespace is the principal's to create;
 * - everyone else has what was granted to them, and nothing otherwise;
 * - a `reader` key never has more than `read`, whatever it owns or was granted.
 */

/** A permission on a collection; each includes the ones before it. */
export type Permission = "read" | "write" | "admin";

/** The role a key gives its principal inside its tenant. */
export type KeyRole = "admin" | "service" | "agent" | "reader";

/** Every permission, weakest first. */
export const permissions: readonly Permission[] = ["read", "write", "admin"];
/** Every tenant key role. */
export const keyRoles: readonly KeyRole[] = ["admin", "service", "agent", "reader"];

const rank: Readonly<Record<Permission, number>> = { read: 1, write: 2, admin: 3 };

/** Whether `held` includes `needed`. */
export function includesPermission(held: Permission | undefined, needed: Permission): boolean {
  return held !== undefined && rank[held] >= rank[needed];
}

/** Everything the policy may look at. */
export interface AccessQuestion {
  /** The calling principal and its key role. */
  readonly caller: { readonly principal: string; readonly role: KeyRole };
  /** The full collection name (`service.collection`). */
  readonly collection: string;
  /** Its namespace: the part before the first dot. */
  readonly namespace: string;
  /** The registered owner, or undefined when the collection is not registered yet. */
  readonly owner: string | undefined;
  /** What was granted to the caller on this collection, if anything. */
  readonly granted: Permission | undefined;
  /** What the operation needs. */
  readonly needed: Permission;
}

/** Decides one access question: true allows. */
export type AccessPolicy = (question: AccessQuestion) => boolean;

/** The permission the caller effectively holds on the collection. */
export function effectivePermission(
  question: Omit<AccessQuestion, "needed">,
): Permission | undefined {
  const { caller, owner, namespace, granted } = question;
  let held: Permission | undefined;
  if (caller.role === "admin") held = "admin";
  else if (owner === caller.principal) held = "admin";
  else if (owner === undefined && namespace === caller.principal) held = "admin";
  else held = granted;
  if (caller.role === "reader" && held !== undefined) held = "read";
  return held;
}

/** The policy described at the top of this file. */
export const defaultAccessPolicy: AccessPolicy = (question) =>
  includesPermission(effectivePermission(question), question.needed);
