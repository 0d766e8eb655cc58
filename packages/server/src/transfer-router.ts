/**
 * `transfer.*`: `vault.export()` and `vault.import()` over HTTP, for tenant admin keys only,
 * in pages so that no call exceeds the server's limits. The instance keeps no state between
 * pages (any instance can serve the next one): the client assembles the core's export format
 * (header, record lines, trailer with counts and SHA-256) from these answers, and verifies an
 * import in full before sending its record lines a page at a time.
 *
 * What crosses: the tenant's own collections and its key-value stores (`_avkv`, `_avkv.*`).
 * The server's bookkeeping in the tenant database (registry, grants, access requests, audit
 * log) is never exported and cannot be imported: an import cannot forge ownership or rewrite
 * the audit chain.
 */

import {
  AgentVaultError,
  IntegrityError,
  isExpired,
  keyValueRegistryCollection,
  LimitExceededError,
  PermissionDeniedError,
  recordFromJson,
  recordToJson,
  type StorageProvider,
  type StoredRecord,
  validateCollectionName,
  validateKey,
  validateValue,
} from "@agentvault/core";
import type { FieldPath, FilterNode, SortSpec } from "@agentvault/query";
import { z } from "zod";
import { collectionName, noInput, recordKey } from "./input-schemas.js";
import { type TenantCallContext, tenantAdminProcedure } from "./procedures.js";
import { t } from "./trpc.js";

const source = "server";
const idPath: FieldPath = { path: "_id", segments: ["_id"] };
const byKey: SortSpec = [{ field: idPath, direction: 1 }];
const matchAll: FilterNode = { type: "and", children: [] };

/**
 * Whether a collection of the tenant database crosses export and import over HTTP: the
 * tenant's collections and key-value stores, not the server's own `_av` bookkeeping.
 */
export function isTransferableCollection(name: string): boolean {
  if (!name.startsWith("_av")) return true;
  return name === keyValueRegistryCollection || name.startsWith(`${keyValueRegistryCollection}.`);
}

/** What an export starts with: the facts of its header. */
export interface ExportStart {
  readonly database: string;
  readonly createdAt: string;
  /** Each transferable collection and its record count now, in export order. */
  readonly collections: { readonly [collection: string]: number };
}

/** A page of export lines of one collection, in key order. */
export interface ExportPage {
  readonly lines: string[];
  readonly done: boolean;
  /** The last key read: the `after` of the next page. */
  readonly last?: string;
}

function pageBudget(ctx: TenantCallContext): { records: number; characters: number } {
  const { maxResultDocuments, maxBodyBytes } = ctx.services.limits;
  // Lines travel as JSON strings inside the JSON answer, where escaping can double them.
  return { records: maxResultDocuments, characters: Math.max(1, Math.floor(maxBodyBytes / 2)) };
}

function decodeLine(line: string, index: number): { collection: string; record: StoredRecord } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    throw new IntegrityError(`Line ${index + 1} of the page is not valid JSON`, {
      source,
      cause: error,
    });
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new IntegrityError(`Line ${index + 1} of the page is not a JSON object`, { source });
  }
  const fields = json as { readonly [field: string]: unknown };
  let collection: string;
  let record: StoredRecord;
  try {
    collection = validateCollectionName(fields.c, { allowReserved: true, source });
    record = recordFromJson(fields);
    validateKey(record.key, { source });
    validateValue(record.value, { source });
    if (record.metadata !== undefined) validateValue(record.metadata, { source, path: "metadata" });
  } catch (error) {
    if (!AgentVaultError.isInstance(error)) throw error;
    throw new IntegrityError(`Line ${index + 1} of the page is not a valid record`, {
      source,
      cause: error,
    });
  }
  if (!isTransferableCollection(collection)) {
    throw new PermissionDeniedError(
      `Line ${index + 1} writes ${collection}: imports over HTTP write the tenant's collections and key-value stores only`,
      { source },
    );
  }
  return { collection, record };
}

async function writeGroups(
  provider: StorageProvider,
  groups: ReadonlyMap<string, StoredRecord[]>,
): Promise<void> {
  for (const [collection, records] of groups) await provider.putMany(collection, records);
}

/** The `transfer` router. */
export const transferRouter = t.router({
  /** The header facts of a new export. */
  exportStart: tenantAdminProcedure.input(noInput).query(async ({ ctx }): Promise<ExportStart> => {
    const { provider } = ctx.scope;
    const names = (await provider.listCollections()).filter(isTransferableCollection);
    const collections: Record<string, number> = {};
    for (const name of names) {
      Object.defineProperty(collections, name, {
        value: await provider.count(name, matchAll),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return {
      database: provider.database,
      createdAt: new Date(ctx.services.now()).toISOString(),
      collections,
    };
  }),

  /** Export lines of one collection after the key `after`, live records only, in key order. */
  exportPage: tenantAdminProcedure
    .input(
      z
        .object({
          collection: collectionName,
          after: recordKey.optional(),
          limit: z.number().int().min(1).max(100_000).optional(),
        })
        .strict(),
    )
    .query(async ({ ctx, input }): Promise<ExportPage> => {
      const collection = validateCollectionName(input.collection, { allowReserved: true, source });
      if (!isTransferableCollection(collection)) {
        throw new PermissionDeniedError(`${collection} is not exported over HTTP`, { source });
      }
      ctx.call.collection = collection;
      const budget = pageBudget(ctx);
      const limit = Math.min(input.limit ?? budget.records, budget.records);
      const filter: FilterNode =
        input.after === undefined
          ? matchAll
          : { type: "field", field: idPath, condition: { op: "gt", value: input.after } };
      const records = await ctx.scope.provider.find(collection, { filter, sort: byKey, limit });
      const now = ctx.services.now();
      const lines: string[] = [];
      let characters = 0;
      let last: string | undefined;
      let read = 0;
      for (const record of records) {
        if (!isExpired(record, now)) {
          const line = JSON.stringify({ c: collection, ...recordToJson(record) });
          // Always at least one line per page, so a record larger than the budget still moves.
          if (lines.length > 0 && characters + line.length > budget.characters) break;
          characters += line.length;
          lines.push(line);
        }
        last = record.key;
        read++;
      }
      const done = read === records.length && records.length < limit;
      return { lines, done, ...(last === undefined ? {} : { last }) };
    }),

  /**
   * Writes a page of export record lines (no header or trailer: the client verified those).
   * Every line of the page is checked before any is written; records already expired are
   * skipped. Returns how many records were written.
   */
  importPage: tenantAdminProcedure
    .input(z.object({ lines: z.array(z.string()).min(1) }).strict())
    .mutation(async ({ ctx, input }): Promise<number> => {
      const max = ctx.services.limits.maxResultDocuments;
      if (input.lines.length > max) {
        throw new LimitExceededError(
          "resultSize",
          `At most ${max} lines can be imported in one call; split the import`,
          { source },
        );
      }
      const now = ctx.services.now();
      const groups = new Map<string, StoredRecord[]>();
      let written = 0;
      input.lines.forEach((line, index) => {
        const { collection, record } = decodeLine(line, index);
        if (isExpired(record, now)) return;
        const group = groups.get(collection) ?? [];
        group.push(record);
        groups.set(collection, group);
        written++;
      });
      const { provider } = ctx.scope;
      if (provider.transaction !== undefined && provider.capabilities.transactions) {
        await provider.transaction((tx) => writeGroups(tx, groups));
      } else {
        await writeGroups(provider, groups);
      }
      return written;
    }),
});
