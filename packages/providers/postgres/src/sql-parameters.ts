/**
 * Bound parameters for generated SQL. Every value that comes from a user (a field name, a
 * filter value, a key) is added here and referenced as `$n::type`; generated SQL never contains
 * user text. Equal values of the same type share one placeholder, which keeps statements short
 * and lets the planner see that `value -> $1` in two places is the same expression.
 */

/** The PostgreSQL types placeholders are cast to. */
export type SqlParameterType =
  | "text"
  | "text[]"
  | "jsonb"
  | "jsonb[]"
  | "jsonpath"
  | "numeric"
  | "bigint"
  | "integer"
  | "boolean";

/** Collects parameters in order and hands out placeholders. */
export class SqlParameters {
  readonly values: unknown[] = [];
  readonly #positions = new Map<string, number>();

  /**
   * Creates a collector whose placeholders continue after `initial`, so generated SQL can be
   * combined with a statement's own parameters.
   */
  constructor(initial: readonly unknown[] = []) {
    this.values.push(...initial);
  }

  /**
   * Adds a value (deduplicated by type and content) and returns its cast placeholder.
   * @example parameters.add("price", "text") // "$1::text"
   */
  add(value: unknown, type: SqlParameterType): string {
    const identity = `${type}\u0000${typeof value}\u0000${JSON.stringify(value)}`;
    let position = this.#positions.get(identity);
    if (position === undefined) {
      this.values.push(value);
      position = this.values.length;
      this.#positions.set(identity, position);
    }
    return `$${position}::${type}`;
  }
}
