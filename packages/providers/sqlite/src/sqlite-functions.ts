/**
 * SQL functions the compiled filters and sorts call. They run the same JavaScript the in-memory
 * evaluator runs, so SQL and memory can never disagree on them: regular expressions use the
 * query package's linear-time engine (a hostile pattern cannot block the process), and date
 * tags are read with the codec's rules.
 */

import { parseValue } from "@agentvault/core";
import { type CompiledRegex, compareValues, compileRegex, type Value } from "@agentvault/query";
import type { Database } from "better-sqlite3";

let lastPattern: string | undefined;
let lastOptions: string | undefined;
let lastRegex: CompiledRegex | undefined;

function regexFor(pattern: string, options: string): CompiledRegex {
  // Filters run one pattern over many rows: skip the shared cache's key building for the repeat.
  if (lastRegex !== undefined && pattern === lastPattern && options === lastOptions)
    return lastRegex;
  lastRegex = compileRegex({ kind: "regex", pattern, options });
  lastPattern = pattern;
  lastOptions = options;
  return lastRegex;
}

/** `av_regex(pattern, options, value)`: 1 when `value` is a string the pattern matches. */
function regexFunction(pattern: unknown, options: unknown, value: unknown): number {
  if (typeof value !== "string" || typeof pattern !== "string" || typeof options !== "string") {
    return 0;
  }
  return regexFor(pattern, options).test(value) ? 1 : 0;
}

const datePrefix = '{"$date":"';

/**
 * `av_date_ms(json)`: epoch milliseconds of a date tag's JSON text, else NULL. Used to order
 * dates whose years are outside 0000-9999, where the ISO text does not sort like time.
 */
function dateMillisecondsFunction(json: unknown): number | null {
  if (typeof json !== "string" || !json.startsWith(datePrefix)) return null;
  const time = Date.parse(json.slice(datePrefix.length, -2));
  return Number.isNaN(time) ? null : time;
}

let lastOperandText: string | undefined;
let lastOperand: Value | undefined;

/**
 * `av_compare(json, operandJson)`: MongoDB's order (`compareValues`) between two stored JSON
 * texts, as -1, 0 or 1. Used for range operators on arrays, objects, binary values and dates
 * outside years 0000-9999, after SQL has checked that both sides share a type bracket.
 */
function compareFunction(json: unknown, operandJson: unknown): number | null {
  if (typeof json !== "string" || typeof operandJson !== "string") return null;
  if (operandJson !== lastOperandText) {
    lastOperand = parseValue(operandJson);
    lastOperandText = operandJson;
  }
  return Math.sign(compareValues(parseValue(json), lastOperand));
}

/** Registers the functions on a connection (idempotent per connection). */
export function registerSqlFunctions(database: Database): void {
  database.function("av_regex", { deterministic: true, varargs: false }, regexFunction);
  database.function("av_compare", { deterministic: true, varargs: false }, compareFunction);
  database.function(
    "av_date_ms",
    { deterministic: true, varargs: false },
    dateMillisecondsFunction,
  );
}
