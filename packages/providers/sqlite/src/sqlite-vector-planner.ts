/**
 * How `search` runs on SQLite: exactly (always available, and the answer whenever in doubt) or
 * through a collection's approximate HNSW index (see `sqlite-vector-index.ts`).
 *
 * The index is used only when all of these hold, otherwise the search is exact:
 * - `approximate` is not `false`, hnswlib-node loads, and the collection holds at least
 *   `minRecords` vectors (the index is then built in the background; searches stay exact until
 *   it is ready);
 * - the index could be brought in step with the table (not while this connection's own
 *   uncommitted changes are pending);
 * - without a filter, or with one SQL decides exactly that at least `minRecords` vectors and
 *   `minFilterFraction` of the collection pass: those rowids restrict the graph walk, so the
 *   filter still applies before the ranking. A more selective filter leaves few records, which
 *   the exact scan ranks quickly and exactly.
 * Candidates are re-scored exactly from the stored float64 vectors, so scores equal the exact
 * path's, ties are broken by key and `minScore` is exact; when expired rows or `minScore` leave
 * too few hits, more candidates are fetched, and past a quarter of the collection the search
 * falls back to exact.
 */

import {
  checkQueryDimension,
  type StoredRecord,
  TopVectorHits,
  type VectorHit,
  vectorScore,
} from "@agentvault/core";
import type { CollectionInfo } from "./sqlite-collection-registry.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import { compileWhere } from "./sqlite-record-reads.js";
import { liveCondition } from "./sqlite-schema.js";
import {
  collectionDimension,
  recordsByRowid,
  searchExactly,
  type VectorSearchInput,
} from "./sqlite-vector-exact.js";
import { loadHnswlib } from "./sqlite-vector-hnswlib.js";
import { CollectionVectorIndex, type ConnectionStep } from "./sqlite-vector-index.js";
import type { ResolvedApproximateOptions } from "./sqlite-vector-options.js";

const source = "sqlite";

/** How a collection's searches run now (from `prepareVectorIndex`). */
export interface SqliteVectorIndexStatus {
  /** `approximate` once the HNSW index is ready; `exact` otherwise. */
  readonly mode: "exact" | "approximate";
  /** Vectors the collection holds (the index's count when it is ready). */
  readonly vectors: number;
  /** Why searches are exact, when they are. */
  readonly reason?: string | undefined;
}

/** Runs a read of one collection (`absent` when it does not exist), in turn with other work. */
export type CollectionRead = <T>(
  absent: T,
  operation: (connection: SqliteConnection, info: CollectionInfo, now: number) => T,
) => Promise<T>;

interface IndexSlot {
  index?: CollectionVectorIndex;
  building?: Promise<void>;
  failure?: string;
  /** The last vector count, and the change stamp it was taken at. */
  counted?: { readonly stamp: string; readonly count: number };
}

interface ReadResult {
  readonly hits: VectorHit[];
  /** Set when the collection is large enough and no index exists yet. */
  readonly build?: {
    readonly info: CollectionInfo;
    readonly dimension: number;
    readonly count: number;
  };
}

/** The vector search of one provider root (shared by its `withDatabase` siblings). */
export class SqliteVectorPlanner {
  readonly #options: ResolvedApproximateOptions | false;
  readonly #slots = new WeakMap<SqliteConnection, Map<number, IndexSlot>>();

  constructor(options: ResolvedApproximateOptions | false) {
    this.#options = options;
  }

  /** Runs one search; starts an index build when the collection has grown large enough. */
  async search(
    collection: string,
    input: VectorSearchInput,
    access: { readonly read: CollectionRead; readonly step: ConnectionStep },
  ): Promise<VectorHit[]> {
    const result = await access.read<ReadResult>({ hits: [] }, (connection, info, now) =>
      this.#searchNow(connection, info, { collection, input, now }),
    );
    if (result.build !== undefined) {
      void this.#startBuild(result.build, input, access.step);
    }
    return result.hits;
  }

  /**
   * Builds the collection's index now if it qualifies (or waits for the running build) and
   * says how its searches run. Useful at start-up, so the first searches are not exact.
   */
  async prepare(
    input: Pick<VectorSearchInput, "metric">,
    access: { readonly read: CollectionRead; readonly step: ConnectionStep },
  ): Promise<SqliteVectorIndexStatus> {
    const found = await access.read(undefined, (connection, info) => {
      const dimension = collectionDimension(connection, info);
      const slot = this.#slot(connection, info);
      const count = dimension === undefined ? 0 : this.#count(connection, info, slot);
      return { info, dimension, count, slot };
    });
    if (found === undefined || found.dimension === undefined) {
      return { mode: "exact", vectors: 0, reason: "the collection holds no vectors" };
    }
    const { slot, info, dimension, count } = found;
    const options = this.#options;
    if (options === false) return { mode: "exact", vectors: count, reason: "approximate: false" };
    if (slot.index === undefined && slot.building === undefined && slot.failure === undefined) {
      if (count < options.minRecords) {
        const reason = `${count} vectors, below approximate.minRecords (${options.minRecords})`;
        return { mode: "exact", vectors: count, reason };
      }
      await this.#startBuild({ info, dimension, count }, input, access.step);
    }
    await slot.building;
    if (slot.index !== undefined) return { mode: "approximate", vectors: slot.index.size };
    return { mode: "exact", vectors: count, reason: slot.failure ?? "the index is not built" };
  }

  #slot(connection: SqliteConnection, info: CollectionInfo): IndexSlot {
    let slots = this.#slots.get(connection);
    if (slots === undefined) {
      slots = new Map();
      this.#slots.set(connection, slots);
    }
    let slot = slots.get(info.id);
    if (slot === undefined) {
      // Collection ids are never reused: forget the indexes of dropped collections.
      const live = new Set(connection.registry.all().map((known) => known.id));
      for (const id of slots.keys()) if (!live.has(id)) slots.delete(id);
      slot = {};
      slots.set(info.id, slot);
    }
    return slot;
  }

  /** The collection's vector count, recounted only after something was written. */
  #count(connection: SqliteConnection, info: CollectionInfo, slot: IndexSlot): number {
    const changes = connection.statement("SELECT total_changes()").pluck().get() as number;
    const stamp = `${changes}:${connection.registry.dataVersion()}`;
    if (slot.counted?.stamp === stamp) return slot.counted.count;
    const count = connection
      .statement(`SELECT count(*) FROM ${info.table} WHERE vector IS NOT NULL`)
      .pluck()
      .get() as number;
    slot.counted = { stamp, count };
    return count;
  }

  #searchNow(
    connection: SqliteConnection,
    info: CollectionInfo,
    request: {
      readonly collection: string;
      readonly input: VectorSearchInput;
      readonly now: number;
    },
  ): ReadResult {
    const { input, now } = request;
    const dimension = collectionDimension(connection, info);
    checkQueryDimension(input.vector, dimension, { source, collection: request.collection });
    if (dimension === undefined || input.limit <= 0) return { hits: [] };
    const options = this.#options;
    if (options === false) return { hits: searchExactly(connection, info, input, now) };
    const slot = this.#slot(connection, info);
    const index = slot.index;
    if (index !== undefined && index.metric === input.metric && index.sync(connection, info)) {
      const hits = this.#searchIndex(connection, info, index, { input, now, options });
      if (hits !== undefined) return { hits };
    }
    const hits = searchExactly(connection, info, input, now);
    const idle = index === undefined && slot.building === undefined && slot.failure === undefined;
    // A cheap upper bound first: the largest rowid is at least the row count.
    if (!idle || this.#maxRowid(connection, info) < options.minRecords) return { hits };
    const count = this.#count(connection, info, slot);
    return count < options.minRecords ? { hits } : { hits, build: { info, dimension, count } };
  }

  #maxRowid(connection: SqliteConnection, info: CollectionInfo): number {
    return (
      (connection.statement(`SELECT max(rowid) FROM ${info.table}`).pluck().get() as
        | number
        | null) ?? 0
    );
  }

  /** The approximate answer, or undefined when the exact scan should answer instead. */
  #searchIndex(
    connection: SqliteConnection,
    info: CollectionInfo,
    index: CollectionVectorIndex,
    context: {
      readonly input: VectorSearchInput;
      readonly now: number;
      readonly options: ResolvedApproximateOptions;
    },
  ): VectorHit[] | undefined {
    const { input, now, options } = context;
    let allowed: Set<number> | undefined;
    let ef = options.efSearch;
    if (input.filter !== undefined) {
      const where = compileWhere(info, input.filter);
      if (!where.exact) return undefined;
      const rowids = connection
        .statement(
          `SELECT r.rowid FROM ${info.table} AS r WHERE ${liveCondition} AND r.vector IS NOT NULL AND ${where.sql}`,
        )
        .pluck()
        .all(now, ...where.params) as number[];
      if (rowids.length < options.minRecords) return undefined;
      if (rowids.length < options.minFilterFraction * index.size) return undefined;
      allowed = new Set(rowids);
      // The walk visits filtered-out nodes too: widen it as the filter narrows (at most 4x).
      ef = Math.ceil(ef / Math.max(0.25, rowids.length / index.size));
    }
    // A few more than asked, so exact re-scoring can settle ties and order at the cut.
    let wanted = input.limit + Math.max(10, input.limit);
    for (;;) {
      const rowids = index.nearest(input.vector, wanted, { ef, allowed });
      const records = recordsByRowid(connection, info, rowids, { now });
      const top = new TopVectorHits<StoredRecord>(input.limit, input.minScore);
      let weakest = Number.POSITIVE_INFINITY;
      for (const rowid of rowids) {
        const record = records.get(rowid);
        if (record === undefined) continue;
        const score = vectorScore(input.metric, input.vector, record.vector!);
        weakest = Math.min(weakest, score);
        top.offer(record.key, score, record);
      }
      const exhausted = rowids.length < wanted;
      const belowFloor = input.minScore !== undefined && weakest < input.minScore;
      if (top.size >= input.limit || exhausted || belowFloor) {
        return top.sorted().map((hit) => ({ record: hit.item, score: hit.score }));
      }
      wanted *= 4;
      if (wanted > index.size / 4) return undefined;
    }
  }

  #startBuild(
    build: NonNullable<ReadResult["build"]>,
    input: Pick<VectorSearchInput, "metric">,
    step: ConnectionStep,
  ): Promise<void> {
    const options = this.#options;
    if (options === false) return Promise.resolve();
    let slot: IndexSlot | undefined;
    const started = step((connection) => {
      slot = this.#slot(connection, build.info);
      return slot.index === undefined && slot.building === undefined && slot.failure === undefined;
    }).then(async (start) => {
      if (!start || slot === undefined) return;
      const hnswlib = loadHnswlib();
      if ("error" in hnswlib) {
        slot.failure = hnswlib.error;
        return;
      }
      const target = slot;
      target.building = CollectionVectorIndex.build(build.info, {
        factory: hnswlib.factory,
        metric: input.metric,
        dimension: build.dimension,
        expected: build.count,
        options,
        step,
      }).then(
        (index) => {
          target.index = index;
          target.building = undefined;
        },
        (error: unknown) => {
          target.failure = `the index build failed (${error instanceof Error ? error.message : String(error)})`;
          target.building = undefined;
        },
      );
      await target.building;
    });
    return started.catch(() => {});
  }
}
