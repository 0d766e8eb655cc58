/**
 * Unit tests of the filter compiler: what the SQL looks like (parameters only, index-friendly
 * plain paths) and that it selects the same documents as the in-memory evaluator for the cases
 * SQL makes subtle (big integers, expanded-year dates, null versus missing, positions).
 */

import { recordView, type StoredRecord, stringifyValue, toRecordFilter } from "@agentvault/core";
import { compilePredicate, type FilterNode, parseFilter, type Value } from "@agentvault/query";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import {
  ArrayPathSet,
  type ArrayShapes,
  noArrayShapes,
  unknownShapes,
  visitArrayPaths,
} from "../src/sqlite-array-shapes.js";
import { compileFilterToSql } from "../src/sqlite-filter-compiler.js";
import { registerSqlFunctions } from "../src/sqlite-functions.js";
import { recordColumns } from "../src/sqlite-schema.js";

const database = new Database(":memory:");
registerSqlFunctions(database);
database.exec("CREATE TABLE records (key TEXT PRIMARY KEY, value BLOB NOT NULL, metadata BLOB)");
afterAll(() => database.close());

const compile = (filter: object, shapes: ArrayShapes = unknownShapes) =>
  compileFilterToSql(toRecordFilter(parseFilter(filter)), { columns: recordColumns, shapes });

/** Stores the documents and checks SQL against the in-memory evaluator for each filter. */
function agree(documents: Record<string, Value>, filters: object[]): void {
  database.exec("DELETE FROM records");
  const shapes = new ArrayPathSet();
  const records: StoredRecord[] = Object.entries(documents).map(([key, value]) => {
    database
      .prepare("INSERT INTO records (key, value) VALUES (?, jsonb(?))")
      .run(key, stringifyValue(value));
    visitArrayPaths("value", value, (path) => shapes.add(path));
    return { key, value };
  });
  for (const raw of filters) {
    const filter: FilterNode = toRecordFilter(parseFilter(raw));
    const predicate = compilePredicate(filter);
    const expected = records
      .filter((record) => predicate(recordView(record)))
      .map((record) => record.key);
    for (const knowledge of [unknownShapes, shapes]) {
      const compiled = compileFilterToSql(filter, { columns: recordColumns, shapes: knowledge });
      expect(compiled.exact, JSON.stringify(raw)).toBe(true);
      const keys = database
        .prepare(`SELECT r.key FROM records AS r WHERE ${compiled.sql} ORDER BY r.rowid`)
        .pluck()
        .all(...compiled.params);
      expect(keys, JSON.stringify(raw)).toEqual(expected);
    }
  }
}

describe("SQL text", () => {
  it("binds every value: no filter value appears in the SQL", () => {
    const marker = "'; DROP TABLE records; --";
    const compiled = compile({
      a: marker,
      b: { $in: [marker, 1] },
      c: { $regex: marker },
      d: { $gt: marker },
      e: { $elemMatch: { f: marker } },
      g: { $all: [marker] },
    });
    expect(compiled.sql).not.toContain("DROP");
    expect(compiled.params.filter((param) => param === marker).length).toBeGreaterThanOrEqual(6);
  });

  it("quotes field names into JSON path literals that cannot end the literal", () => {
    const compiled = compile({ 'it\'s."x"': 1 }, noArrayShapes);
    expect(compiled.sql).toContain(`'$."it''s"."\\"x\\""'`);
    agree({ hit: { "it's": { '"x"': 1 } }, miss: { "it's": { x: 1 } } }, [{ 'it\'s."x"': 1 }]);
  });

  it("compiles a path without arrays to one comparison an expression index can serve", () => {
    expect(compile({ status: "active" }, noArrayShapes).sql).toBe(
      `(json_extract(r."value", '$.status') = ? AND +json_type(r."value", '$.status') = 'text')`,
    );
    expect(compile({ _id: "k1" }).sql).toBe('r."key" = ?');
    expect(compile({ status: "active" }, unknownShapes).sql).toContain("json_each");
  });

  it("gives up narrowing (exact: false) where a JSON path cannot spell a field, or SQL grows too large", () => {
    expect(compile({ "tab\tfield": 1 })).toMatchObject({ sql: "1", exact: false });
    expect(compile({ $nor: [{ "tab\tfield": 1 }] })).toMatchObject({ sql: "1", exact: false });
    expect(compile({ a: 1, "tab\tfield": 1 }, noArrayShapes).exact).toBe(false);
    const huge = compileFilterToSql(toRecordFilter(parseFilter({ "a.b.c.d.e": 1 })), {
      columns: recordColumns,
      maxConditionLength: 200,
    });
    expect(huge).toMatchObject({ sql: "1", exact: false });
  });
});

describe("semantics SQL makes subtle", () => {
  it("integers beyond 2^53 compare as the doubles JavaScript stored", () => {
    agree(
      { big: { v: 2 ** 61 }, bigger: { v: 2 ** 61 + 2 ** 9 }, small: { v: 3 }, text: { v: "3" } },
      [
        { v: 2 ** 61 },
        { v: { $gt: 2 ** 61 } },
        { v: { $lte: 2 ** 61 } },
        { v: { $in: [2 ** 61, 3] } },
        { v: { $ne: 2 ** 61 } },
        { v: { $mod: [7, 2] } },
      ],
    );
  });

  it("dates compare by time, also outside years 0000-9999", () => {
    agree(
      {
        epoch: { at: new Date(0) },
        future: { at: new Date("+012000-05-01T00:00:00.000Z") },
        ancient: { at: new Date("-000500-01-01T00:00:00.000Z") },
        text: { at: "2020-01-01T00:00:00.000Z" },
      },
      [
        { at: { $gt: new Date("2000-01-01") } },
        { at: { $lt: new Date("2000-01-01") } },
        { at: { $gte: new Date("+011000-01-01T00:00:00.000Z") } },
        { at: { $lt: new Date("-000100-01-01T00:00:00.000Z") } },
        { at: new Date(0) },
        { at: { $type: "date" } },
      ],
    );
  });

  it("null matches missing, but not through arrays without documents", () => {
    agree(
      {
        missing: {},
        isNull: { a: null },
        scalars: { a: [1, 2] },
        docs: { a: [{ b: 1 }, { c: 2 }] },
        empty: { a: [] },
      },
      [
        { a: null },
        { "a.b": null },
        { "a.b": { $exists: false } },
        { a: { $ne: null } },
        { "a.b": { $gte: null } },
      ],
    );
  });

  it("positions and nested arrays follow MongoDB's traversal", () => {
    agree(
      {
        list: { a: [{ b: 1 }, { b: 2 }] },
        nested: { a: [[{ b: 1 }], { b: 3 }] },
        keyed: { a: { "0": { b: 1 } } },
        scalars: { a: [5, [6, 7]] },
      },
      [
        { "a.0.b": 1 },
        { "a.1": 2 },
        { "a.1": [6, 7] },
        { "a.1.0": 6 },
        { "a.b": { $in: [1, 3] } },
        { a: { $size: 2 } },
        { a: { $elemMatch: { b: { $gte: 2 } } } },
        { a: { $elemMatch: { $elemMatch: { $gt: 6 } } } },
        { a: { $all: [5] } },
      ],
    );
  });

  it("objects, arrays and binary values compare by MongoDB's order", () => {
    agree(
      {
        small: { v: { a: 1 } },
        large: { v: { a: 2, b: 1 } },
        list: { v: [1, 2] },
        longer: { v: [1, 2, 3] },
        bytes: { v: new Uint8Array([1, 2]) },
        fewer: { v: new Uint8Array([9]) },
      },
      [
        { v: { $gt: { a: 1 } } },
        { v: { $lte: [1, 2, 0] } },
        { v: { $gt: new Uint8Array([1, 1]) } },
        { v: { a: 1 } },
        { v: [1, 2] },
        { v: new Uint8Array([9]) },
      ],
    );
  });
});
