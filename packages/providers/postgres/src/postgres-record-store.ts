/**
 * The record operations of one schema as SQL: reads, writes, updates and index creation. The
 * provider decides where statements run (a `Session`); this file decides what they are.
 */

import {
  applyRecordUpdate,
  ConflictError,
  type IndexSpec,
  type RecordUpdate,
  type StoredRecord,
} from "@agentvault/core";
import { registerArrayPathsCte, registryName } from "./postgres-array-registry.js";
import type { PostgresConnection } from "./postgres-connection.js";
import { createIndexStatement } from "./postgres-ddl.js";
import { source } from "./postgres-errors.js";
import { quoteIdentifier, tableNameFor } from "./postgres-identifiers.js";
import type { PostgresProviderOptions } from "./postgres-options.js";
import { type FilterInput, PostgresQueries } from "./postgres-queries.js";
import {
  liveCondition,
  type RecordRow,
  type RowValues,
  recordColumns,
  rowToRecord,
  toRowValues,
} from "./postgres-records.js";
import type { Session } from "./postgres-session.js";
import {
  bulkUpdateStatement,
  bulkUpsertStatement,
  type Statement,
  upsertStatement,
} from "./postgres-statements.js";
import type { CollectionTable, SchemaTables } from "./postgres-tables.js";

/** What a record store works with. */
export interface RecordStoreOptions {
  readonly tables: SchemaTables;
  readonly connection: PostgresConnection;
  readonly options: PostgresProviderOptions;
}

/** Fixed statements (key lookups and writes) are prepared once per connection. */
const prepared = { prepared: true } as const;

/** Keeps the last record of each key, at the position of its first occurrence. */
function lastPerKey(rows: readonly RowValues[]): RowValues[] {
  const byKey = new Map<string, RowValues>();
  for (const row of rows) byKey.set(row.key, row);
  return [...byKey.values()];
}

/** Record operations over the tables of one schema. */
export class PostgresRecordStore extends PostgresQueries {
  readonly #connection: PostgresConnection;

  constructor(options: RecordStoreOptions) {
    super(options.tables, options.connection.arrayShapes);
    this.#connection = options.connection;
  }

  /**
   * The write statement, registering in the same statement the array paths its rows hold (see
   * `postgres-array-registry.ts`), so no reader can see the rows without their shapes.
   */
  #withArrayPaths(statement: Statement, collection: string, rows: readonly RowValues[]) {
    const paths = new Set<string>();
    for (const row of rows) for (const path of row.arrayPaths) paths.add(path);
    if (paths.size === 0) return statement;
    const params = [...statement.params, collection, [...paths]];
    const cte = registerArrayPathsCte(
      registryName(this.tables.schema),
      `$${params.length - 1}::text`,
      `$${params.length}::text[]`,
    );
    return { text: cte + statement.text, params };
  }

  /** Checks and encodes a record before any statement runs. */
  prepare(record: StoredRecord, now: number): RowValues {
    return toRowValues(record, now);
  }

  async get(
    session: Session,
    input: { collection: string; key: string; now: number },
  ): Promise<StoredRecord | null> {
    const table = await this.tables.forRead(session, input.collection);
    if (table === undefined) return null;
    const result = await session.executor.query<RecordRow>(
      `SELECT ${recordColumns} FROM ${table.name} WHERE key = $1::text AND ${liveCondition("$2::float8")}`,
      [input.key, input.now],
      prepared,
    );
    const row = result.rows[0];
    return row === undefined ? null : rowToRecord(row);
  }

  async getMany(
    session: Session,
    input: { collection: string; keys: readonly string[]; now: number },
  ): Promise<(StoredRecord | null)[]> {
    const table = await this.tables.forRead(session, input.collection);
    if (table === undefined) return input.keys.map(() => null);
    const result = await session.executor.query<RecordRow>(
      `SELECT ${recordColumns} FROM ${table.name} WHERE key = ANY($1::text[]) AND ${liveCondition("$2::float8")}`,
      [[...new Set(input.keys)], input.now],
      prepared,
    );
    const byKey = new Map(result.rows.map((row) => [row.key, row]));
    return input.keys.map((key) => {
      const row = byKey.get(key);
      return row === undefined ? null : rowToRecord(row);
    });
  }

  async put(
    session: Session,
    input: { collection: string; row: RowValues; now: number; ifAbsent: boolean },
  ): Promise<void> {
    const table = await this.tables.forWrite(session, input.collection);
    await this.tables.checkDimensions(session, table, [input.row.vectorLength]);
    const statement = this.#withArrayPaths(
      upsertStatement(table.name, input.row, input),
      input.collection,
      [input.row],
    );
    const result = await session.executor.query(statement.text, statement.params, prepared);
    if (input.ifAbsent && result.rowCount === 0) {
      throw new ConflictError(`Key already exists in ${input.collection}`, { source });
    }
  }

  async putMany(
    session: Session,
    input: { collection: string; rows: readonly RowValues[]; now: number },
  ): Promise<void> {
    const table = await this.tables.forWrite(session, input.collection);
    const rows = lastPerKey(input.rows);
    await this.tables.checkDimensions(
      session,
      table,
      rows.map((row) => row.vectorLength),
    );
    const statement = this.#withArrayPaths(
      bulkUpsertStatement(table.name, rows, input.now),
      input.collection,
      rows,
    );
    await session.executor.query(statement.text, statement.params, prepared);
  }

  async delete(
    session: Session,
    input: { collection: string; key: string; now: number },
  ): Promise<boolean> {
    const table = await this.tables.forRead(session, input.collection);
    if (table === undefined) return false;
    // Expired rows go too, but only a live one counts as deleted.
    const result = await session.executor.query<{ live: boolean }>(
      `DELETE FROM ${table.name} WHERE key = $1::text RETURNING ${liveCondition("$2::float8")} AS live`,
      [input.key, input.now],
      prepared,
    );
    return result.rows[0]?.live === true;
  }

  async update(
    session: Session,
    input: { collection: string; key: string; changes: RecordUpdate; now: number },
  ): Promise<StoredRecord | null> {
    const table = await this.tables.forRead(session, input.collection);
    if (table === undefined) return null;
    const result = await session.executor.query<RecordRow>(
      `SELECT ${recordColumns} FROM ${table.name} WHERE key = $1::text AND ${liveCondition("$2::float8")} FOR UPDATE`,
      [input.key, input.now],
      prepared,
    );
    const row = result.rows[0];
    if (row === undefined) return null;
    const [updated] = await this.#rewrite(session, table, [rowToRecord(row)], input);
    return updated ?? null;
  }

  async updateMany(
    session: Session,
    input: FilterInput & { changes: RecordUpdate },
  ): Promise<number> {
    const matching = await this.candidates(session, { ...input, lock: true });
    if (matching === undefined || matching.records.length === 0) return 0;
    const updated = await this.#rewrite(session, matching.table, matching.records, input);
    return updated.length;
  }

  /** Applies `changes` to records locked by the caller and writes them back in one statement. */
  async #rewrite(
    session: Session,
    table: CollectionTable,
    records: readonly StoredRecord[],
    input: { collection: string; changes: RecordUpdate; now: number },
  ): Promise<StoredRecord[]> {
    const updated = records.map((record) => applyRecordUpdate(record, input.changes, input.now));
    const rows = updated.map((record) => toRowValues(record, input.now));
    if (input.changes.vector) {
      await this.tables.checkDimensions(
        session,
        table,
        rows.map((row) => row.vectorLength),
      );
    }
    const statement = this.#withArrayPaths(
      bulkUpdateStatement(table.name, rows),
      input.collection,
      rows,
    );
    await session.executor.query(statement.text, statement.params, prepared);
    return updated;
  }

  async deleteMany(session: Session, input: FilterInput): Promise<number> {
    const exact = await this.deleteExact(session, input);
    if (exact !== undefined) return exact;
    const matching = await this.candidates(session, { ...input, lock: true });
    if (matching === undefined || matching.records.length === 0) return 0;
    const keys = matching.records.map((record) => record.key);
    await session.executor.query(`DELETE FROM ${matching.table.name} WHERE key = ANY($1::text[])`, [
      keys,
    ]);
    return keys.length;
  }

  async ensureIndexes(
    session: Session,
    input: { collection: string; indexes: readonly IndexSpec[]; ownTransaction: boolean },
  ): Promise<boolean> {
    // Build every statement first: a bad declaration fails before anything is created.
    const statements = input.indexes.map((spec) =>
      createIndexStatement(this.tables.schema, tableNameFor(input.collection), spec),
    );
    await this.tables.forWrite(session, input.collection);
    await this.tables.lock(session);
    // Building an index on a large table may take longer than one statement may.
    if (input.ownTransaction) await session.executor.query("SET LOCAL statement_timeout = 0");
    for (const statement of statements) await session.executor.query(statement);
    return true;
  }

  async dropSchema(session: Session): Promise<void> {
    await session.executor.query(
      `DROP SCHEMA IF EXISTS ${quoteIdentifier(this.tables.schema)} CASCADE`,
    );
    this.#connection.forget(this.tables.schema);
    for (const id of [...session.createdTables]) {
      if (id.startsWith(`${this.tables.schema}.`)) session.createdTables.delete(id);
    }
  }

  /** Deletes expired rows of a collection in the background, at most once per `interval`. */
  sweep(input: { collection: string; now: number; interval: number }): void {
    const table = this.tables.table(input.collection);
    const last = this.#connection.lastSweep.get(table.id);
    if (last !== undefined && input.now - last < input.interval) return;
    this.#connection.lastSweep.set(table.id, input.now);
    if (last === undefined) return; // the first write only starts the clock
    this.#connection.executor
      .query(`DELETE FROM ${table.name} WHERE expires_at <= $1::float8`, [input.now])
      .catch(() => {
        // Best effort: expired rows are filtered on every read anyway.
      });
  }
}
