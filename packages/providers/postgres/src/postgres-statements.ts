/**
 * The write statements, with their parameter lists. Every write of a record goes through one of
 * these three shapes, so the JSON encoding (jsonb plus exact text when needed) stays uniform.
 */

import type { RowValues } from "./postgres-records.js";

/** True when the existing row (alias `t`) has expired at `$now`: it is replaced as if absent. */
const expired = (now: string) => `(t.expires_at IS NOT NULL AND t.expires_at <= ${now})`;

const insertColumns =
  "key, value, value_text, metadata, metadata_text, expires_at, vector, created_at, updated_at";

function conflictClause(now: string, ifAbsent: boolean): string {
  const replaced = expired(now);
  return (
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, value_text = excluded.value_text, " +
    "metadata = excluded.metadata, metadata_text = excluded.metadata_text, " +
    "expires_at = excluded.expires_at, vector = excluded.vector, updated_at = excluded.updated_at, " +
    // A live record keeps its creation time and its place in insertion order.
    `created_at = CASE WHEN ${replaced} THEN excluded.created_at ELSE t.created_at END, ` +
    `seq = CASE WHEN ${replaced} THEN excluded.seq ELSE t.seq END` +
    (ifAbsent ? ` WHERE ${replaced}` : "")
  );
}

/** The `*_text` column from its parameter: `""` stands for "the same as the jsonb text". */
function exactText(text: string, jsonb: string): string {
  return `CASE WHEN ${text} = '' THEN ${jsonb} ELSE ${text} END`;
}

/** A statement and its parameters. */
export interface Statement {
  readonly text: string;
  readonly params: unknown[];
}

/**
 * Inserts or replaces one record. With `ifAbsent`, a live existing record is left alone and the
 * statement affects no row.
 */
export function upsertStatement(
  table: string,
  row: RowValues,
  options: { readonly now: number; readonly ifAbsent: boolean },
): Statement {
  return {
    text:
      `INSERT INTO ${table} AS t (${insertColumns}) VALUES ($1::text, $2::text::jsonb, ` +
      `${exactText("$3::text", "$2::text")}, $4::text::jsonb, ${exactText("$5::text", "$4::text")}, ` +
      `$6::float8, $7::text::float8[], $8::float8, $9::float8) ${conflictClause("$10::float8", options.ifAbsent)}`,
    params: [
      row.key,
      row.value,
      row.valueText,
      row.metadata,
      row.metadataText,
      row.expiresAt,
      row.vector,
      row.createdAt,
      row.updatedAt,
      options.now,
    ],
  };
}

/** One column of a bulk statement: its unnest type, its values, and whether it may be left out. */
interface BulkColumn {
  readonly name: string;
  readonly type: string;
  readonly cast: string;
  readonly values: unknown[];
  readonly optional: boolean;
}

/**
 * The `unnest(...)` source of a bulk statement. An optional column that is NULL in every row is
 * not sent at all, and a column holding one value in every row (the write time, typically) is
 * sent once, as a plain parameter: a batch without metadata, expiry or vectors sends three
 * arrays, not nine. Keys always travel as an array: they give `unnest` its rows.
 */
function unnestSource(columns: readonly BulkColumn[]) {
  const params: unknown[] = [];
  const arrays: string[] = [];
  const aliases: string[] = [];
  const raw = new Map<string, string>();
  const casts = new Map<string, string>();
  for (const column of columns) {
    const first = column.values[0];
    casts.set(column.name, column.cast === column.type ? "" : `::${column.cast}`);
    if (column.optional && column.values.every((value) => value === null)) {
      raw.set(column.name, `NULL::${column.type}`);
    } else if (
      column.name !== "k" &&
      first !== null &&
      column.values.every((value) => value === first)
    ) {
      params.push(first);
      raw.set(column.name, `$${params.length}::${column.type}`);
    } else {
      params.push(column.values);
      arrays.push(`$${params.length}::${column.type}[]`);
      aliases.push(column.name);
      raw.set(column.name, `r.${column.name}`);
    }
  }
  return {
    params,
    from: `unnest(${arrays.join(", ")}) AS r(${aliases.join(", ")})`,
    /** The column as sent (text or float8). */
    raw: (name: string) => raw.get(name)!,
    /** The column cast to its table type. */
    expression: (name: string) => `${raw.get(name)!}${casts.get(name)!}`,
  };
}

function bulkColumns(rows: readonly RowValues[]): BulkColumn[] {
  const column = (
    name: string,
    type: string,
    cast: string,
    pick: (row: RowValues) => unknown,
    optional = true,
  ): BulkColumn => ({ name, type, cast, values: rows.map(pick), optional });
  return [
    column("k", "text", "text", (row) => row.key, false),
    column("v", "text", "jsonb", (row) => row.value, false),
    column("vt", "text", "text", (row) => row.valueText),
    column("m", "text", "jsonb", (row) => row.metadata),
    column("mt", "text", "text", (row) => row.metadataText),
    column("e", "float8", "float8", (row) => row.expiresAt),
    column("vec", "text", "float8[]", (row) => row.vector),
    column("c", "float8", "float8", (row) => row.createdAt, false),
    column("u", "float8", "float8", (row) => row.updatedAt, false),
  ];
}

/** Inserts or replaces many records in one statement (keys must be distinct). */
export function bulkUpsertStatement(
  table: string,
  rows: readonly RowValues[],
  now: number,
): Statement {
  const source = unnestSource(bulkColumns(rows));
  const value = source.expression;
  const values = [
    value("k"),
    value("v"),
    exactText(source.raw("vt"), source.raw("v")),
    value("m"),
    exactText(source.raw("mt"), source.raw("m")),
    ...["e", "vec", "c", "u"].map(value),
  ];
  const nowParameter = `$${source.params.length + 1}::float8`;
  return {
    text:
      `INSERT INTO ${table} AS t (${insertColumns}) SELECT ${values.join(", ")} ` +
      `FROM ${source.from} ${conflictClause(nowParameter, false)}`,
    params: [...source.params, now],
  };
}

/** Rewrites existing records (by key) in one statement; creation times stay. */
export function bulkUpdateStatement(table: string, rows: readonly RowValues[]): Statement {
  const columns = bulkColumns(rows).filter((column) => column.name !== "c");
  // Every column is written, so an all-NULL column still clears what was stored.
  const source = unnestSource(columns);
  const value = source.expression;
  return {
    text:
      `UPDATE ${table} AS t SET value = ${value("v")}, value_text = ${exactText(source.raw("vt"), source.raw("v"))}, ` +
      `metadata = ${value("m")}, metadata_text = ${exactText(source.raw("mt"), source.raw("m"))}, expires_at = ${value("e")}, ` +
      `vector = ${value("vec")}, updated_at = ${value("u")} FROM ${source.from} WHERE t.key = r.k`,
    params: source.params,
  };
}
