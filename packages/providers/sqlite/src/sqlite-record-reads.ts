/**
 * The read operations of one collection. A filter compiles to SQL (see
 * `sqlite-filter-compiler.ts`); when the compiler reports it exact, sort, skip and limit run in
 * SQL too, otherwise the candidates SQL selects are filtered, sorted and paged in memory by the
 * core's engine, so results never differ from the in-memory evaluator.
 */

import { type FindQuery, findInMemory, recordView, type StoredRecord } from "@agentvault/core";
import { compilePredicate, type FilterNode } from "@agentvault/query";
import type { SqlParam } from "./sql-fragment.js";
import type { CollectionInfo } from "./sqlite-collection-registry.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import { type CompiledSqlFilter, compileFilterToSql } from "./sqlite-filter-compiler.js";
import { decodeRow, type RecordRow } from "./sqlite-record-codec.js";
import { liveCondition, recordColumns, recordSelectList } from "./sqlite-schema.js";
import { compileSortToSql } from "./sqlite-sort.js";

/** Compiles a filter for a collection, with its current array shapes. */
export function compileWhere(info: CollectionInfo, filter: FilterNode): CompiledSqlFilter {
  if (filter.type === "and" && filter.children.length === 0) {
    return { sql: "1", params: [], exact: true };
  }
  return compileFilterToSql(filter, { columns: recordColumns, shapes: info.shapes });
}

/** One live record by key, or null. */
export function getRecord(
  connection: SqliteConnection,
  info: CollectionInfo,
  key: string,
  now: number,
): StoredRecord | null {
  const row = connection.statement(info.sql.get).get(key, now) as RecordRow | undefined;
  return row === undefined ? null : decodeRow(row);
}

function selectRows(
  connection: SqliteConnection,
  sql: string,
  params: readonly SqlParam[],
): StoredRecord[] {
  const rows = connection.statement(sql).all(...params) as RecordRow[];
  return rows.map(decodeRow);
}

/** Keeps the candidates the filter really matches (for inexact SQL). */
export function filterCandidates(records: StoredRecord[], filter: FilterNode): StoredRecord[] {
  const predicate = compilePredicate(filter);
  return records.filter((record) => predicate(recordView(record)));
}

/**
 * How a find runs: entirely in SQL (`sql`), in SQL but sorted in memory (`sortInMemory`: an
 * exact filter with an order SQL cannot follow), or as SQL candidates that memory filters,
 * sorts and pages (`residual`).
 */
export interface FindPlan {
  readonly mode: "sql" | "sortInMemory" | "residual";
  readonly sql: string;
  readonly params: readonly SqlParam[];
}

/** Plans a find query (see `FindPlan`). Call inside `connection.read`. */
export function planFind(
  connection: SqliteConnection,
  info: CollectionInfo,
  query: FindQuery,
  now: number,
): FindPlan {
  const where = compileWhere(info, query.filter);
  const base = `SELECT ${recordSelectList} FROM ${info.table} AS r WHERE ${liveCondition} AND ${where.sql}`;
  const params: SqlParam[] = [now, ...where.params];
  if (!where.exact) return { mode: "residual", sql: `${base} ORDER BY r.rowid`, params };
  const skip = query.skip ?? 0;
  const limit = query.limit;
  const sorted = query.sort !== undefined && query.sort.length > 0;
  const sort = sorted ? compileSortToSql(query.sort!, recordColumns, info.shapes) : undefined;
  if (
    sorted &&
    (sort === undefined || holdsObjects(connection, info, where, sort.objectChecks, now))
  ) {
    return { mode: "sortInMemory", sql: `${base} ORDER BY r.rowid`, params };
  }
  const order = sort === undefined ? "" : ` ORDER BY ${sort.orderBy}`;
  if (limit === undefined && skip === 0) return { mode: "sql", sql: base + order, params };
  return {
    mode: "sql",
    sql: `${base}${order} LIMIT ? OFFSET ?`,
    params: [...params, limit ?? -1, skip],
  };
}

/** Runs a find query. Call inside `connection.read`. */
export function findRecords(
  connection: SqliteConnection,
  info: CollectionInfo,
  query: FindQuery,
  now: number,
): StoredRecord[] {
  const plan = planFind(connection, info, query, now);
  const records = selectRows(connection, plan.sql, plan.params);
  switch (plan.mode) {
    case "sql":
      return records;
    case "sortInMemory":
      return findInMemory(records, { ...query, filter: matchAll }, now);
    case "residual":
      return findInMemory(records, query, now);
  }
}

const matchAll: FilterNode = Object.freeze({ type: "and", children: Object.freeze([]) });

/** Whether any matching record holds an object or binary value on a sort path. */
function holdsObjects(
  connection: SqliteConnection,
  info: CollectionInfo,
  where: CompiledSqlFilter,
  checks: readonly string[],
  now: number,
): boolean {
  if (checks.length === 0) return false;
  const sql = `SELECT EXISTS (SELECT 1 FROM ${info.table} AS r WHERE ${liveCondition} AND ${where.sql} AND (${checks.join(" OR ")}))`;
  return (
    connection
      .statement(sql)
      .pluck()
      .get(now, ...where.params) === 1
  );
}

/** Counts the live records matching a filter. Call inside `connection.read`. */
export function countRecords(
  connection: SqliteConnection,
  info: CollectionInfo,
  filter: FilterNode,
  now: number,
): number {
  const where = compileWhere(info, filter);
  if (where.exact) {
    const sql = `SELECT count(*) FROM ${info.table} AS r WHERE ${liveCondition} AND ${where.sql}`;
    return connection
      .statement(sql)
      .pluck()
      .get(now, ...where.params) as number;
  }
  const sql = `SELECT ${recordSelectList} FROM ${info.table} AS r WHERE ${liveCondition} AND ${where.sql}`;
  return filterCandidates(selectRows(connection, sql, [now, ...where.params]), filter).length;
}

/**
 * The live records matching a filter, optionally only those with a vector. Call inside
 * `connection.read` or a write transaction.
 */
export function matchingRecords(
  connection: SqliteConnection,
  info: CollectionInfo,
  filter: FilterNode,
  now: number,
  options: { readonly withVector?: boolean } = {},
): StoredRecord[] {
  const where = compileWhere(info, filter);
  const vector = options.withVector ? " AND r.vector IS NOT NULL" : "";
  const sql = `SELECT ${recordSelectList} FROM ${info.table} AS r WHERE ${liveCondition}${vector} AND ${where.sql} ORDER BY r.rowid`;
  const candidates = selectRows(connection, sql, [now, ...where.params]);
  return where.exact ? candidates : filterCandidates(candidates, filter);
}
