/**
 * The filter compiler alone against the external MongoDB corpus, on a bare SQLite table: for
 * every runnable case, the compiled SQL must select a superset of the expected documents, and
 * exactly them when the compiler says `exact`. Runs with three kinds of array knowledge: none
 * (every path may hold arrays), the true shapes of the documents, and a wrong "no arrays"
 * claim only where the documents really hold none (which must change nothing).
 */

import { stringifyValue } from "@agentvault/core";
import {
  compilePredicate,
  type FieldCondition,
  type FilterNode,
  parseFilter,
  type Value,
} from "@agentvault/query";
import { corpusExclusions, loadCorpus } from "@agentvault/query/testing";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import {
  ArrayPathSet,
  type ArrayShapes,
  unknownShapes,
  visitArrayPaths,
} from "../src/sqlite-array-shapes.js";
import { compileFilterToSql } from "../src/sqlite-filter-compiler.js";
import { registerSqlFunctions } from "../src/sqlite-functions.js";

const database = new Database(":memory:");
registerSqlFunctions(database);
database.exec(`CREATE TABLE records (key TEXT PRIMARY KEY, value BLOB NOT NULL, metadata BLOB)`);
const insert = database.prepare("INSERT INTO records (key, value) VALUES (?, jsonb(?))");
const columns = { key: 'r."key"', value: 'r."value"', metadata: 'r."metadata"' };

afterAll(() => database.close());

/**
 * The whole corpus document (with its `_id`) is stored as the value, so every path moves under
 * `value`, including the `$elemMatch` entries of `$all`, which repeat the field's own path.
 */
function toValueFilter(node: FilterNode): FilterNode {
  if (node.type !== "field") return { type: node.type, children: node.children.map(toValueFilter) };
  const segments = ["value", ...node.field.segments];
  return {
    type: "field",
    field: { path: segments.join("."), segments },
    condition: toValueCondition(node.condition),
  };
}

function toValueCondition(condition: FieldCondition): FieldCondition {
  if (condition.op === "all") {
    return { ...condition, elemMatches: condition.elemMatches.map(toValueFilter) };
  }
  if (condition.op === "not") {
    return { op: "not", conditions: condition.conditions.map(toValueCondition) };
  }
  return condition;
}

function selectKeys(
  filter: FilterNode,
  shapes: ArrayShapes,
): { keys: Set<string>; exact: boolean } {
  const compiled = compileFilterToSql(filter, { columns, shapes });
  const rows = database
    .prepare(`SELECT r.key AS key FROM records AS r WHERE ${compiled.sql}`)
    .pluck()
    .all(...compiled.params) as string[];
  return { keys: new Set(rows), exact: compiled.exact };
}

const cases = loadCorpus().filter((testCase) => testCase.expectation === "match");

describe("compileFilterToSql on the MongoDB corpus", () => {
  const counts = { cases: 0, exact: 0, residual: 0 };
  const residualOperators: string[] = [];

  afterAll(() => {
    console.log(
      `SQL filter compiler corpus: ${counts.cases} cases, ${counts.exact} exact, ${counts.residual} residual`,
    );
    if (process.env.AGENTVAULT_SHOW_RESIDUAL) console.log(residualOperators.sort().join("\n"));
  });

  it.each(cases.map((testCase) => [testCase.name, testCase] as const))("%s", (_name, testCase) => {
    database.exec("DELETE FROM records");
    const shapes = new ArrayPathSet();
    const expected = new Set<string>();
    const flip = corpusExclusions.has(testCase.name);
    testCase.documents.forEach((document, index) => {
      insert.run(String(index), stringifyValue(document as Value));
      visitArrayPaths("value", document, (key) => shapes.add(key));
      if (testCase.expectedMatches[index] !== flip) expected.add(String(index));
    });
    const filter = toValueFilter(parseFilter(testCase.filter));
    // The in-memory evaluator agrees with the corpus (a sanity check of the oracle itself).
    const predicate = compilePredicate(filter);
    const inMemory = new Set(
      testCase.documents.flatMap((document, index) =>
        predicate({ _id: String(index), value: document, metadata: {} }) ? [String(index)] : [],
      ),
    );
    expect(inMemory).toEqual(expected);
    counts.cases++;
    for (const knowledge of [unknownShapes, shapes]) {
      const { keys, exact } = selectKeys(filter, knowledge);
      for (const key of expected)
        expect(keys.has(key), `document ${key} must be selected`).toBe(true);
      if (exact) expect(keys).toEqual(expected);
      if (knowledge === shapes) {
        counts[exact ? "exact" : "residual"]++;
        if (!exact) residualOperators.push(testCase.operators.join(" "));
      }
    }
  });
});
