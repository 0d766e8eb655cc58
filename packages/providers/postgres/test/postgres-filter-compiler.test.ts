/**
 * The filter compiler on its own (no server): what it promises callers about parameters,
 * exactness and index-friendly shapes. Its results on real data are checked by the corpus test.
 */

import { toRecordFilter } from "@agentvault/core";
import { parseFilter } from "@agentvault/query";
import { describe, expect, it } from "vitest";
import { compileFilterToSql, SqlParameters } from "../src/index.js";

function compile(filter: Record<string, unknown>, codePointCollation = true) {
  return compileFilterToSql(toRecordFilter(parseFilter(filter)), { codePointCollation });
}

/** The placeholders a SQL text uses, as numbers. */
function placeholders(sql: string): number[] {
  return [...new Set([...sql.matchAll(/\$(\d+)::/g)].map((match) => Number(match[1])))].sort(
    (a, b) => a - b,
  );
}

describe("compileFilterToSql", () => {
  it("binds every field name and value as a parameter, never as SQL text", () => {
    const hostile = "x'); DROP TABLE users; --";
    const compiled = compile({ [hostile]: hostile, [`a.${hostile}`]: { $gt: hostile } });
    expect(compiled.sql).not.toContain("DROP TABLE");
    expect(compiled.params).toContain(hostile);
    expect(compiled.params).toContain(JSON.stringify(hostile));
  });

  it("sends exactly the parameters the SQL uses, numbered from 1", () => {
    const compiled = compile({ a: 1, b: { $nin: [/x/] }, c: { $regex: "y" }, d: "z" });
    const used = placeholders(compiled.sql);
    expect(used).toEqual(compiled.params.map((_, index) => index + 1));
  });

  it("continues after the statement's own parameters and keeps them", () => {
    const parameters = new SqlParameters([1234, "own"]);
    const compiled = compileFilterToSql(toRecordFilter(parseFilter({ a: "v" })), { parameters });
    expect(compiled.params.slice(0, 2)).toEqual([1234, "own"]);
    expect(Math.min(...placeholders(compiled.sql))).toBe(3);
  });

  it("marks common conditions exact", () => {
    const exact = [
      { status: "active" },
      { price: { $gte: 10, $lt: 20 } },
      { name: { $gt: "m" } },
      { at: { $lt: new Date("2024-01-01T00:00:00Z") } },
      { tags: { $in: ["a", "b"] } },
      { tags: { $nin: ["a"] } },
      { deleted: { $exists: false } },
      { note: null },
      { note: { $ne: null } },
      { items: { $elemMatch: { sku: "a", qty: { $gt: 1 } } } },
      { tags: { $all: ["a", "b"] } },
      { tags: { $size: 2 } },
      { n: { $mod: [3, 1] } },
      { n: { $type: "int" } },
      { $or: [{ a: 1 }, { b: { $not: { $gt: 2 } } }] },
      { $nor: [{ a: 1 }] },
      { _id: { $in: ["k1", "k2"] } },
    ];
    for (const filter of exact) expect(compile(filter).exact, JSON.stringify(filter)).toBe(true);
  });

  it("leaves to memory what SQL cannot decide exactly, as a superset", () => {
    const inexact = [
      { name: { $regex: "^a" } },
      { doc: { b: 1, a: 2 } }, // jsonb equality ignores field order
      { "items.0.price": 5 }, // an index or a field named "0": decided per document
      { blob: { $gt: new Uint8Array([1]) } },
      { name: { $not: { $regex: "a" } } },
    ];
    for (const filter of inexact) expect(compile(filter).exact, JSON.stringify(filter)).toBe(false);
  });

  it("compiles a negated superset to TRUE rather than to a wrong subset", () => {
    expect(compile({ name: { $not: /a/ } }).sql).toBe("TRUE");
    expect(compile({ $nor: [{ name: /a/ }] }).sql).toBe("TRUE");
  });

  it("writes equality and ranges on the plain path expression that indexes are built on", () => {
    const equality = compile({ "customer.city": "Oslo" });
    expect(equality.sql).toContain("(value -> $1::text -> $2::text) = $3::jsonb");
    expect(equality.params.slice(0, 3)).toEqual(["customer", "city", '"Oslo"']);
    const range = compile({ price: { $gt: 5 } });
    expect(range.sql).toMatch(
      /\(value -> \$1::text\) > \$2::jsonb AND \(value -> \$1::text\) < 'false'::jsonb/,
    );
  });

  it("compares strings as C-collated text when the database collation is not code point", () => {
    expect(compile({ name: { $gt: "m" } }, false).sql).toContain('COLLATE "C" >');
    expect(compile({ name: { $gt: "m" } }, true).sql).not.toContain("COLLATE");
  });

  it("uses the key column for _id", () => {
    const compiled = compile({ _id: "order-1" });
    expect(compiled.sql).toBe("key = $1::text");
    expect(compile({ _id: 5 }).sql).toBe("FALSE");
    expect(compile({ _id: { $gte: "a" } }).sql).toBe("key >= $1::text");
  });

  it("decides paths the record view cannot have from the evaluator itself", () => {
    // Only `_id`, `value` and `metadata` exist in the record view.
    expect(compileFilterToSql(parseFilter({ other: null })).sql).toBe("TRUE");
    expect(compileFilterToSql(parseFilter({ other: 1 })).sql).toBe("FALSE");
    expect(compileFilterToSql(parseFilter({ "_id.x": { $exists: true } })).sql).toBe("FALSE");
  });

  it("matches nothing for $all: [] and for values nothing stored can equal", () => {
    expect(compile({ tags: { $all: [] } }).sql).toBe("FALSE");
    expect(compile({ n: Number.NaN }).exact).toBe(true);
    expect(compile({ n: { $gt: Number.POSITIVE_INFINITY } }).sql).not.toContain("$");
  });
});
