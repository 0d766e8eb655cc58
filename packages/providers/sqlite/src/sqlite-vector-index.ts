/**
 * One collection's approximate index: an in-memory hnswlib HNSW graph whose labels are the
 * table's rowids, kept in step with the table.
 *
 * - Built in the background, in slices read by rowid, yielding to the event loop between
 *   slices (an HNSW insertion is synchronous native work); searches stay exact until it is
 *   ready.
 * - This connection's own writes are seen through TEMP triggers (they live only in this
 *   connection, never in the file, and roll back with the transaction that fired them) that
 *   record changed rowids in a TEMP table; a search first re-reads those rows.
 * - Commits by other connections (another process, another provider on the file) move
 *   `PRAGMA data_version`; then one scan compares every row's vector fingerprint with the
 *   index's and re-reads what differs.
 * - It is memory only: rebuilt after a restart, never written to the database file, so the file
 *   stays readable by any SQLite and no index file can drift from the data.
 */

import type { VectorMetric } from "@agentvault/core";
import type { CollectionInfo } from "./sqlite-collection-registry.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import { vectorView } from "./sqlite-vector-exact.js";
import type { HnswFactory, HnswIndex, HnswSpace } from "./sqlite-vector-hnswlib.js";
import type { ResolvedApproximateOptions } from "./sqlite-vector-options.js";

/** Runs a synchronous step on the connection, in turn with the provider's other work. */
export type ConnectionStep = <T>(step: (connection: SqliteConnection) => T) => Promise<T>;

const spaces: Readonly<Record<VectorMetric, HnswSpace>> = {
  cosine: "cosine",
  dot: "ip",
  euclidean: "l2",
};

const sliceRows = 1_000;
const sliceMilliseconds = 25;

/** A 53-bit fingerprint of a vector blob (two FNV-style 32-bit hashes over its words). */
export function vectorFingerprint(blob: Uint8Array): number {
  const words =
    blob.byteOffset % 4 === 0
      ? new Int32Array(blob.buffer, blob.byteOffset, blob.byteLength >> 2)
      : new Int32Array(blob.slice().buffer);
  let first = 0x811c9dc5;
  let second = 0x01000193 ^ words.length;
  for (let index = 0; index < words.length; index++) {
    const word = words[index]!;
    first = Math.imul(first ^ word, 0x01000193);
    second = Math.imul(second ^ (word >>> 7), 0x5bd1e995) ^ (second >>> 13);
  }
  return (first >>> 0) * 2 ** 21 + ((second >>> 0) & 0x1fffff);
}

function logName(info: CollectionInfo): string {
  return `"av_vector_log_${info.id}"`;
}

/** An HNSW index over one collection's vectors on one connection. */
export class CollectionVectorIndex {
  readonly collectionId: number;
  readonly dimension: number;
  readonly metric: VectorMetric;
  readonly #hnsw: HnswIndex;
  /** rowid -> fingerprint of the vector the index holds for it. */
  readonly #fingerprints = new Map<number, number>();
  readonly #log: string;
  #dataVersion = -1;
  #ready = false;

  private constructor(
    info: CollectionInfo,
    hnsw: HnswIndex,
    metric: VectorMetric,
    dimension: number,
  ) {
    this.collectionId = info.id;
    this.#hnsw = hnsw;
    this.metric = metric;
    this.dimension = dimension;
    this.#log = logName(info);
  }

  /** Vectors the index holds. */
  get size(): number {
    return this.#fingerprints.size;
  }

  /** Whether the build has finished. */
  get ready(): boolean {
    return this.#ready;
  }

  /**
   * Builds the index for `info`'s collection: installs the change triggers, then adds every
   * vector slice by slice. Resolves when it is ready.
   */
  static async build(
    info: CollectionInfo,
    settings: {
      readonly factory: HnswFactory;
      readonly metric: VectorMetric;
      readonly dimension: number;
      readonly expected: number;
      readonly options: ResolvedApproximateOptions;
      readonly step: ConnectionStep;
    },
  ): Promise<CollectionVectorIndex> {
    const { options } = settings;
    const hnsw = settings.factory(spaces[settings.metric], settings.dimension);
    hnsw.initIndex(
      Math.max(1_024, Math.ceil(settings.expected * 1.25)),
      options.m,
      options.efConstruction,
      100,
    );
    const index = new CollectionVectorIndex(info, hnsw, settings.metric, settings.dimension);
    await settings.step((connection) => index.#install(connection, info));
    let after = 0;
    for (;;) {
      const next = await settings.step((connection) => index.#addSlice(connection, info, after));
      if (next === undefined) break;
      after = next;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    index.#ready = true;
    return index;
  }

  /** Creates the TEMP change log and triggers, and notes the data version the build starts at. */
  #install(connection: SqliteConnection, info: CollectionInfo): void {
    const log = this.#log;
    const table = `main.${info.table}`;
    const record = (row: "new" | "old") =>
      `INSERT INTO ${log} (row_id) SELECT ${row}.rowid WHERE NOT EXISTS (SELECT 1 FROM ${log} WHERE row_id = ${row}.rowid);`;
    const prefix = `av_vector_${info.id}`;
    connection.db.exec(`
CREATE TEMP TABLE IF NOT EXISTS ${log} (row_id INTEGER PRIMARY KEY);
DELETE FROM ${log};
CREATE TEMP TRIGGER IF NOT EXISTS "${prefix}_insert" AFTER INSERT ON ${table} BEGIN ${record("new")} END;
CREATE TEMP TRIGGER IF NOT EXISTS "${prefix}_update" AFTER UPDATE OF vector ON ${table} BEGIN ${record("new")} END;
CREATE TEMP TRIGGER IF NOT EXISTS "${prefix}_delete" AFTER DELETE ON ${table} BEGIN ${record("old")} END;`);
    this.#dataVersion = connection.registry.dataVersion();
  }

  /** Adds the vectors of rows after `after` for up to one time slice; the last rowid, or undefined at the end. */
  #addSlice(connection: SqliteConnection, info: CollectionInfo, after: number): number | undefined {
    const started = performance.now();
    const read = connection.statement(
      `SELECT rowid AS row_id, vector FROM ${info.table} WHERE rowid > ? AND vector IS NOT NULL ORDER BY rowid LIMIT ${sliceRows}`,
    );
    let last = after;
    while (performance.now() - started < sliceMilliseconds) {
      const rows = read.all(last) as { row_id: number; vector: Uint8Array }[];
      for (const row of rows) this.#put(row.row_id, row.vector);
      if (rows.length < sliceRows) return undefined;
      last = rows[rows.length - 1]!.row_id;
    }
    return last;
  }

  #put(rowid: number, blob: Uint8Array): void {
    if (blob.byteLength !== this.dimension * 8) return;
    const fingerprint = vectorFingerprint(blob);
    if (this.#fingerprints.get(rowid) === fingerprint) return;
    const hnsw = this.#hnsw;
    if (hnsw.getCurrentCount() >= hnsw.getMaxElements()) {
      hnsw.resizeIndex(hnsw.getMaxElements() * 2);
    }
    hnsw.addPoint(Array.from(vectorView(blob)), rowid);
    this.#fingerprints.set(rowid, fingerprint);
  }

  #remove(rowid: number): void {
    if (!this.#fingerprints.delete(rowid)) return;
    this.#hnsw.markDelete(rowid);
  }

  /**
   * Brings the index in step with the table. Returns false when it cannot be trusted for this
   * search: not built yet, or changes made inside a transaction that is still open (they may yet
   * roll back, and the index could not follow).
   */
  sync(connection: SqliteConnection, info: CollectionInfo): boolean {
    if (!this.#ready) return false;
    const dataVersion = connection.registry.dataVersion();
    const external = dataVersion !== this.#dataVersion;
    const changed = connection
      .statement(`SELECT row_id FROM ${this.#log}`)
      .pluck()
      .all() as number[];
    if (!external && changed.length === 0) return true;
    if (connection.db.inTransaction) return false;
    if (external) {
      this.#resync(connection, info);
      this.#dataVersion = dataVersion;
    } else {
      const read = connection.statement(`SELECT vector FROM ${info.table} WHERE rowid = ?`).pluck();
      for (const rowid of changed) {
        const blob = read.get(rowid) as Uint8Array | null | undefined;
        if (blob === null || blob === undefined) this.#remove(rowid);
        else this.#put(rowid, blob);
      }
    }
    connection.statement(`DELETE FROM ${this.#log}`).run();
    return true;
  }

  /** Compares every row with the index (after commits by other connections). */
  #resync(connection: SqliteConnection, info: CollectionInfo): void {
    const seen = new Set<number>();
    const scan = connection.statement(
      `SELECT rowid AS row_id, vector FROM ${info.table} WHERE vector IS NOT NULL`,
    );
    for (const row of scan.iterate() as Iterable<{ row_id: number; vector: Uint8Array }>) {
      seen.add(row.row_id);
      this.#put(row.row_id, row.vector);
    }
    for (const rowid of [...this.#fingerprints.keys()]) if (!seen.has(rowid)) this.#remove(rowid);
  }

  /**
   * The rowids of up to `count` nearest vectors, nearest first. `allowed` restricts the labels
   * the graph walk may return (a filtered search).
   */
  nearest(
    vector: readonly number[],
    count: number,
    options: { readonly ef: number; readonly allowed?: ReadonlySet<number> | undefined },
  ): number[] {
    const wanted = Math.min(count, this.#fingerprints.size);
    if (wanted <= 0) return [];
    this.#hnsw.setEf(Math.max(options.ef, wanted));
    const allowed = options.allowed;
    const result =
      allowed === undefined
        ? this.#hnsw.searchKnn([...vector], wanted)
        : this.#hnsw.searchKnn([...vector], Math.min(wanted, allowed.size), (label) =>
            allowed.has(label),
          );
    return result.neighbors;
  }
}
