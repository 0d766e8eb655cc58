/**
 * Round-trip properties of the filter translator over every runnable filter of the shared
 * MongoDB corpus (no server needed):
 *
 * 1. Nothing is lost: translating the record-view AST and parsing the result again gives the AST
 *    of the original filter with its paths prefixed. The parser normalises spellings (`$eq`,
 *    `$and`, `$type` codes, ...), so this holds for every filter.
 * 2. The document itself is the original filter with its paths prefixed, for every filter
 *    already written the way the translator writes (implicit equality, no `$and`, `$type` by
 *    name, regular expressions as `$regex` + `$options`, ...).
 */

import { toRecordFilter } from "@agentvault/core";
import { parseFilter } from "@agentvault/query";
import { loadCorpus } from "@agentvault/query/testing";
import { Binary, BSONRegExp, Long } from "mongodb";
import { describe, expect, it } from "vitest";
import { translateFilter } from "../src/mongodb-filter-translator.js";

type Raw = { [field: string]: unknown };

function isObject(value: unknown): value is Raw {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !(value instanceof Uint8Array)
  );
}

function define(target: Raw, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** The original filter with document paths rooted in the record view, as the Vault does. */
function prefixPaths(filter: Raw): Raw {
  const result: Raw = {};
  for (const [key, value] of Object.entries(filter)) {
    if (key === "$and" || key === "$or" || key === "$nor") {
      define(result, key, (value as Raw[]).map(prefixPaths));
    } else if (key.startsWith("$") || key === "_id" || key.startsWith("_id.")) {
      define(result, key, value);
    } else {
      define(result, `value.${key}`, value);
    }
  }
  return result;
}

/** Turns BSON values of a translated filter back into what `parseFilter` reads. */
function toParseable(value: unknown): unknown {
  if (value instanceof BSONRegExp) {
    return { $regularExpression: { pattern: value.pattern, options: value.options } };
  }
  if (value instanceof Binary) return new Uint8Array(value.value());
  if (value instanceof Long) return value.toNumber();
  if (Array.isArray(value)) return value.map(toParseable);
  if (!isObject(value)) return value;
  const result: Raw = {};
  for (const [key, item] of Object.entries(value)) define(result, key, toParseable(item));
  return result;
}

function regexLiteral(value: unknown): { pattern: string; options: string } | undefined {
  if (value instanceof RegExp) return { pattern: value.source, options: value.flags };
  if (isObject(value) && Object.keys(value).length === 1 && isObject(value.$regularExpression)) {
    const body = value.$regularExpression as { pattern: string; options?: string };
    return { pattern: body.pattern, options: body.options ?? "" };
  }
  return undefined;
}

function isNumber(value: unknown): value is number {
  return typeof value === "number";
}

/**
 * Whether a raw filter is spelled the way the translator writes: no `$and`, `$eq` or
 * `$comment`; `$type` as one name or several distinct names; boolean `$exists`; integral `$mod`;
 * `$regex` strings with sorted options; regexes after values in `$in`, `$nin` and `$all`;
 * no negative zero.
 */
function isCanonical(value: unknown, key = ""): boolean {
  if (isNumber(value)) return !Object.is(value, -0);
  if (Array.isArray(value)) {
    if (key === "$in" || key === "$nin" || key === "$all") {
      const firstRegex = value.findIndex((item) => regexLiteral(item) !== undefined);
      if (firstRegex !== -1 && value.slice(firstRegex).some((item) => !regexLiteral(item)))
        return false;
    }
    return value.every((item) => isCanonical(item));
  }
  if (!isObject(value)) return true;
  const regex = regexLiteral(value);
  if (regex !== undefined) return regex.options === [...regex.options].sort().join("");
  for (const [field, item] of Object.entries(value)) {
    if (field === "$and" || field === "$eq" || field === "$comment") return false;
    if (field === "$type") {
      const names = Array.isArray(item) ? item : [item];
      if (!names.every((name) => typeof name === "string")) return false;
      if (Array.isArray(item) && new Set(item).size !== Math.max(item.length, 2)) return false;
    }
    if (field === "$exists" && typeof item !== "boolean") return false;
    if (field === "$mod" && !(item as unknown[]).every((part) => Number.isInteger(part)))
      return false;
    if (field === "$regex" && typeof item === "string" && typeof value.$options === "string") {
      if (value.$options !== [...value.$options].sort().join("")) return false;
    }
    if (!isCanonical(item, field)) return false;
  }
  return true;
}

/** The expected translation of a canonical filter: BSON values, regexes as MongoDB takes them. */
function expectedDocument(value: unknown, position: "operand" | "list" = "operand"): unknown {
  const regex = regexLiteral(value);
  if (regex !== undefined) {
    return position === "list"
      ? new BSONRegExp(regex.pattern, regex.options)
      : { $regex: regex.pattern, $options: regex.options };
  }
  if (isNumber(value)) {
    const int32 = value >= -(2 ** 31) && value < 2 ** 31;
    return Number.isSafeInteger(value) && !int32 ? Long.fromNumber(value) : value;
  }
  if (value instanceof Uint8Array) return new Binary(value, 0);
  if (Array.isArray(value)) return value.map((item) => expectedDocument(item, position));
  if (!isObject(value)) return value;
  const result: Raw = {};
  for (const [field, item] of Object.entries(value)) {
    if (field === "$regex") {
      const inner = regexLiteral(item);
      define(result, field, inner?.pattern ?? item);
      define(result, "$options", inner?.options ?? value.$options ?? "");
    } else if (field !== "$options") {
      const list = field === "$in" || field === "$nin" || field === "$all";
      define(result, field, expectedDocument(item, list ? "list" : "operand"));
    }
  }
  return result;
}

/** Negative zero compares like zero in MongoDB; toBson writes it as 0. */
function withoutNegativeZero(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (Array.isArray(value)) return value.map(withoutNegativeZero);
  if (!isObject(value)) return value;
  const result: Raw = {};
  for (const [key, item] of Object.entries(value)) define(result, key, withoutNegativeZero(item));
  return result;
}

const filters = loadCorpus()
  .filter((testCase) => testCase.expectation === "match")
  .map((testCase) => ({ name: testCase.name, filter: testCase.filter as Raw }));

describe("filter translator on the MongoDB corpus", () => {
  it(`loses nothing: parse(translate(ast)) is the prefixed filter's AST (${filters.length} filters)`, () => {
    expect(filters.length).toBeGreaterThan(700);
    for (const { name, filter } of filters) {
      const translated = translateFilter(toRecordFilter(parseFilter(filter)));
      const expected = parseFilter(withoutNegativeZero(prefixPaths(filter)));
      expect(parseFilter(toParseable(translated)), name).toEqual(expected);
    }
  });

  it("writes the original filter, paths prefixed, for every canonically spelled filter", () => {
    const canonical = filters.filter(({ filter }) => isCanonical(filter));
    // Most of the corpus is written the way MongoDB users write filters.
    expect(canonical.length).toBeGreaterThan(filters.length * 0.6);
    for (const { name, filter } of canonical) {
      const translated = translateFilter(toRecordFilter(parseFilter(filter)));
      expect(translated, name).toEqual(expectedDocument(prefixPaths(filter)));
    }
  });
});
