/**
 * The unit the filter compiler works with: a SQL boolean expression and whether it is exact.
 *
 * An exact fragment is true for precisely the rows the in-memory evaluator matches. An inexact
 * fragment is a superset: true for every matching row and perhaps more, so the provider must
 * re-check its rows in memory. SQL `NULL` always means "no match"; negation therefore uses
 * `IS NOT TRUE`, never `NOT`, and a negated superset says nothing (it becomes `TRUE`, inexact).
 */

/** A compiled condition. */
export interface SqlFragment {
  readonly sql: string;
  readonly exact: boolean;
}

/** Every row, exactly (the empty `$and`). */
export const matchAll: SqlFragment = Object.freeze({ sql: "TRUE", exact: true });
/** No row, exactly. */
export const matchNone: SqlFragment = Object.freeze({ sql: "FALSE", exact: true });
/** Every row as candidates: the superset used for what SQL cannot decide. */
export const inMemory: SqlFragment = Object.freeze({ sql: "TRUE", exact: false });

/** An exact fragment for a constant result. */
export function constant(result: boolean): SqlFragment {
  return result ? matchAll : matchNone;
}

/** The conjunction; constants fold away. */
export function allOf(fragments: readonly SqlFragment[]): SqlFragment {
  let exact = true;
  const parts: string[] = [];
  for (const fragment of fragments) {
    exact &&= fragment.exact;
    if (fragment.sql === "FALSE" && fragment.exact) return matchNone;
    if (fragment.sql !== "TRUE") parts.push(fragment.sql);
  }
  if (parts.length === 0) return exact ? matchAll : inMemory;
  return { sql: parts.length === 1 ? parts[0]! : `(${parts.join(" AND ")})`, exact };
}

/** The disjunction; an inexact `TRUE` anywhere makes the whole an inexact `TRUE`. */
export function anyOf(fragments: readonly SqlFragment[]): SqlFragment {
  let exact = true;
  const parts: string[] = [];
  for (const fragment of fragments) {
    if (fragment.sql === "TRUE") return fragment.exact ? matchAll : inMemory;
    exact &&= fragment.exact;
    if (fragment.sql !== "FALSE") parts.push(fragment.sql);
  }
  if (parts.length === 0) return exact ? matchNone : inMemory;
  return { sql: parts.length === 1 ? parts[0]! : `(${parts.join(" OR ")})`, exact };
}

/** The negation: exact only when the fragment is; a superset's negation is unknown. */
export function noneOf(fragment: SqlFragment): SqlFragment {
  if (!fragment.exact) return inMemory;
  if (fragment.sql === "TRUE") return matchNone;
  if (fragment.sql === "FALSE") return matchAll;
  return { sql: `(${fragment.sql}) IS NOT TRUE`, exact: true };
}
