/**
 * The external MongoDB filter corpus through the SQLite provider: documents stored with
 * `putMany`, filters run with `find`. Every runnable case must return exactly the expected
 * keys; and every case the compiler reports exact must return them from SQL alone, checked by
 * running the compiled SQL on a separate raw connection to the same file, with the array shapes
 * the provider recorded.
 *
 * Two mappings run: the Vault's (document fields under `value`, `_id` as the key; cases whose
 * filter tests non-string `_id`s cannot use it), and the whole document, `_id` included, as the
 * value (every case can).
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { planCorpus } from "@agentvault/conformance";
import { toRecordFilter } from "@agentvault/core";
import { type FieldCondition, type FilterNode, parseFilter, type Value } from "@agentvault/query";
import { corpusExclusions, loadCorpus } from "@agentvault/query/testing";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { registerSqlFunctions, sqliteProvider } from "../src/index.js";
import { ArrayPathSet } from "../src/sqlite-array-shapes.js";
import { compileFilterToSql } from "../src/sqlite-filter-compiler.js";
import { recordColumns } from "../src/sqlite-schema.js";

const directory = mkdtempSync(join(tmpdir(), "agentvault-sqlite-corpus-"));
const provider = sqliteProvider({ directory, database: "corpus" });
let rawConnection: Database.Database | undefined;

/** A second, raw connection to the provider's file (opened once the provider created it). */
function raw(): Database.Database {
  if (rawConnection === undefined) {
    rawConnection = new Database(join(directory, "corpus.db"), { readonly: true });
    registerSqlFunctions(rawConnection);
  }
  return rawConnection;
}

afterAll(async () => {
  rawConnection?.close();
  await provider.close();
  rmSync(directory, { recursive: true, force: true });
});

/** Keys the compiled SQL alone selects, on the raw connection (no provider, no memory pass). */
function keysFromSqlAlone(
  collection: string,
  filter: FilterNode,
): { keys: string[]; exact: boolean } {
  const id = raw().prepare("SELECT id FROM _av_collections WHERE name = ?").pluck().get(collection);
  const paths = raw()
    .prepare("SELECT path FROM _av_array_paths WHERE collection_id = ?")
    .pluck()
    .all(id) as string[];
  const compiled = compileFilterToSql(filter, {
    columns: recordColumns,
    shapes: new ArrayPathSet(paths),
  });
  const keys = raw()
    .prepare(`SELECT r.key FROM "_av_c${id}" AS r WHERE ${compiled.sql}`)
    .pluck()
    .all(...compiled.params) as string[];
  return { keys: keys.sort(), exact: compiled.exact };
}

interface Counts {
  run: number;
  exact: number;
  residual: number;
}

async function runCase(
  collection: string,
  filter: FilterNode,
  expected: readonly string[],
  counts: Counts,
) {
  const found = await provider.find(collection, { filter });
  expect(found.map((record) => record.key).sort()).toEqual([...expected].sort());
  const explained = await provider.explainFind(collection, { filter });
  const alone = keysFromSqlAlone(collection, filter);
  expect(explained.mode === "sql").toBe(alone.exact);
  if (alone.exact) expect(alone.keys).toEqual([...expected].sort());
  counts.run++;
  counts[alone.exact ? "exact" : "residual"]++;
}

function report(label: string, counts: Counts): void {
  console.log(
    `${label}: ${counts.run} cases run, ${counts.exact} exact, ${counts.residual} residual`,
  );
}

describe("corpus through the provider, Vault mapping (_id is the key)", () => {
  const plan = planCorpus();
  const counts: Counts = { run: 0, exact: 0, residual: 0 };
  afterAll(() =>
    report(`corpus via sqliteProvider (Vault mapping, ${plan.skipped.length} skipped)`, counts),
  );

  plan.groups.forEach((group, index) => {
    const cases = group.cases.filter((planned) => planned.expectation === "match");
    if (cases.length === 0) return;
    it(`group ${index}: ${cases.length} cases over ${group.documents.length} documents`, async () => {
      const collection = `vault_${index}`;
      await provider.putMany(
        collection,
        group.documents.map((entry) => ({ key: entry.key, value: entry.document })),
      );
      for (const planned of cases) {
        const filter = toRecordFilter(parseFilter(planned.testCase.filter));
        await runCase(collection, filter, planned.expectedKeys, counts);
      }
    });
  });
});

function underValue(node: FilterNode): FilterNode {
  if (node.type !== "field") return { type: node.type, children: node.children.map(underValue) };
  const segments = ["value", ...node.field.segments];
  return {
    type: "field",
    field: { path: segments.join("."), segments },
    condition: condition(node.condition),
  };
}

function condition(inner: FieldCondition): FieldCondition {
  if (inner.op === "all") return { ...inner, elemMatches: inner.elemMatches.map(underValue) };
  if (inner.op === "not") return { op: "not", conditions: inner.conditions.map(condition) };
  return inner;
}

describe("corpus through the provider, whole document as the value", () => {
  const cases = loadCorpus().filter((testCase) => testCase.expectation === "match");
  const counts: Counts = { run: 0, exact: 0, residual: 0 };
  afterAll(() => report("corpus via sqliteProvider (document as value)", counts));

  it(`${cases.length} cases`, async () => {
    for (const [index, testCase] of cases.entries()) {
      const collection = `documents_${index}`;
      await provider.putMany(
        collection,
        testCase.documents.map((document, position) => ({
          key: `doc-${position}`,
          value: document as Value,
        })),
      );
      const flip = corpusExclusions.has(testCase.name);
      const expected = testCase.documents.flatMap((_, position) =>
        testCase.expectedMatches[position] !== flip ? [`doc-${position}`] : [],
      );
      await runCase(collection, underValue(parseFilter(testCase.filter)), expected, counts);
      await provider.dropCollection(collection);
    }
  });
});
