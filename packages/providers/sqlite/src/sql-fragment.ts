/**
 * SQL text with its bound parameters, composed in order. better-sqlite3 binds `?` placeholders
 * by position, so a fragment keeps its parameters in the order its placeholders appear; joining
 * fragments concatenates both, and no caller ever has to count placeholders.
 */

/** A value SQLite can bind: booleans are never bound (they are written as `json_type` tests). */
export type SqlParam = number | string | null;

/** A piece of SQL and the parameters of its `?` placeholders, in order. */
export interface SqlFragment {
  readonly text: string;
  readonly params: readonly SqlParam[];
  /** Set on conjunctions built by `andSql`, so nested ones flatten into one. */
  readonly conjuncts?: readonly SqlFragment[];
}

const noParams: readonly SqlParam[] = Object.freeze([]);

/** SQL written by this package (never user input). */
export function raw(text: string): SqlFragment {
  return { text, params: noParams };
}

/** A bound parameter: `?`. */
export function param(value: SqlParam): SqlFragment {
  return { text: "?", params: [value] };
}

/** The constant true and false conditions. */
export const sqlTrue: SqlFragment = raw("1");
export const sqlFalse: SqlFragment = raw("0");

/**
 * Tagged template: literal parts are SQL text, interpolated parts are fragments (or plain
 * strings of trusted SQL text, such as column expressions built by this package).
 */
export function sql(parts: TemplateStringsArray, ...values: (SqlFragment | string)[]): SqlFragment {
  let text = parts[0] ?? "";
  const params: SqlParam[] = [];
  for (let index = 0; index < values.length; index++) {
    const value = values[index]!;
    if (typeof value === "string") {
      text += value;
    } else {
      text += value.text;
      for (const item of value.params) params.push(item);
    }
    text += parts[index + 1] ?? "";
  }
  return { text, params };
}

/** Joins fragments with a separator such as `" AND "`. */
export function joinSql(fragments: readonly SqlFragment[], separator: string): SqlFragment {
  if (fragments.length === 1) return fragments[0]!;
  const params: SqlParam[] = [];
  // `+=` builds V8 rope strings; `Array.join` would flatten at every nesting level.
  let text = "";
  for (let index = 0; index < fragments.length; index++) {
    const fragment = fragments[index]!;
    if (index > 0) text += separator;
    text += fragment.text;
    for (const item of fragment.params) params.push(item);
  }
  return { text, params };
}

/**
 * A conjunction, simplified when a part is constant. Nested conjunctions flatten, and a part
 * without parameters that repeats one already present (the same type guard, written by two
 * conditions on one path) is kept once: SQLite would evaluate it again for every row.
 */
export function andSql(fragments: readonly SqlFragment[]): SqlFragment {
  const parts: SqlFragment[] = [];
  const pending: SqlFragment[] = [...fragments].reverse();
  while (pending.length > 0) {
    const fragment = pending.pop()!;
    if (fragment.text === "0") return sqlFalse;
    if (fragment.text === "1") continue;
    const nested = fragment.conjuncts;
    if (nested !== undefined) {
      for (let index = nested.length - 1; index >= 0; index--) pending.push(nested[index]!);
      continue;
    }
    if (fragment.params.length === 0 && parts.some((part) => part.text === fragment.text)) continue;
    parts.push(fragment);
  }
  if (parts.length === 0) return sqlTrue;
  if (parts.length === 1) return parts[0]!;
  const joined = joinSql(parts, " AND ");
  return { text: `(${joined.text})`, params: joined.params, conjuncts: parts };
}

/** A disjunction, simplified when a part is constant. */
export function orSql(fragments: readonly SqlFragment[]): SqlFragment {
  const parts: SqlFragment[] = [];
  for (const fragment of fragments) {
    if (fragment.text === "1") return sqlTrue;
    if (fragment.text !== "0") parts.push(fragment);
  }
  if (parts.length === 0) return sqlFalse;
  if (parts.length === 1) return parts[0]!;
  const joined = joinSql(parts, " OR ");
  return { text: `(${joined.text})`, params: joined.params };
}

/**
 * Negation in two-valued logic: SQL's NULL (an unknown comparison, such as a missing field)
 * counts as false before it is negated, so `NOT` never turns "missing" into "unknown".
 */
export function notSql(fragment: SqlFragment): SqlFragment {
  if (fragment.text === "1") return sqlFalse;
  if (fragment.text === "0") return sqlTrue;
  return { text: `NOT coalesce(${fragment.text}, 0)`, params: fragment.params };
}

/** A SQL string literal: the text between single quotes, with quotes doubled. */
export function quoteSqlString(text: string): string {
  return text.includes("'") ? `'${text.replaceAll("'", "''")}'` : `'${text}'`;
}

/** A quoted SQL identifier (table, index or column name), with double quotes doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
