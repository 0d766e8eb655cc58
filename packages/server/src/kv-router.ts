/**
 * `kv.*`: key-value stores over HTTP, one procedure per `KeyValueStore` method (plus `open` and
 * the paged reads behind `keys`, `values`, `entries`, `snapshot` and iteration).
 *
 * Naming and permissions: a store name is qualified like a collection name (`settings` written
 * by `billing` is `billing.settings`; `_av` names are refused), and the store is governed by the
 * registry entry of that full name: same owner, same grants, same policy as the collection of
 * that name. A `read` grant on `billing.settings` lets a principal read the store
 * `billing.settings`; `write` lets it change entries (including `pop`, `popItem`,
 * `setDefault`); `drop` needs `admin`. Creating a store is a write and registers its owner,
 * exactly as a first `store` does for a collection. Entries live in the tenant's own database
 * (collection `_avkv.<full name>`, as an embedded vault keeps them), reached only through the
 * tenant scope built from the caller's key.
 *
 * Every call reopens the store with `mustExist`, so a store dropped by anyone fails every later
 * call with `NotFoundError`. Atomic operations (`pop`, `popItem`, `setDefault`, `update`,
 * `setMany`) run as one call on the core's `KeyValueStore`, never read-modify-write from the
 * client. Writes of many entries and pages of reads are bounded by `maxResultDocuments`.
 */

import {
  encodeValue,
  isExpired,
  type KeyValueStore,
  keyValueCollection,
  LimitExceededError,
  NotFoundError,
} from "@agentvault/core";
import type { FieldPath, FilterNode, SortSpec, Value } from "@agentvault/query";
import { z } from "zod";
import {
  kvKeyInput,
  kvPageInput,
  kvStoreInput,
  kvStoreName,
  kvTtl,
  kvValue,
  plainObject,
  recordKey,
} from "./input-schemas.js";
import type { Permission } from "./permissions.js";
import { authorizeCollection, type TenantCallContext, tenantProcedure } from "./procedures.js";
import { t } from "./trpc.js";

const source = "server";
const idPath: FieldPath = { path: "_id", segments: ["_id"] };
const byKey: SortSpec = [{ field: idPath, direction: 1 }];

/** What `get` and `pop` answer: whether the key held a live value, and the value. */
export type KvLookup = { readonly found: false } | { readonly found: true; readonly value: Value };

/** A page of entries in key order; `done` when no entry follows it. */
export interface KvPage {
  readonly entries: [string, Value][];
  readonly done: boolean;
  /** The last key read (live or expired): the `after` of the next page. */
  readonly last?: string;
}

/** Checks the caller may do `needed` on the store, and opens it (it must exist). */
async function openStore(
  ctx: TenantCallContext,
  name: string,
  needed: Permission,
): Promise<KeyValueStore> {
  const full = await authorizeCollection(ctx, name, needed);
  return ctx.scope.vault.kv(full, { mustExist: true });
}

function checkEntryCount(ctx: TenantCallContext, count: number): void {
  const max = ctx.services.limits.maxResultDocuments;
  if (count > max) {
    throw new LimitExceededError(
      "resultSize",
      `At most ${max} entries can be written in one call; split the write`,
      { source },
    );
  }
}

/** The `kv` router. */
export const kvRouter = t.router({
  /**
   * Opens a store: `read` on it when it exists, `write` as well when this call creates it.
   * Returns its full name.
   */
  open: tenantProcedure
    .input(z.object({ store: kvStoreName, mustExist: z.boolean().optional() }).strict())
    .mutation(async ({ ctx, input }): Promise<{ name: string }> => {
      const full = await authorizeCollection(ctx, input.store, "read");
      try {
        return { name: (await ctx.scope.vault.kv(full, { mustExist: true })).name };
      } catch (error) {
        if (!NotFoundError.isInstance(error) || input.mustExist === true) throw error;
      }
      await authorizeCollection(ctx, full, "write");
      return { name: (await ctx.scope.vault.kv(full)).name };
    }),

  get: tenantProcedure.input(kvKeyInput).query(async ({ ctx, input }): Promise<KvLookup> => {
    const store = await openStore(ctx, input.store, "read");
    const missing = Symbol("missing");
    const value = await store.get(input.key, missing);
    return value === missing ? { found: false } : { found: true, value: value as Value };
  }),

  set: tenantProcedure
    .input(
      z
        .object({ store: kvStoreName, key: recordKey, value: kvValue, ttl: kvTtl.optional() })
        .strict(),
    )
    .mutation(async ({ ctx, input }): Promise<void> => {
      const store = await openStore(ctx, input.store, "write");
      await store.set(input.key, input.value, { ttl: input.ttl });
    }),

  has: tenantProcedure.input(kvKeyInput).query(async ({ ctx, input }) => {
    const store = await openStore(ctx, input.store, "read");
    return store.has(input.key);
  }),

  delete: tenantProcedure.input(kvKeyInput).mutation(async ({ ctx, input }) => {
    const store = await openStore(ctx, input.store, "write");
    return store.delete(input.key);
  }),

  size: tenantProcedure.input(kvStoreInput).query(async ({ ctx, input }) => {
    const store = await openStore(ctx, input.store, "read");
    return store.size();
  }),

  clear: tenantProcedure.input(kvStoreInput).mutation(async ({ ctx, input }) => {
    const store = await openStore(ctx, input.store, "write");
    return store.clear();
  }),

  /** Removes and returns the value in one call; `found: false` when absent. */
  pop: tenantProcedure.input(kvKeyInput).mutation(async ({ ctx, input }): Promise<KvLookup> => {
    const store = await openStore(ctx, input.store, "write");
    const missing = Symbol("missing");
    const value = await store.pop(input.key, missing);
    return value === missing ? { found: false } : { found: true, value: value as Value };
  }),

  /**
   * Removes and returns the first entry. The core's `popItem` retries lost races until it wins
   * an entry or the store is empty, so many callers can share one store as a work queue.
   */
  popItem: tenantProcedure
    .input(kvStoreInput)
    .mutation(async ({ ctx, input }): Promise<[string, Value]> => {
      const store = await openStore(ctx, input.store, "write");
      return store.popItem();
    }),

  setDefault: tenantProcedure
    .input(z.object({ store: kvStoreName, key: recordKey, value: kvValue }).strict())
    .mutation(async ({ ctx, input }): Promise<Value> => {
      const store = await openStore(ctx, input.store, "write");
      return store.setDefault(input.key, input.value);
    }),

  update: tenantProcedure
    .input(z.object({ store: kvStoreName, entries: plainObject }).strict())
    .mutation(async ({ ctx, input }): Promise<void> => {
      checkEntryCount(ctx, Object.keys(input.entries).length);
      const store = await openStore(ctx, input.store, "write");
      await store.update(input.entries as Record<string, Value>);
    }),

  setMany: tenantProcedure
    .input(
      z
        .object({
          store: kvStoreName,
          entries: z.array(z.tuple([recordKey, kvValue])),
          ttl: kvTtl.optional(),
        })
        .strict(),
    )
    .mutation(async ({ ctx, input }): Promise<void> => {
      checkEntryCount(ctx, input.entries.length);
      const store = await openStore(ctx, input.store, "write");
      await store.setMany(input.entries, { ttl: input.ttl });
    }),

  /**
   * Live entries after the key `after`, in key order, at most `limit` (clamped to
   * `maxResultDocuments`) and about half of `maxBodyBytes` of JSON. Pages are separate reads,
   * not one snapshot.
   */
  entries: tenantProcedure.input(kvPageInput).query(async ({ ctx, input }): Promise<KvPage> => {
    const store = await openStore(ctx, input.store, "read");
    const max = ctx.services.limits.maxResultDocuments;
    const limit = Math.max(1, Math.min(input.limit ?? max, max));
    const filter: FilterNode =
      input.after === undefined
        ? { type: "and", children: [] }
        : { type: "field", field: idPath, condition: { op: "gt", value: input.after } };
    const records = await ctx.scope.provider.find(keyValueCollection(store.name), {
      filter,
      sort: byKey,
      limit,
    });
    const now = ctx.services.now();
    // Entries travel as JSON: keep a page within half the body limit (escaping can double it),
    // and always give at least one entry, so a value larger than that still moves.
    const budget = Math.max(1, Math.floor(ctx.services.limits.maxBodyBytes / 2));
    const entries: [string, Value][] = [];
    let characters = 0;
    let last: string | undefined;
    let read = 0;
    for (const record of records) {
      if (!isExpired(record, now)) {
        const size = record.key.length + JSON.stringify(encodeValue(record.value)).length;
        if (entries.length > 0 && characters + size > budget) break;
        characters += size;
        entries.push([record.key, record.value]);
      }
      // The cursor is the last key read, expired or not, so a page of expired entries moves on.
      last = record.key;
      read++;
    }
    const done = read === records.length && records.length < limit;
    return { entries, done, ...(last === undefined ? {} : { last }) };
  }),

  /** Deletes the store and its entries; needs `admin` on it. */
  drop: tenantProcedure.input(kvStoreInput).mutation(async ({ ctx, input }): Promise<void> => {
    const store = await openStore(ctx, input.store, "admin");
    await store.drop();
  }),
});
