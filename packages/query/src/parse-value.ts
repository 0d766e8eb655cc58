/**
 * Converts a literal filter value into an AgentVault `Value`: validated, copied and frozen, so the
 * AST never shares mutable state with the caller and never holds anything outside the model.
 * @internal
 */

import type { RegexValue } from "./ast.js";
import {
  checkDepth,
  child,
  describe,
  fail,
  isPlainObject,
  type Site,
  scriptOperators,
} from "./parse-context.js";
import { compileRegex, normalizeRegexOptions } from "./regex.js";
import type { Value } from "./values.js";

/**
 * Copies `raw` into a frozen `Value`. Rejects `undefined`, functions, symbols, bigints, invalid
 * dates, class instances, regular expressions (they only mean something in an operator position)
 * and script operator keys at any depth.
 */
export function parseValue(raw: unknown, site: Site): Value {
  switch (typeof raw) {
    case "string":
    case "boolean":
    case "number":
      return raw;
    case "object":
      break;
    default:
      return fail(`A filter value cannot be ${describe(raw)}`, site.path);
  }
  if (raw === null) return null;
  if (raw instanceof Date) {
    const time = raw.getTime();
    if (Number.isNaN(time)) fail("A filter value cannot be an invalid date", site.path);
    return Object.freeze(new Date(time));
  }
  if (raw instanceof Uint8Array) return new Uint8Array(raw);
  checkDepth(site);
  if (Array.isArray(raw)) {
    const copy: Value[] = new Array(raw.length);
    for (let index = 0; index < raw.length; index++) {
      if (!(index in raw)) fail("A filter array cannot have holes", child(site, index).path);
      copy[index] = parseValue(raw[index], child(site, index));
    }
    return Object.freeze(copy);
  }
  if (isRegexLiteral(raw)) {
    return fail(
      "A regular expression can only be a field value or an operator argument",
      site.path,
    );
  }
  if (!isPlainObject(raw)) return fail(`A filter value cannot be ${describe(raw)}`, site.path);
  const copy: Record<string, Value> = {};
  for (const key of Object.keys(raw)) {
    const keySite = child(site, key);
    if (scriptOperators.has(key))
      fail(`${key} is not allowed: filters cannot run code`, keySite.path);
    const value = parseValue(raw[key], keySite);
    // A plain assignment to `__proto__` would replace the prototype instead of adding a field.
    if (key === "__proto__") {
      Object.defineProperty(copy, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      copy[key] = value;
    }
  }
  return Object.freeze(copy);
}

/** Builds a `RegexValue` from a pattern and MongoDB option letters, validating and compiling it. */
export function parseRegex(pattern: string, options: string, site: Site): RegexValue {
  const { maxRegexLength } = site.context.limits;
  if (pattern.length > maxRegexLength) {
    fail(`Regular expression is longer than ${maxRegexLength} characters`, site.path);
  }
  if (pattern.includes("\0")) fail("Regular expression cannot contain a null character", site.path);
  const normalized = normalizeRegexOptions(options);
  if (normalized === undefined) fail(`Invalid regular expression options "${options}"`, site.path);
  const regex: RegexValue = Object.freeze({ kind: "regex", pattern, options: normalized });
  compileRegex(regex, site.path);
  return regex;
}

/**
 * Whether `raw` is a regular expression literal: a `RegExp`, or MongoDB Extended JSON's
 * `{ $regularExpression: { pattern, options } }`, which carries PCRE syntax and the `x` option
 * that a `RegExp` cannot, and survives JSON transports.
 */
export function isRegexLiteral(raw: unknown): raw is RegExp | Record<string, unknown> {
  if (raw instanceof RegExp) return true;
  if (!isPlainObject(raw)) return false;
  const keys = Object.keys(raw);
  return keys.length === 1 && keys[0] === "$regularExpression";
}

/**
 * Converts a regular expression literal (see {@link isRegexLiteral}) into a `RegexValue`. A
 * `RegExp`'s source is read as a MongoDB pattern, keeping its `i`, `m` and `s` flags.
 */
export function parseRegexLiteral(raw: RegExp | Record<string, unknown>, site: Site): RegexValue {
  if (raw instanceof RegExp) {
    let options = "";
    for (const flag of "ims") if (raw.flags.includes(flag)) options += flag;
    return parseRegex(raw.source, options, site);
  }
  const body = raw.$regularExpression;
  const bodySite = child(site, "$regularExpression");
  if (!isPlainObject(body))
    return fail("$regularExpression needs { pattern, options }", bodySite.path);
  const { pattern, options = "" } = body;
  const extra = Object.keys(body).find((key) => key !== "pattern" && key !== "options");
  if (extra !== undefined) fail(`Unknown $regularExpression field "${extra}"`, bodySite.path);
  if (typeof pattern !== "string" || typeof options !== "string") {
    fail("$regularExpression pattern and options must be strings", bodySite.path);
  }
  return parseRegex(pattern, options, site);
}
