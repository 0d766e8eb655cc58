/**
 * The tables of one schema (one AgentVault database): finding a collection's table, creating it
 * on first write, dropping it, listing collections, and checking vector dimensions. What is
 * known to exist is cached on the shared connection, so a warm provider runs one statement per
 * operation.
 */

import { ValidationError } from "@agentvault/core";
import type { PostgresConnection } from "./postgres-connection.js";
import { createTableScript, lockSchemaStatement, registryTable } from "./postgres-ddl.js";
import { source } from "./postgres-errors.js";
import { qualifiedName, tableNameFor } from "./postgres-identifiers.js";
import { liveCondition } from "./postgres-records.js";
import type { Session } from "./postgres-session.js";

/** A collection's table: its cache key and its quoted, schema-qualified name. */
export interface CollectionTable {
  readonly id: string;
  readonly name: string;
}

const maxCached = 10_000;

/** The tables of one schema. */
export class SchemaTables {
  readonly #connection: PostgresConnection;
  readonly schema: string;
  /** Each collection's table, computed once (the name takes a hash): at most `maxCached`. */
  readonly #tables = new Map<string, CollectionTable>();

  constructor(connection: PostgresConnection, schema: string) {
    this.#connection = connection;
    this.schema = schema;
  }

  /** The table of a collection, whether or not it exists. */
  table(collection: string): CollectionTable {
    let known = this.#tables.get(collection);
    if (known === undefined) {
      const table = tableNameFor(collection);
      known = { id: `${this.schema}.${table}`, name: qualifiedName(this.schema, table) };
      if (this.#tables.size >= maxCached) this.#tables.clear();
      this.#tables.set(collection, known);
    }
    return known;
  }

  #known(session: Session, table: CollectionTable): boolean {
    return this.#connection.knownTables.has(table.id) || session.createdTables.has(table.id);
  }

  /** The collection's table if it exists, else undefined (reads of it find nothing). */
  async forRead(session: Session, collection: string): Promise<CollectionTable | undefined> {
    const table = this.table(collection);
    if (this.#known(session, table)) return table;
    const result = await session.executor.query<{ present: boolean }>(
      "SELECT to_regclass($1::text) IS NOT NULL AS present",
      [table.name],
    );
    if (result.rows[0]?.present !== true) return undefined;
    // Seen inside a transaction, the table may be its own uncommitted creation.
    if (session.inTransaction) session.createdTables.add(table.id);
    else this.#connection.knownTables.add(table.id);
    return table;
  }

  /** The collection's table, created (with the schema and registry) when missing. */
  async forWrite(session: Session, collection: string): Promise<CollectionTable> {
    const table = this.table(collection);
    if (this.#known(session, table)) return table;
    if (collection.includes("\u0000")) {
      throw new ValidationError("Collection names cannot contain NUL", "collection", { source });
    }
    await session.executor.query(
      createTableScript(this.schema, collection, tableNameFor(collection)),
    );
    if (session.inTransaction) session.createdTables.add(table.id);
    else this.#connection.knownTables.add(table.id);
    return table;
  }

  /** Serialises DDL on this schema until the session's transaction ends. */
  async lock(session: Session): Promise<void> {
    await session.executor.query(lockSchemaStatement, [this.schema]);
  }

  /** Drops a collection's table and registry entry; returns how many live records it held. */
  async drop(session: Session, collection: string, now: number): Promise<number> {
    const table = await this.forRead(session, collection);
    if (table === undefined) return 0;
    await this.lock(session);
    const counted = await session.executor.query<{ live: number }>(
      `SELECT count(*)::int AS live FROM ${table.name} WHERE ${liveCondition("$1::float8")}`,
      [now],
    );
    await session.executor.query(`DROP TABLE IF EXISTS ${table.name}`);
    await session.executor.query(
      `DELETE FROM ${qualifiedName(this.schema, registryTable)} WHERE name = $1::text`,
      [collection],
    );
    this.#connection.forget(this.schema, tableNameFor(collection));
    session.createdTables.delete(table.id);
    return counted.rows[0]?.live ?? 0;
  }

  /** The collections holding at least one live record, sorted. */
  async list(session: Session, now: number): Promise<string[]> {
    const registry = qualifiedName(this.schema, registryTable);
    const present = await session.executor.query<{ present: boolean }>(
      "SELECT to_regclass($1::text) IS NOT NULL AS present",
      [registry],
    );
    if (present.rows[0]?.present !== true) return [];
    const names = await session.executor.query<{ name: string }>(`SELECT name FROM ${registry}`);
    if (names.rows.length === 0) return [];
    // Table names are derived from the collection names again, never read from the registry.
    const params: unknown[] = [now];
    const checks = names.rows.map((row) => {
      params.push(row.name);
      const table = this.table(row.name).name;
      return `SELECT $${params.length}::text AS name WHERE EXISTS (SELECT 1 FROM ${table} WHERE ${liveCondition("$1::float8")})`;
    });
    const live = await session.executor.query<{ name: string }>(checks.join(" UNION ALL "), params);
    return live.rows.map((row) => row.name).sort();
  }

  /**
   * The dimension of the collection's vectors: that of the first vector stored (cached once
   * known), or undefined while the collection holds none.
   */
  async vectorDimension(session: Session, table: CollectionTable): Promise<number | undefined> {
    const cached = this.#connection.vectorDimensions.get(table.id);
    if (cached !== undefined) return cached;
    const stored = await session.executor.query<{ dimension: number }>(
      `SELECT cardinality(vector) AS dimension FROM ${table.name} WHERE vector IS NOT NULL ORDER BY seq LIMIT 1`,
    );
    const dimension = stored.rows[0]?.dimension;
    if (dimension !== undefined) this.#connection.vectorDimensions.set(table.id, dimension);
    return dimension;
  }

  /**
   * Checks that vectors about to be written have the collection's dimension (the first stored
   * vector's, or the first incoming one's).
   * @throws ValidationError on a mismatch.
   */
  async checkDimensions(
    session: Session,
    table: CollectionTable,
    dimensions: readonly (number | undefined)[],
  ): Promise<void> {
    const incoming = dimensions.filter((length) => length !== undefined);
    if (incoming.length === 0) return;
    let dimension = await this.vectorDimension(session, table);
    for (const length of incoming) {
      dimension ??= length;
      if (length !== dimension) {
        throw new ValidationError(
          `Vector dimension mismatch: the collection holds ${dimension}-dimensional vectors, got ${length}`,
          "vector",
          { source },
        );
      }
    }
  }
}
