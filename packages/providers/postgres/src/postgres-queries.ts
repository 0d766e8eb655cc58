/**
 * Filtered reads: `find`, `count`, vector `search`, and the locked candidate sets `updateMany`
 * and `deleteMany` work on. Each compiles the filter once; an exact filter is answered by SQL
 * alone (with sort by `_id`, skip and limit pushed down), an inexact one selects candidates that
 * are re-checked in memory with the shared evaluator, so results are always the same as the
 * memory provider's. `find` and `count` compile with the collection's array shapes (one plain
 * comparison per path that never held an array) and check in the same statement that the shapes
 * are still current (see `postgres-array-registry.ts`); the locked and vector reads do not.
 */

import {
  compileRecordFilter,
  countInMemory,
  type FindQuery,
  findInMemory,
  type StoredRecord,
  ValidationError,
  type VectorHit,
  type VectorMetric,
  type VectorQuery,
  validateVector,
  vectorScore,
} from "@agentvault/core";
import type { FilterNode, SortSpec } from "@agentvault/query";
import { ArrayRegistry, type ShapesCache } from "./postgres-array-registry.js";
import type { ArrayShapes } from "./postgres-array-shapes.js";
import type { ServerSettings } from "./postgres-connection.js";
import { source } from "./postgres-errors.js";
import { type CompiledSqlFilter, compileFilterToSql } from "./postgres-filter-compiler.js";
import {
  keyValueColumns,
  keyValueTupleToRecord,
  liveCondition,
  type RecordTuple,
  recordColumns,
  tupleToRecord,
} from "./postgres-records.js";
import type { Session } from "./postgres-session.js";
import type { CollectionTable, SchemaTables } from "./postgres-tables.js";
import { SqlParameters } from "./sql-parameters.js";

/** A prepared filter and what the compiler needs to know about the server. */
export interface FilterInput {
  readonly collection: string;
  readonly filter: FilterNode;
  readonly settings: ServerSettings;
  /** Epoch milliseconds deciding expiry. */
  readonly now: number;
}

const everything: FilterNode = Object.freeze({ type: "and", children: Object.freeze([]) });

/** The SQL order of a sort that SQL gives exactly as MongoDB would, or undefined. */
function sqlOrder(sort: SortSpec | undefined): string | undefined {
  if (sort === undefined || sort.length === 0) return "seq";
  const first = sort[0]!;
  // Keys are unique, so later sort keys never matter after `_id`.
  if (first.field.path === "_id") return first.direction === 1 ? "key ASC" : "key DESC";
  return undefined;
}

function whole(value: number | undefined): number | undefined {
  return value !== undefined && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** The outcome of one attempt: its result, and whether the shapes were current, if it knows. */
interface Attempt<T> {
  readonly value: T;
  readonly current?: boolean | undefined;
}

/** A compiled filter, with the guard column's SQL when it relies on array shapes. */
type GuardedFilter = CompiledSqlFilter & { readonly guard?: string | undefined };

/** Filtered reads over the tables of one schema. */
export class PostgresQueries {
  readonly tables: SchemaTables;
  readonly #registry: ArrayRegistry;

  constructor(tables: SchemaTables, shapes: ShapesCache) {
    this.tables = tables;
    this.#registry = new ArrayRegistry(shapes, tables.schema);
  }

  /** The filter as SQL, after the live-row condition on `$1` (now). */
  #where(input: FilterInput, arrayShapes?: ArrayShapes): CompiledSqlFilter {
    const compiled = compileFilterToSql(input.filter, {
      codePointCollation: input.settings.codePointCollation,
      parameters: new SqlParameters([input.now]),
      arrayShapes,
    });
    return { ...compiled, sql: `${liveCondition("$1::float8")} AND ${compiled.sql}` };
  }

  /**
   * Runs `run` with the filter compiled against the collection's array shapes. When the SQL
   * relies on them, `run` selects the guard column too; if the shapes turn out stale, they are
   * reloaded and `run` goes again, and at worst runs with no shapes (always right).
   */
  async #shaped<T>(
    session: Session,
    input: FilterInput & { table: CollectionTable },
    run: (where: GuardedFilter) => Promise<Attempt<T>>,
  ): Promise<T> {
    const { table, collection } = input;
    for (let attempt = 0; attempt < 2; attempt++) {
      const known = await this.#registry.current(session, {
        tableId: table.id,
        collection,
        reload: attempt > 0,
      });
      if (known === undefined) break;
      const where = this.#where(input, known.shapes);
      if (!where.usesArrayShapes) return (await run(where)).value;
      const params = [...where.params];
      const guard = this.#registry.guard(params, collection, known.version);
      const outcome = await run({ ...where, params, guard });
      const current =
        outcome.current ?? (await this.#registry.isCurrent(session, collection, known.version));
      if (current) return outcome.value;
    }
    return (await run(this.#where(input))).value;
  }

  async #rows(session: Session, table: CollectionTable, sql: string, params: unknown[]) {
    const result = await session.executor.query<RecordTuple>(
      `SELECT ${recordColumns} FROM ${table.name} WHERE ${sql}`,
      params,
      { rowMode: "array" },
    );
    return result.rows.map(tupleToRecord);
  }

  /**
   * Rows and, when `guard` is given, whether the shapes were current (unknown with no row).
   * With `keysAndValuesOnly`, only keys and values are read (records hold nothing else).
   */
  async #guardedRows(
    session: Session,
    input: {
      table: CollectionTable;
      guard: string | undefined;
      sql: string;
      params: unknown[];
      keysAndValuesOnly?: boolean;
    },
  ): Promise<Attempt<StoredRecord[]>> {
    const lean = input.keysAndValuesOnly === true;
    const guard = input.guard === undefined ? "" : `, ${input.guard} AS av_current`;
    const result = await session.executor.query<RecordTuple>(
      `SELECT ${lean ? keyValueColumns : recordColumns}${guard} FROM ${input.table.name} WHERE ${input.sql}`,
      input.params,
      { rowMode: "array" },
    );
    const rows = result.rows;
    const toRecord = lean ? keyValueTupleToRecord : tupleToRecord;
    const records = new Array<StoredRecord>(rows.length);
    for (let index = 0; index < rows.length; index++) records[index] = toRecord(rows[index]!);
    // The guard column comes right after the selected record columns.
    const first = rows[0];
    const current =
      input.guard === undefined || first === undefined ? undefined : first[lean ? 2 : 7];
    return { value: records, current: current as boolean | undefined };
  }

  async find(session: Session, input: FilterInput & { query: FindQuery }): Promise<StoredRecord[]> {
    const table = await this.tables.forRead(session, input.collection);
    if (table === undefined) return [];
    const order = sqlOrder(input.query.sort);
    return this.#shaped(session, { ...input, table }, async (where) => {
      if (where.exact && order !== undefined) {
        const params = [...where.params];
        let sql = `${where.sql} ORDER BY ${order}`;
        const limit = whole(input.query.limit);
        const skip = whole(input.query.skip);
        if (limit !== undefined) sql += ` LIMIT $${params.push(limit)}::bigint`;
        if (skip !== undefined && skip > 0) sql += ` OFFSET $${params.push(skip)}::bigint`;
        // SQL does all the work here, so a caller reading only keys and values gets just those.
        return this.#guardedRows(session, {
          table,
          guard: where.guard,
          sql,
          params,
          keysAndValuesOnly: input.query.keysAndValuesOnly,
        });
      }
      const sql = `${where.sql} ORDER BY seq`;
      const rows = await this.#guardedRows(session, {
        table,
        guard: where.guard,
        sql,
        params: where.params,
      });
      const query = where.exact ? { ...input.query, filter: everything } : input.query;
      return { ...rows, value: findInMemory(rows.value, query, input.now) };
    });
  }

  async count(session: Session, input: FilterInput): Promise<number> {
    const table = await this.tables.forRead(session, input.collection);
    if (table === undefined) return 0;
    return this.#shaped(session, { ...input, table }, async (where) => {
      if (where.exact) {
        const guard = where.guard === undefined ? "" : `, ${where.guard} AS av_current`;
        const result = await session.executor.query<{ count: number; av_current?: boolean }>(
          `SELECT count(*)::float8 AS count${guard} FROM ${table.name} WHERE ${where.sql}`,
          where.params,
        );
        return { value: result.rows[0]?.count ?? 0, current: result.rows[0]?.av_current };
      }
      const rows = await this.#guardedRows(session, {
        table,
        guard: where.guard,
        sql: where.sql,
        params: where.params,
      });
      return { ...rows, value: countInMemory(rows.value, input.filter, input.now) };
    });
  }

  /**
   * The live records matching a filter, in insertion order, optionally locked (`FOR UPDATE`)
   * until the session's transaction ends. Undefined when the collection has no table.
   */
  async candidates(
    session: Session,
    input: FilterInput & { lock: boolean },
  ): Promise<{ table: CollectionTable; records: StoredRecord[] } | undefined> {
    const table = await this.tables.forRead(session, input.collection);
    if (table === undefined) return undefined;
    const where = this.#where(input);
    const lock = input.lock ? " FOR UPDATE" : "";
    const rows = await this.#rows(session, table, `${where.sql} ORDER BY seq${lock}`, where.params);
    if (where.exact) return { table, records: rows };
    const matches = compileRecordFilter(input.filter);
    return { table, records: rows.filter(matches) };
  }

  /** Deletes in one statement when the filter is exact; undefined when it is not. */
  async deleteExact(session: Session, input: FilterInput): Promise<number | undefined> {
    const table = await this.tables.forRead(session, input.collection);
    if (table === undefined) return 0;
    const where = this.#where(input);
    if (!where.exact) return undefined;
    const result = await session.executor.query(
      `DELETE FROM ${table.name} WHERE ${where.sql}`,
      where.params,
    );
    return result.rowCount ?? 0;
  }

  /**
   * Exact similarity search over the live records with a vector that pass the filter, ranked as
   * every provider ranks: best score first, equal scores by key, `minScore` inclusive.
   * @throws ValidationError when the query's dimension is not the collection's.
   */
  async search(
    session: Session,
    input: Omit<FilterInput, "filter"> & { query: VectorQuery; metric: VectorMetric },
  ): Promise<VectorHit[]> {
    const vector = validateVector(input.query.vector, { source });
    const table = await this.tables.forRead(session, input.collection);
    if (table === undefined) return [];
    const dimension = await this.tables.vectorDimension(session, table);
    if (dimension !== undefined && dimension !== vector.length) {
      throw new ValidationError(
        `Vector dimension mismatch: ${input.collection} holds ${dimension}-dimensional vectors, the query has ${vector.length}`,
        "vector",
        { source },
      );
    }
    const filter = input.query.filter ?? everything;
    const where = this.#where({ ...input, filter });
    const rows = await this.#rows(
      session,
      table,
      `${where.sql} AND vector IS NOT NULL ORDER BY seq`,
      where.params,
    );
    const matches = where.exact ? undefined : compileRecordFilter(filter);
    const hits: VectorHit[] = [];
    for (const record of rows) {
      if (matches !== undefined && !matches(record)) continue;
      const score = vectorScore(input.metric, vector, record.vector!);
      if (Number.isNaN(score)) continue;
      if (input.query.minScore === undefined || score >= input.query.minScore) {
        hits.push({ record, score });
      }
    }
    hits.sort(
      (a, b) =>
        b.score - a.score ||
        (a.record.key < b.record.key ? -1 : a.record.key > b.record.key ? 1 : 0),
    );
    return hits.slice(0, input.query.limit ?? 10);
  }
}
