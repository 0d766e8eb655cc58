/**
 * The zod 4 schemas of every procedure input. Objects are `.strict()`: an unknown field is a
 * 400, never silently ignored. Documents, filters, updates, sorts and projections are checked
 * to be plain objects and passed through *uncopied* (`z.custom`), because copying untrusted
 * objects field by field is where `__proto__` keys turn into prototype changes; the core then
 * validates them fully.
 */

import type { Value } from "@agentvault/query";
import { z } from "zod";
import { keyRoles, permissions } from "./permissions.js";

/** A plain object: created by JSON parsing or `{}`, not a class instance, array or null. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Any plain object, passed through as is. */
export const plainObject = z.custom<Record<string, unknown>>(isPlainObject, {
  message: "Expected an object",
});

/** A collection name as written by the caller (`events` or `service.events`). */
export const collectionName = z.string().min(1).max(120);
/** A record key. */
export const recordKey = z.string().min(1).max(1024);
const count = z.number().int().min(0);
/** A vector. */
export const vector = z.array(z.number()).min(1).max(65_536);

/** `vault.store` options. */
export const storeOptions = z
  .object({
    key: recordKey.optional(),
    ttl: z.number().positive().optional(),
    metadata: plainObject.optional(),
    vector: vector.optional(),
  })
  .strict();

/** `vault.query` options. */
export const queryOptions = z
  .object({
    sort: plainObject.optional(),
    projection: z.union([plainObject, z.array(z.string().max(1024)).max(256)]).optional(),
    limit: count.optional(),
    skip: count.optional(),
  })
  .strict();

/** A collection alone. */
export const collectionInput = z.object({ collection: collectionName }).strict();
/** A collection and a key. */
export const keyInput = z.object({ collection: collectionName, key: recordKey }).strict();

/** `vault.search` input: the collection and the `SearchOptions`. */
export const searchInput = z
  .object({
    collection: collectionName,
    vector,
    limit: count.optional(),
    filter: plainObject.optional(),
    minScore: z.number().optional(),
  })
  .strict();

/** A permission name. */
export const permission = z
  .enum(permissions as [string, ...string[]])
  .transform((value) => value as (typeof permissions)[number]);
/** A key role. */
export const keyRole = z
  .enum(keyRoles as [string, ...string[]])
  .transform((value) => value as (typeof keyRoles)[number]);
/** A principal name (checked fully by `validatePrincipalName`). */
export const principalName = z.string().min(1).max(64);

/** An empty input (procedures without arguments still reject unknown fields). */
export const noInput = z.object({}).strict().optional();

/** A key-value store name as written by the caller (`settings` or `service.settings`). */
export const kvStoreName = collectionName;
/** A stored value: any AgentVault value (the core validates it fully); never absent. */
export const kvValue = z.custom<Value>((value) => value !== undefined, {
  message: "Expected a value",
});
/** A time to live in seconds (the core refuses one that is not positive, with its own message). */
export const kvTtl = z.number();
/** A key-value store alone. */
export const kvStoreInput = z.object({ store: kvStoreName }).strict();
/** A key-value store and one of its keys. */
export const kvKeyInput = z.object({ store: kvStoreName, key: recordKey }).strict();
/** A page of a key-value store's entries: those after the key `after`, in key order. */
export const kvPageInput = z
  .object({ store: kvStoreName, after: recordKey.optional(), limit: count.max(100_000).optional() })
  .strict();
