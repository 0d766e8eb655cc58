/**
 * `vault.*`: the collection API over HTTP, one procedure per `Vault` method, named after it.
 * Each resolves the collection through `authorizeCollection` and then calls the tenant's Vault.
 * Result sizes are bounded: a call may return at most `maxResultDocuments` documents, asked
 * for explicitly with `limit` or matched without one; more is a 400 telling the caller to page.
 */

import {
  LimitExceededError,
  type QueryOptions,
  type StoredDocument,
  type StoreOptions,
} from "@agentvault/core";
import { parseFilter } from "@agentvault/query";
import { z } from "zod";
import { describeParsedFilterShape } from "./filter-shape.js";
import {
  collectionInput,
  collectionName,
  keyInput,
  noInput,
  plainObject,
  queryOptions,
  recordKey,
  searchInput,
  storeOptions,
} from "./input-schemas.js";
import { includesPermission } from "./permissions.js";
import { authorizeCollection, type TenantCallContext, tenantProcedure } from "./procedures.js";
import { t } from "./trpc.js";

const source = "server";

/** Checks the filter against the server's limits and records its shape for the audit entry. */
function checkFilter(ctx: TenantCallContext, filter: unknown): void {
  if (filter === undefined) return;
  ctx.call.filterShape = describeParsedFilterShape(parseFilter(filter, ctx.services.limits.filter));
}

function resultLimit(ctx: TenantCallContext, requested: number | undefined): number {
  const max = ctx.services.limits.maxResultDocuments;
  if (requested !== undefined && requested > max) {
    throw new LimitExceededError("resultSize", `limit is at most ${max}`, { source });
  }
  // One more than allowed, to tell "exactly the maximum" from "more than it".
  return requested ?? max + 1;
}

function checkResultSize<T>(ctx: TenantCallContext, results: T[]): T[] {
  const max = ctx.services.limits.maxResultDocuments;
  if (results.length > max) {
    throw new LimitExceededError(
      "resultSize",
      `More than ${max} documents match; use limit and skip to page through them`,
      { source },
    );
  }
  return results;
}

/** The `vault` router. */
export const vaultRouter = t.router({
  store: tenantProcedure
    .input(
      z
        .object({ collection: collectionName, doc: plainObject, options: storeOptions.optional() })
        .strict(),
    )
    .mutation(async ({ ctx, input }) => {
      const collection = await authorizeCollection(ctx, input.collection, "write");
      return ctx.scope.vault.store(
        collection,
        input.doc,
        input.options as StoreOptions | undefined,
      );
    }),

  retrieve: tenantProcedure
    .input(z.object({ collection: collectionName, key: recordKey.optional() }).strict())
    .query(async ({ ctx, input }): Promise<StoredDocument | StoredDocument[] | null> => {
      const collection = await authorizeCollection(ctx, input.collection, "read");
      if (input.key !== undefined) return ctx.scope.vault.retrieve(collection, input.key);
      const limit = resultLimit(ctx, undefined);
      return checkResultSize(ctx, await ctx.scope.vault.query(collection, {}, { limit }));
    }),

  query: tenantProcedure
    .input(
      z
        .object({
          collection: collectionName,
          filter: plainObject.optional(),
          options: queryOptions.optional(),
        })
        .strict(),
    )
    .query(async ({ ctx, input }) => {
      const collection = await authorizeCollection(ctx, input.collection, "read");
      checkFilter(ctx, input.filter);
      const limit = resultLimit(ctx, input.options?.limit);
      const options = { ...input.options, limit } as QueryOptions;
      const docs = await ctx.scope.vault.query(collection, input.filter, options);
      return checkResultSize(ctx, docs);
    }),

  update: tenantProcedure
    .input(z.object({ collection: collectionName, key: recordKey, patch: plainObject }).strict())
    .mutation(async ({ ctx, input }) => {
      const collection = await authorizeCollection(ctx, input.collection, "write");
      return ctx.scope.vault.update(collection, input.key, input.patch);
    }),

  updateMany: tenantProcedure
    .input(
      z.object({ collection: collectionName, filter: plainObject, update: plainObject }).strict(),
    )
    .mutation(async ({ ctx, input }) => {
      const collection = await authorizeCollection(ctx, input.collection, "write");
      checkFilter(ctx, input.filter);
      return ctx.scope.vault.updateMany(collection, input.filter, input.update);
    }),

  delete: tenantProcedure.input(keyInput).mutation(async ({ ctx, input }) => {
    const collection = await authorizeCollection(ctx, input.collection, "write");
    return ctx.scope.vault.delete(collection, input.key);
  }),

  deleteMany: tenantProcedure
    .input(z.object({ collection: collectionName, filter: plainObject }).strict())
    .mutation(async ({ ctx, input }) => {
      const collection = await authorizeCollection(ctx, input.collection, "write");
      checkFilter(ctx, input.filter);
      return ctx.scope.vault.deleteMany(collection, input.filter);
    }),

  clear: tenantProcedure.input(collectionInput).mutation(async ({ ctx, input }) => {
    const collection = await authorizeCollection(ctx, input.collection, "write");
    return ctx.scope.vault.clear(collection);
  }),

  count: tenantProcedure
    .input(z.object({ collection: collectionName, filter: plainObject.optional() }).strict())
    .query(async ({ ctx, input }) => {
      const collection = await authorizeCollection(ctx, input.collection, "read");
      checkFilter(ctx, input.filter);
      return ctx.scope.vault.count(collection, input.filter);
    }),

  /** The collections holding data that the caller may read. */
  listCollections: tenantProcedure.input(noInput).query(async ({ ctx }) => {
    const names = await ctx.scope.vault.listCollections();
    const { principal, role } = ctx.caller;
    if (role === "admin") return names;
    const grants = await ctx.scope.registry.listGrants({ principal });
    const granted = new Set(
      grants
        .filter((grant) => includesPermission(grant.permission, "read"))
        .map((grant) => grant.collection),
    );
    const readable: string[] = [];
    for (const name of names) {
      const owner = await ctx.scope.registry.ownerOf(name);
      const namespace = name.slice(0, Math.max(0, name.indexOf(".")));
      const allowed = ctx.services.policy({
        caller: { principal, role },
        collection: name,
        namespace,
        owner,
        granted: granted.has(name) ? "read" : undefined,
        needed: "read",
      });
      if (allowed) readable.push(name);
    }
    return readable;
  }),

  search: tenantProcedure.input(searchInput).query(async ({ ctx, input }) => {
    const collection = await authorizeCollection(ctx, input.collection, "read");
    checkFilter(ctx, input.filter);
    const { collection: _name, ...options } = input;
    const limit = resultLimit(ctx, input.limit ?? 10);
    return ctx.scope.vault.search(collection, { ...options, limit });
  }),
});
