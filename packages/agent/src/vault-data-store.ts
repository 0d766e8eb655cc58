/**
 * The data manager's calls over a Vault, for agents given vaults (a remote client, say) instead
 * of a data manager. Each value is kept as the document `{ data, metadata, expiresAt? }`, so the
 * data manager's filter paths map onto document paths as they are: `metadata.*` and `data.*`
 * stay, `key` becomes `_id`. Results have the data manager's shapes (`DataReference`,
 * `{ data, reference }`), so an agent gets the same answers from either.
 */

import {
  type Clock,
  type DataQueryOptions,
  type DataQueryResult,
  type DataReference,
  type DataSearchOptions,
  type DataSearchResult,
  type DataStoreOptions,
  type Filter,
  FilterValidationError,
  generateKey,
  type QueryOptions,
  type StoredDocument,
  toDataReferenceUri,
  ValidationError,
  type Vault,
} from "@agentvault/core";
import type { SortInput, Value } from "@agentvault/query";

const source = "agent";
const logicalOperators = new Set(["$and", "$or", "$nor"]);

function defineField(target: Record<string, unknown>, field: string, value: unknown): void {
  Object.defineProperty(target, field, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** A data manager path as a document path. @throws FilterValidationError */
function documentPath(path: string): string {
  if (path === "key") return "_id";
  const root = path.split(".", 1)[0];
  if (root === "data" || root === "metadata") return path;
  throw new FilterValidationError(
    `Data manager filters address metadata.*, data, data.* or key; "${path}" is none of them`,
    path,
    { source },
  );
}

/**
 * Rewrites the field paths of a filter (or sort) into document paths. Conditions, and the
 * element-relative paths inside `$elemMatch`, are left alone; `$and`/`$or`/`$nor` are followed.
 */
export function toDocumentPaths(filter: Filter, at = ""): Filter {
  if (filter === null || typeof filter !== "object" || Array.isArray(filter)) {
    throw new FilterValidationError("A filter must be an object", at, { source });
  }
  const rewritten: Record<string, unknown> = {};
  for (const [field, condition] of Object.entries(filter)) {
    if (logicalOperators.has(field) && Array.isArray(condition)) {
      const branches = condition.map((branch, index) =>
        toDocumentPaths(branch as Filter, `${at}${field}.${index}.`),
      );
      defineField(rewritten, field, branches);
    } else if (field.startsWith("$")) {
      defineField(rewritten, field, condition); // the vault decides on other operators
    } else {
      defineField(rewritten, documentPath(field), condition);
    }
  }
  return rewritten;
}

/** A data manager sort (object or `[field, direction]` pairs) as a document sort object. */
export function toDocumentSort(sort: SortInput): QueryOptions["sort"] {
  const pairs = Array.isArray(sort) ? sort : Object.entries(sort);
  const rewritten: Record<string, 1 | -1> = {};
  for (const pair of pairs) {
    const [field, direction] = pair as readonly [string, unknown];
    const descending = direction === -1 || direction === "desc" || direction === "descending";
    const ascending = direction === 1 || direction === "asc" || direction === "ascending";
    if (!descending && !ascending) {
      throw new FilterValidationError('A sort direction is 1, -1, "asc" or "desc"', field, {
        source,
      });
    }
    defineField(rewritten, documentPath(field), descending ? -1 : 1);
  }
  return rewritten;
}

function count(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(`${name} must be a non-negative integer`, name, { source });
  }
  return value;
}

/** The data manager's calls for one provider name served by a vault. */
export class VaultDataStore {
  readonly #vault: Vault;
  readonly #provider: string;
  readonly #clock: Clock;

  constructor(vault: Vault, provider: string, clock: Clock) {
    this.#vault = vault;
    this.#provider = provider;
    this.#clock = clock;
  }

  #reference(collection: string, doc: StoredDocument): DataReference {
    const location = { provider: this.#provider, collection, key: doc._id };
    const metadata = (doc.metadata ?? {}) as DataReference["metadata"];
    const expiresAt = typeof doc.expiresAt === "number" ? { expiresAt: doc.expiresAt } : {};
    return { ...location, metadata, ...expiresAt, uri: toDataReferenceUri(location) };
  }

  async store(data: Value, options: DataStoreOptions): Promise<DataReference> {
    const collection = options.collection ?? "data";
    const key = options.key ?? generateKey(collection);
    const ttl = options.ttl;
    if (ttl !== undefined && (typeof ttl !== "number" || !Number.isFinite(ttl) || ttl <= 0)) {
      throw new ValidationError("ttl must be a positive number of seconds", "ttl", { source });
    }
    const doc: StoredDocument = { _id: key, data, metadata: options.metadata ?? {} };
    if (ttl !== undefined) doc.expiresAt = this.#clock() + ttl * 1000;
    await this.#vault.store(collection, doc, { key, ttl, vector: options.vector });
    return this.#reference(collection, doc);
  }

  async retrieve(collection: string, key: string): Promise<Value | null> {
    const doc = await this.#vault.retrieve(collection, key);
    return doc === null ? null : (doc.data ?? null);
  }

  delete(collection: string, key: string): Promise<boolean> {
    return this.#vault.delete(collection, key);
  }

  async query(filter: Filter, options: DataQueryOptions = {}): Promise<DataQueryResult[]> {
    const collection = options.collection ?? "data";
    const limit = count(options.limit, "limit", 100);
    const skip = count(options.skip, "skip", 0);
    const sort = options.sort === undefined ? undefined : toDocumentSort(options.sort);
    const documentFilter = toDocumentPaths(filter);
    if (limit === 0) return [];
    const docs = await this.#vault.query(collection, documentFilter, { limit, skip, sort });
    return docs.map((doc) => ({
      data: doc.data ?? null,
      reference: this.#reference(collection, doc),
    }));
  }

  async search(
    vector: readonly number[],
    options: DataSearchOptions = {},
  ): Promise<DataSearchResult[]> {
    const collection = options.collection ?? "data";
    const limit = count(options.limit, "limit", 10);
    const filter = options.filter === undefined ? undefined : toDocumentPaths(options.filter);
    if (limit === 0) return [];
    const hits = await this.#vault.search(collection, {
      vector,
      limit,
      filter,
      minScore: options.minScore,
    });
    return hits.map((hit) => ({
      data: hit.doc.data ?? null,
      score: hit.score,
      reference: this.#reference(collection, hit.doc),
    }));
  }
}
