/**
 * One connection's view of its database's registry: which collections exist (and their table
 * ids), where each stored arrays, and which indexes were declared. The view is reloaded when
 * another connection (another process, or another provider on the same file) changed the
 * registry: `PRAGMA data_version` says whether anyone else committed, and `registry_version`
 * whether the registry was among the changes.
 */

import type { Database, Statement } from "better-sqlite3";
import { ArrayPathSet } from "./sqlite-array-shapes.js";
import {
  type CollectionStatements,
  collectionSchema,
  collectionStatements,
  tableName,
} from "./sqlite-schema.js";

/** The `_av_array_paths` row saying a collection gave up listing paths (all may be arrays). */
const overflowMarker = "\u0001overflow";

/** What a connection knows about one collection. */
export interface CollectionInfo {
  readonly id: number;
  readonly name: string;
  /** The quoted table name. */
  readonly table: string;
  /** The collection's fixed statements' SQL, built once (see `collectionStatements`). */
  readonly sql: CollectionStatements;
  readonly shapes: ArrayPathSet;
  /** Declared index names -> SQLite index names. */
  readonly indexes: Map<string, string>;
  /** When expired rows were last deleted (epoch ms, this connection's clock). */
  lastSweep: number;
  /** The dimension of stored vectors, once known. */
  vectorDimension: number | undefined;
}

/** The registry as one connection sees it. */
export class CollectionRegistry {
  readonly #db: Database;
  readonly #dataVersion: Statement;
  readonly #registryVersion: Statement;
  readonly #bump: Statement;
  readonly #insertPath: Statement;
  #collections = new Map<string, CollectionInfo>();
  #seenDataVersion = -1;
  #seenRegistryVersion = -1;

  constructor(db: Database) {
    this.#db = db;
    this.#dataVersion = db.prepare("PRAGMA data_version").pluck();
    this.#registryVersion = db
      .prepare("SELECT value FROM _av_meta WHERE key = 'registry_version'")
      .pluck();
    this.#bump = db
      .prepare(
        "UPDATE _av_meta SET value = value + 1 WHERE key = 'registry_version' RETURNING value",
      )
      .pluck();
    this.#insertPath = db.prepare(
      "INSERT OR IGNORE INTO _av_array_paths (collection_id, path) VALUES (?, ?)",
    );
  }

  /** The current `PRAGMA data_version` (changes when another connection commits). */
  dataVersion(): number {
    return this.#dataVersion.get() as number;
  }

  /** Whether no other connection committed since the last `sync` (one pragma). */
  isCurrent(): boolean {
    return this.dataVersion() === this.#seenDataVersion;
  }

  /** Reloads the registry if another connection changed it. */
  sync(): void {
    const dataVersion = this.dataVersion();
    if (dataVersion === this.#seenDataVersion) return;
    this.#seenDataVersion = dataVersion;
    const registryVersion = this.#registryVersion.get() as number;
    if (registryVersion !== this.#seenRegistryVersion) this.#reload(registryVersion);
  }

  /** Forgets everything (after a rollback, or a table that vanished): the next `sync` reloads. */
  invalidate(): void {
    this.#seenDataVersion = -1;
    this.#seenRegistryVersion = -1;
  }

  /** Forgets everything including the collections themselves (a table vanished under us). */
  reset(): void {
    this.invalidate();
    this.#collections = new Map();
  }

  #reload(registryVersion: number): void {
    const previous = this.#collections;
    const collections = new Map<string, CollectionInfo>();
    const rows = this.#db.prepare("SELECT id, name FROM _av_collections").all() as {
      id: number;
      name: string;
    }[];
    for (const row of rows) {
      const known = previous.get(row.name);
      collections.set(row.name, {
        id: row.id,
        name: row.name,
        table: tableName(row.id),
        sql: collectionStatements(tableName(row.id)),
        shapes: new ArrayPathSet(),
        indexes: new Map(),
        lastSweep: known?.id === row.id ? known.lastSweep : 0,
        vectorDimension: known?.id === row.id ? known.vectorDimension : undefined,
      });
    }
    const byId = new Map([...collections.values()].map((info) => [info.id, info]));
    const paths = this.#db
      .prepare("SELECT collection_id AS id, path FROM _av_array_paths")
      .all() as { id: number; path: string }[];
    for (const row of paths) {
      const shapes = byId.get(row.id)?.shapes;
      if (row.path === overflowMarker) shapes?.overflow();
      else shapes?.add(row.path);
    }
    const indexes = this.#db
      .prepare("SELECT collection_id AS id, name, index_name AS indexName FROM _av_indexes")
      .all() as { id: number; name: string; indexName: string }[];
    for (const row of indexes) byId.get(row.id)?.indexes.set(row.name, row.indexName);
    this.#collections = collections;
    this.#seenRegistryVersion = registryVersion;
  }

  /** The collection, if it exists (checking for other connections' changes on a miss). */
  find(name: string): CollectionInfo | undefined {
    const known = this.#collections.get(name);
    if (known !== undefined) return known;
    this.sync();
    return this.#collections.get(name);
  }

  /** The collection, synced with other connections first (for filtered reads and writes). */
  findFresh(name: string): CollectionInfo | undefined {
    this.sync();
    return this.#collections.get(name);
  }

  /** Every known collection (call `sync` first for a fresh list). */
  all(): CollectionInfo[] {
    return [...this.#collections.values()];
  }

  /** Marks the registry changed for other connections. Call inside the write transaction. */
  bump(): void {
    this.#seenRegistryVersion = this.#bump.get() as number;
  }

  /** The collection, created if absent. Call inside a write transaction. */
  ensure(name: string, now: number): CollectionInfo {
    const existing = this.findFresh(name);
    if (existing !== undefined) return existing;
    this.#db.prepare("INSERT OR IGNORE INTO _av_collections (name) VALUES (?)").run(name);
    const id = this.#db
      .prepare("SELECT id FROM _av_collections WHERE name = ?")
      .pluck()
      .get(name) as number;
    this.#db.exec(collectionSchema(id));
    this.bump();
    const info: CollectionInfo = {
      id,
      name,
      table: tableName(id),
      sql: collectionStatements(tableName(id)),
      shapes: new ArrayPathSet(),
      indexes: new Map(),
      lastSweep: now,
      vectorDimension: undefined,
    };
    this.#collections.set(name, info);
    return info;
  }

  /** Records new array paths of a collection. Call inside the write transaction. */
  addArrayPaths(info: CollectionInfo, keys: readonly string[]): void {
    let added = false;
    for (const key of keys) {
      if (!info.shapes.add(key)) continue;
      // Past the limit the set stops listing paths; the marker keeps that true after a reload.
      this.#insertPath.run(info.id, info.shapes.overflowed ? overflowMarker : key);
      added = true;
    }
    if (added) this.bump();
  }

  /** Records a declared index. Call inside the write transaction. */
  addIndex(info: CollectionInfo, name: string, indexName: string, spec: string): void {
    this.#db
      .prepare(
        "INSERT OR REPLACE INTO _av_indexes (collection_id, name, index_name, spec) VALUES (?, ?, ?, ?)",
      )
      .run(info.id, name, indexName, spec);
    info.indexes.set(name, indexName);
    this.bump();
  }

  /** Removes a collection from the registry. Call inside the write transaction. */
  remove(info: CollectionInfo): void {
    this.#db.prepare("DELETE FROM _av_collections WHERE id = ?").run(info.id);
    this.#db.prepare("DELETE FROM _av_array_paths WHERE collection_id = ?").run(info.id);
    this.#db.prepare("DELETE FROM _av_indexes WHERE collection_id = ?").run(info.id);
    this.#collections.delete(info.name);
    this.bump();
  }
}
