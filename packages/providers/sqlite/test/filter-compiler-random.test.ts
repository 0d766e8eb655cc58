/**
 * Differential tests of the SQL compilers against the in-memory evaluator, on generated
 * documents whose fields mix scalars, nested arrays, sub-documents, dates and binary values:
 * random filters (with no knowledge of where arrays are, and with the documents' real array
 * shapes) and random sorts on paths that hold no arrays or objects.
 */

import { generateDocuments, randomFilter, randomSort } from "@agentvault/conformance";
import {
  recordView,
  type StoredRecord,
  stringifyValue,
  toRecordFilter,
  toRecordSort,
} from "@agentvault/core";
import {
  compilePredicate,
  parseFilter,
  parseSort,
  sortDocuments,
  type Value,
} from "@agentvault/query";
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { ArrayPathSet, unknownShapes, visitArrayPaths } from "../src/sqlite-array-shapes.js";
import { compileFilterToSql } from "../src/sqlite-filter-compiler.js";
import { registerSqlFunctions } from "../src/sqlite-functions.js";
import { recordColumns } from "../src/sqlite-schema.js";
import { compileSortToSql } from "../src/sqlite-sort.js";

const seed = 4242;
const database = new Database(":memory:");
registerSqlFunctions(database);
database.exec("CREATE TABLE records (key TEXT PRIMARY KEY, value BLOB NOT NULL, metadata BLOB)");
afterAll(() => database.close());

function load(documents: readonly { [field: string]: Value }[]): {
  records: StoredRecord[];
  shapes: ArrayPathSet;
} {
  database.exec("DELETE FROM records");
  const insert = database.prepare("INSERT INTO records (key, value) VALUES (?, jsonb(?))");
  const shapes = new ArrayPathSet();
  const records = documents.map((document) => {
    const { _id, ...value } = document;
    insert.run(_id as string, stringifyValue(value));
    visitArrayPaths("value", value, (key) => shapes.add(key));
    return { key: _id as string, value };
  });
  return { records, shapes };
}

describe("random filters: SQL agrees with the in-memory evaluator", () => {
  const filters = fc.sample(randomFilter, { seed, numRuns: 400 });
  it(`${filters.length} filters, with unknown and with real array shapes`, () => {
    const { records, shapes } = load(generateDocuments(80, seed));
    let exact = 0;
    for (const raw of filters) {
      const filter = toRecordFilter(parseFilter(raw));
      const predicate = compilePredicate(filter);
      const expected = records
        .filter((record) => predicate(recordView(record)))
        .map((record) => record.key);
      for (const knowledge of [unknownShapes, shapes]) {
        const compiled = compileFilterToSql(filter, { columns: recordColumns, shapes: knowledge });
        const keys = database
          .prepare(`SELECT r.key FROM records AS r WHERE ${compiled.sql} ORDER BY r.rowid`)
          .pluck()
          .all(...compiled.params) as string[];
        const context = JSON.stringify(raw);
        for (const key of expected) expect(keys, context).toContain(key);
        if (compiled.exact) {
          exact++;
          expect(keys, context).toEqual(expected);
        }
      }
    }
    // Every generated operator has an exact SQL form.
    expect(exact).toBe(filters.length * 2);
  });
});

describe("random sorts: SQL order equals sortDocuments where SQL may sort", () => {
  // Documents without arrays or objects on the sort paths: scalars of every type only.
  const scalars = fc.sample(
    fc.record(
      {
        a: fc.constantFrom<Value>(
          -2,
          0,
          1.5,
          2 ** 53 + 2,
          "a",
          "B",
          "é",
          "\u{1F600}",
          "\uFF5E",
          "",
          null,
          true,
          false,
          new Date(0),
          new Date("+010000-01-01T00:00:00.000Z"),
          new Date("-000100-01-01T00:00:00.000Z"),
        ),
        b: fc.constantFrom<Value>(1, 2, "x", null),
        n: fc.integer({ min: -5, max: 5 }),
      },
      { requiredKeys: ["n"], noNullPrototype: true },
    ),
    { seed, numRuns: 60 },
  );
  const scalarDocuments = scalars.map((document, index) => ({ _id: `s${index}`, ...document }));
  const sorts = fc.sample(
    fc.uniqueArray(
      fc.tuple(fc.constantFrom("a", "b", "n", "missing", "_id"), fc.constantFrom<1 | -1>(1, -1)),
      {
        minLength: 1,
        maxLength: 3,
        selector: ([field]) => field,
      },
    ),
    { seed, numRuns: 80 },
  );

  it(`${sorts.length} sorts`, () => {
    const { records, shapes } = load(scalarDocuments);
    for (const keys of sorts) {
      const sort = toRecordSort(parseSort(Object.fromEntries(keys)));
      const compiled = compileSortToSql(sort, recordColumns, shapes);
      expect(compiled).toBeDefined();
      const actual = database
        .prepare(`SELECT r.key FROM records AS r ORDER BY ${compiled!.orderBy}`)
        .pluck()
        .all() as string[];
      const expected = sortDocuments(records.map(recordView), sort).map((view) => view._id);
      expect(actual, JSON.stringify(keys)).toEqual(expected);
    }
  });

  it("refuses paths that may hold arrays", () => {
    const withArrays = new ArrayPathSet(["value\u0000a"]);
    expect(
      compileSortToSql(toRecordSort(parseSort({ a: 1 })), recordColumns, withArrays),
    ).toBeUndefined();
    expect(
      compileSortToSql(toRecordSort(parseSort({ "a.b": 1 })), recordColumns, withArrays),
    ).toBeUndefined();
    expect(
      compileSortToSql(toRecordSort(parseSort({ n: 1 })), recordColumns, withArrays),
    ).toBeDefined();
  });

  it("sorts by random sorts over generated documents when shapes allow, else refuses", () => {
    const generated = load(generateDocuments(60, seed + 1));
    let compared = 0;
    for (const raw of fc.sample(randomSort, { seed, numRuns: 40 })) {
      const sort = toRecordSort(parseSort(raw));
      const compiled = compileSortToSql(sort, recordColumns, generated.shapes);
      if (compiled === undefined) continue;
      // Pushable only when no matching record holds an object or binary value on a sort path.
      const holdsObjects =
        compiled.objectChecks.length > 0 &&
        database
          .prepare(
            `SELECT EXISTS (SELECT 1 FROM records AS r WHERE ${compiled.objectChecks.join(" OR ")})`,
          )
          .pluck()
          .get() === 1;
      if (holdsObjects) continue;
      const actual = database
        .prepare(`SELECT r.key FROM records AS r ORDER BY ${compiled.orderBy}`)
        .pluck()
        .all();
      const expected = sortDocuments(generated.records.map(recordView), sort).map(
        (view) => view._id,
      );
      expect(actual, JSON.stringify(raw)).toEqual(expected);
      compared++;
    }
    expect(compared).toBeGreaterThan(0);
  });
});
