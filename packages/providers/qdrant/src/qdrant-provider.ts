/**
 * `qdrantProvider`: AgentVault on Qdrant, as a vector store and a document store.
 *
 * - Isolation: one Qdrant collection per AgentVault database and collection
 *   (`<prefix>--<database>--<collection>`, see `qdrant-names.ts`).
 * - Points: the id is a UUIDv5 of the key, the payload the record view plus the provider's
 *   fields (see `qdrant-payload-codec.ts`), the vector the named vector `embedding`.
 * - Reads: filters compile to Qdrant filters (`qdrant-filter-compiler.ts`); inexact parts and
 *   sort, skip, limit and projection run in memory on the candidates, so results equal the
 *   memory provider's.
 * - Writes wait for Qdrant to apply them (`wait: true`). Single-record updates are optimistic:
 *   read, compute, write only if the revision is unchanged (`update_filter`), retry otherwise.
 * - Search asks Qdrant for candidates (HNSW, or exact with `exactSearch`), then re-scores them
 *   from the stored float64 vectors and ranks them with the shared rules (ties by key).
 */

import {
  applyRecordUpdate,
  ConflictError,
  checkQueryDimension,
  type FindQuery,
  findInMemory,
  type HealthStatus,
  type IndexSpec,
  isExpired,
  type ProviderCapabilities,
  ProviderUnavailableError,
  type PutOptions,
  type RecordUpdate,
  type StorageProvider,
  type StoredRecord,
  TopVectorHits,
  ValidationError,
  type VectorHit,
  type VectorMetric,
  type VectorQuery,
  validateVector,
  vectorScore,
} from "@agentvault/core";
import type { FilterNode } from "@agentvault/query";
import { QdrantClient } from "@qdrant/js-client-rest";
import { type CollectionState, QdrantCollections } from "./qdrant-collections.js";
import { isNotFound, source, toAgentVaultError } from "./qdrant-errors.js";
import { planPayloadIndexes } from "./qdrant-index-specs.js";
import {
  collectionFromQdrantName,
  databaseNamePrefix,
  qdrantCollectionName,
} from "./qdrant-names.js";
import {
  type QdrantProviderOptions,
  type ResolvedQdrantOptions,
  resolveQdrantOptions,
} from "./qdrant-options.js";
import {
  decodePayload,
  type EncodedPoint,
  encodePoint,
  payloadRevision,
  vectorName,
} from "./qdrant-payload-codec.js";
import { pointIdForKey } from "./qdrant-point-id.js";
import { readFilter } from "./qdrant-query-filter.js";

const capabilities: ProviderCapabilities = Object.freeze({
  nativeTtl: false,
  transactions: false,
  vectorSearch: true,
  watch: false,
  indexes: true,
  nativeFilters: true,
});

interface QdrantRoot {
  readonly options: ResolvedQdrantOptions;
  readonly client: () => QdrantClient;
  readonly collections: QdrantCollections;
  readonly ownsClient: boolean;
  closed: boolean;
}

/** The Qdrant provider: a `StorageProvider` with `search` and `ensureIndexes`. */
export type QdrantStorageProvider = StorageProvider &
  Required<Pick<StorageProvider, "search" | "ensureIndexes">>;

/** A decoded point with the revision it was read at. */
interface ReadPoint {
  readonly record: StoredRecord;
  readonly revision: string | undefined;
}

class QdrantProvider implements QdrantStorageProvider {
  readonly name = source;
  readonly capabilities = capabilities;
  readonly database: string;
  readonly #root: QdrantRoot;

  constructor(root: QdrantRoot, database: string) {
    this.#root = root;
    this.database = database;
  }

  #client(): QdrantClient {
    if (this.#root.closed) {
      throw new ProviderUnavailableError("The Qdrant provider is closed", { source });
    }
    return this.#root.client();
  }

  #now(): number {
    return this.#root.options.clock();
  }

  #name(collection: string): string {
    if (typeof collection !== "string" || collection === "") {
      throw new ValidationError("A collection name must be a non-empty string", "collection", {
        source,
      });
    }
    return qdrantCollectionName(this.#root.options.prefix, this.database, collection);
  }

  #metric(collection: string): VectorMetric {
    const options = this.#root.options;
    return options.vectorMetrics[collection] ?? options.vectorMetric;
  }

  async #call<T>(action: string, operation: (client: QdrantClient) => Promise<T>): Promise<T> {
    const client = this.#client();
    try {
      return await operation(client);
    } catch (error) {
      throw toAgentVaultError(error, action);
    }
  }

  /** The collection's state, creating it for a write of `records`. */
  async #forWrite(collection: string, records: readonly StoredRecord[]): Promise<CollectionState> {
    const name = this.#name(collection);
    const configured = this.#root.options.dimensions[collection];
    const first = records.find((record) => record?.vector !== undefined)?.vector?.length;
    const state = await this.#root.collections.ensure(name, {
      dimension: configured ?? first,
      metric: this.#metric(collection),
    });
    this.#root.collections.checkVectors(
      collection,
      state,
      records.map((record) => record?.vector),
    );
    return state;
  }

  /** Reads points by id; missing, foreign and expired points are left out. */
  async #retrieve(collection: string, keys: readonly string[]): Promise<Map<string, ReadPoint>> {
    const found = new Map<string, ReadPoint>();
    const name = this.#name(collection);
    if (keys.length === 0 || (await this.#root.collections.find(name)) === undefined) return found;
    const points = await this.#call("read points", async (client) => {
      try {
        return await client.retrieve(name, {
          ids: keys.map(pointIdForKey),
          with_payload: true,
          with_vector: false,
        });
      } catch (error) {
        if (isNotFound(error)) return [];
        throw error;
      }
    });
    const now = this.#now();
    for (const point of points) {
      const record = decodePayload(point.payload);
      if (record === undefined || isExpired(record, now)) continue;
      found.set(record.key, { record, revision: payloadRevision(point.payload) });
    }
    return found;
  }

  async #upsert(
    collection: string,
    points: readonly EncodedPoint[],
    updateFilter?: unknown,
  ): Promise<void> {
    const name = this.#name(collection);
    await this.#call("write points", (client) =>
      client.upsert(name, {
        wait: true,
        points: points as never,
        ...(updateFilter === undefined ? {} : { update_filter: updateFilter as never }),
      }),
    );
  }

  /** Every live record passing `filter`, page by page, stopping once `enough` says so. */
  async #scan(
    collection: string,
    filter: FilterNode | undefined,
    enough: (matched: number) => boolean = () => false,
  ): Promise<StoredRecord[]> {
    const name = this.#name(collection);
    if ((await this.#root.collections.find(name)) === undefined) return [];
    const now = this.#now();
    const native = readFilter(filter, now);
    const matched: StoredRecord[] = [];
    let offset: string | number | undefined;
    do {
      const page = await this.#call("scroll points", (client) =>
        client.scroll(name, {
          filter: native.filter as never,
          limit: this.#root.options.pageSize,
          with_payload: true,
          with_vector: false,
          ...(offset === undefined ? {} : { offset }),
        }),
      );
      for (const point of page.points) {
        const record = decodePayload(point.payload);
        if (record !== undefined && !isExpired(record, now) && native.matches(record)) {
          matched.push(record);
        }
      }
      const next = page.next_page_offset;
      offset = typeof next === "string" || typeof next === "number" ? next : undefined;
    } while (offset !== undefined && !enough(matched.length));
    return matched;
  }

  withDatabase(database: string): StorageProvider {
    if (typeof database !== "string" || database === "") {
      throw new ValidationError("A database name must be a non-empty string", "database", {
        source,
      });
    }
    return new QdrantProvider(this.#root, database);
  }

  async get(collection: string, key: string): Promise<StoredRecord | null> {
    return (await this.#retrieve(collection, [key])).get(key)?.record ?? null;
  }

  async getMany(collection: string, keys: readonly string[]): Promise<(StoredRecord | null)[]> {
    const found = await this.#retrieve(collection, [...new Set(keys)]);
    return keys.map((key) => found.get(key)?.record ?? null);
  }

  async put(collection: string, record: StoredRecord, options: PutOptions = {}): Promise<void> {
    await this.#forWrite(collection, [record]);
    const now = this.#now();
    if (options.ifAbsent) {
      // Written only over a missing or expired point; read back to learn whether it was.
      const point = encodePoint(record, { now });
      await this.#upsert(collection, [point], {
        must: [{ key: "_av.expiresAt", range: { lte: now } }],
      });
      const stored = await this.#retrieve(collection, [record.key]);
      if (stored.get(record.key)?.revision !== point.payload._av.revision) {
        throw new ConflictError(`Key already exists in ${collection}`, { source });
      }
      return;
    }
    const existing = (await this.#retrieve(collection, [record.key])).get(record.key);
    await this.#upsert(collection, [
      encodePoint(record, { now, createdAt: existing?.record.createdAt }),
    ]);
  }

  async putMany(collection: string, records: readonly StoredRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.#forWrite(collection, records);
    const now = this.#now();
    const existing = await this.#retrieve(
      collection,
      records.map((record) => record.key),
    );
    // Encode everything first, so an invalid record fails the batch before anything is sent.
    const points = new Map<string, EncodedPoint>();
    for (const record of records) {
      const createdAt = existing.get(record.key)?.record.createdAt;
      points.set(record.key, encodePoint(record, { now, createdAt }));
    }
    await this.#upsert(collection, [...points.values()]);
  }

  async delete(collection: string, key: string): Promise<boolean> {
    const found = (await this.#retrieve(collection, [key])).has(key);
    if (!found) return false;
    const name = this.#name(collection);
    await this.#call("delete a point", (client) =>
      client.delete(name, { wait: true, points: [pointIdForKey(key)] }),
    );
    return true;
  }

  async find(collection: string, query: FindQuery): Promise<StoredRecord[]> {
    if (query.limit === 0) return [];
    const wanted =
      query.sort === undefined || query.sort.length === 0
        ? (query.skip ?? 0) + (query.limit ?? Number.POSITIVE_INFINITY)
        : Number.POSITIVE_INFINITY;
    const candidates = await this.#scan(collection, query.filter, (matched) => matched >= wanted);
    return findInMemory(candidates, query, this.#now());
  }

  async count(collection: string, filter: FilterNode): Promise<number> {
    return (await this.#scan(collection, filter)).length;
  }

  async update(
    collection: string,
    key: string,
    changes: RecordUpdate,
  ): Promise<StoredRecord | null> {
    for (let attempt = 0; attempt < this.#root.options.updateAttempts; attempt++) {
      const current = (await this.#retrieve(collection, [key])).get(key);
      if (current === undefined) return null;
      const now = this.#now();
      const updated = applyRecordUpdate(current.record, changes, now);
      if (changes.vector) await this.#forWrite(collection, [updated]);
      const point = encodePoint(updated, { now, createdAt: current.record.createdAt });
      await this.#upsert(collection, [point], {
        must: [{ key: "_av.revision", match: { value: current.revision ?? "" } }],
      });
      const stored = (await this.#retrieve(collection, [key])).get(key);
      if (stored?.revision === point.payload._av.revision) return updated;
      // Another writer changed the record between our read and write: read again.
    }
    throw new ConflictError(`The record kept changing under concurrent updates in ${collection}`, {
      source,
    });
  }

  async updateMany(collection: string, filter: FilterNode, changes: RecordUpdate): Promise<number> {
    let changed = 0;
    for (const record of await this.#scan(collection, filter)) {
      if ((await this.update(collection, record.key, changes)) !== null) changed += 1;
    }
    return changed;
  }

  async deleteMany(collection: string, filter: FilterNode): Promise<number> {
    const doomed = await this.#scan(collection, filter);
    if (doomed.length === 0) return 0;
    const name = this.#name(collection);
    await this.#call("delete points", (client) =>
      client.delete(name, {
        wait: true,
        points: doomed.map((record) => pointIdForKey(record.key)),
      }),
    );
    return doomed.length;
  }

  async dropCollection(collection: string): Promise<number> {
    const name = this.#name(collection);
    if ((await this.#root.collections.find(name)) === undefined) return 0;
    const live = (await this.#scan(collection, undefined)).length;
    await this.#call("delete a collection", (client) => client.deleteCollection(name));
    this.#root.collections.forget(name);
    return live;
  }

  async #collectionNames(): Promise<string[]> {
    const { prefix } = this.#root.options;
    const listed = await this.#call("list collections", (client) => client.getCollections());
    return listed.collections
      .map((entry) => entry.name)
      .filter((name) => name.startsWith(databaseNamePrefix(prefix, this.database)));
  }

  async listCollections(): Promise<string[]> {
    const { prefix } = this.#root.options;
    const names: string[] = [];
    for (const qdrantName of await this.#collectionNames()) {
      const collection = collectionFromQdrantName(prefix, this.database, qdrantName);
      if (collection === undefined) continue;
      const some = await this.#scan(collection, undefined, (matched) => matched > 0);
      if (some.length > 0) names.push(collection);
    }
    return names.sort();
  }

  async ensureIndexes(collection: string, indexes: readonly IndexSpec[]): Promise<boolean> {
    const plan = planPayloadIndexes(indexes, this.#root.options.payloadIndexTypes);
    await this.#forWrite(collection, []);
    const name = this.#name(collection);
    for (const index of plan.indexes) {
      await this.#call("create a payload index", (client) =>
        client.createPayloadIndex(name, {
          field_name: index.field,
          field_schema: index.type,
          wait: true,
        }),
      );
    }
    return plan.native;
  }

  async search(collection: string, query: VectorQuery): Promise<VectorHit[]> {
    const vector = validateVector(query?.vector, { source });
    const name = this.#name(collection);
    const state = await this.#root.collections.find(name);
    if (state === undefined) return [];
    checkQueryDimension(vector, state.dimension, { source, collection });
    const limit = query.limit ?? 10;
    if (state.dimension === undefined || limit <= 0) return [];
    const now = this.#now();
    const native = readFilter(query.filter, now);
    const metric = this.#metric(collection);
    // Extra candidates let exact re-scoring settle the order at the cut; more when the
    // filter is re-checked here and may drop some.
    let wanted = native.exact ? limit * 2 + 10 : limit * 10 + 10;
    for (;;) {
      const response = await this.#call("search vectors", (client) =>
        client.query(name, {
          query: [...vector],
          using: vectorName,
          limit: wanted,
          filter: native.filter as never,
          with_payload: true,
          with_vector: false,
          params: { exact: this.#root.options.exactSearch },
        }),
      );
      const top = new TopVectorHits<StoredRecord>(limit, query.minScore);
      for (const point of response.points) {
        const record = decodePayload(point.payload);
        if (record?.vector === undefined || isExpired(record, now) || !native.matches(record)) {
          continue;
        }
        top.offer(record.key, vectorScore(metric, vector, record.vector), record);
      }
      if (top.size >= limit || response.points.length < wanted) {
        return top.sorted().map((hit) => ({ record: hit.item, score: hit.score }));
      }
      wanted *= 4;
    }
  }

  async dropDatabase(): Promise<void> {
    for (const name of await this.#collectionNames()) {
      await this.#call("delete a collection", (client) => client.deleteCollection(name));
      this.#root.collections.forget(name);
    }
  }

  async health(): Promise<HealthStatus> {
    const started = performance.now();
    try {
      await this.#call("answer a health check", (client) => client.getCollections());
      return { ok: true, latencyMs: performance.now() - started };
    } catch (error) {
      const message = error instanceof Error ? error.message : "unavailable";
      return { ok: false, latencyMs: performance.now() - started, message };
    }
  }

  async close(): Promise<void> {
    this.#root.closed = true;
  }
}

/**
 * Creates the Qdrant provider. The client is created on first use (or pass your own).
 *
 * @example
 * import { createVault } from "@agentvault/core";
 * import { qdrantProvider } from "@agentvault/provider-qdrant";
 *
 * const vault = createVault({ provider: qdrantProvider({ url: "http://127.0.0.1:6333" }) });
 * await vault.store("notes", { text: "hello" }, { vector: [0.1, 0.7, 0.2] });
 * const hits = await vault.search("notes", { vector: [0.1, 0.6, 0.3], limit: 5 });
 */
export function qdrantProvider(options: QdrantProviderOptions = {}): QdrantStorageProvider {
  const resolved = resolveQdrantOptions(options);
  let client: QdrantClient | undefined = options.client;
  const getClient = () => {
    client ??= new QdrantClient({
      url: resolved.url,
      apiKey: resolved.apiKey,
      timeout: resolved.timeoutMs,
      checkCompatibility: false,
    });
    return client;
  };
  const openClient = () => {
    if (root.closed)
      throw new ProviderUnavailableError("The Qdrant provider is closed", { source });
    return getClient();
  };
  const root: QdrantRoot = {
    options: resolved,
    client: getClient,
    collections: new QdrantCollections(openClient),
    ownsClient: options.client === undefined,
    closed: false,
  };
  return new QdrantProvider(root, resolved.database);
}
