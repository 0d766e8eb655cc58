/**
 * The shared MongoDB filter corpus through compiled SQL on a real PostgreSQL: every runnable
 * case's documents are stored as `value` and as `metadata` (with the provider's JSON encoding),
 * each filter is compiled with `compileFilterToSql` and run. Three properties per case:
 * - SQL alone returns exactly the expected documents whenever the compiler says `exact`;
 * - otherwise SQL returns a superset of them;
 * - re-checking the candidates in memory (as the provider does) gives exactly the expected set.
 * Both string-ordering modes run on `value` (jsonb bands for code-point collations, `COLLATE "C"`
 * text); `metadata` runs the code-point mode. Each runs twice: knowing nothing about arrays, and
 * with the array shapes of the case's own documents (as a collection holding exactly them would
 * have recorded), where paths that never held an array compile to one plain comparison.
 */

import { probeService } from "@agentvault/conformance";
import { decodeValue, prefixFilterPaths, recordView } from "@agentvault/core";
import { compilePredicate, type FilterNode, parseFilter } from "@agentvault/query";
import { type CorpusCase, corpusExclusions, loadCorpus } from "@agentvault/query/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ArrayShapes, collectArrayPaths, shapesOf } from "../src/postgres-array-shapes.js";
import { compileFilterToSql } from "../src/postgres-filter-compiler.js";
import { toJsonbText } from "../src/postgres-json.js";
import { SqlParameters } from "../src/sql-parameters.js";
import { randomSchema } from "./postgres-test-support.js";

const probe = await probeService("POSTGRES_URL");
const schema = randomSchema("corpus");

interface RunnableCase {
  readonly index: number;
  readonly testCase: CorpusCase;
  /** Whether each document must match (library cases that contradict MongoDB are inverted). */
  readonly expected: readonly boolean[];
}

function runnableCases(): RunnableCase[] {
  const runnable: RunnableCase[] = [];
  loadCorpus().forEach((testCase, index) => {
    if (testCase.expectation !== "match") return;
    const invert = corpusExclusions.has(testCase.name);
    const expected = testCase.expectedMatches.map((match) => (invert ? !match : match));
    runnable.push({ index, testCase, expected });
  });
  return runnable;
}

describe.skipIf(!probe.available)(
  `postgres filter compiler on the corpus ${probe.skipReason}`,
  () => {
    const pool = new pg.Pool({ connectionString: probe.url, max: 2, options: "-c jit=off" });
    const table = `"${schema}".docs`;
    const cases = runnableCases();
    const counts = { exact: 0, superset: 0, queries: 0, documents: 0, shaped: 0 };

    beforeAll(async () => {
      await pool.query(`CREATE SCHEMA "${schema}"`);
      await pool.query(
        `CREATE TABLE ${table} (case_id integer, doc_id integer, value jsonb, value_text text, metadata jsonb)`,
      );
      const rows: unknown[][] = [[], [], [], [], []];
      for (const { index, testCase } of cases) {
        testCase.documents.forEach((document, position) => {
          const json = toJsonbText(document as never, "value");
          rows[0]!.push(index);
          rows[1]!.push(position);
          rows[2]!.push(json.jsonb);
          rows[3]!.push(json.exact);
          rows[4]!.push(json.jsonb);
          counts.documents++;
        });
      }
      await pool.query(
        `INSERT INTO ${table} SELECT * FROM unnest($1::int[], $2::int[], $3::jsonb[], $4::text[], $5::jsonb[])`,
        rows,
      );
    });

    afterAll(async () => {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
      console.log(
        `corpus through SQL: ${cases.length} cases, ${counts.queries} queries (value: both string modes; metadata: code point; code point also with array shapes) over ${counts.documents} documents; exact ${counts.exact}, superset ${counts.superset}, relying on shapes ${counts.shaped}`,
      );
    });

    /** The array shapes a collection holding exactly the case's documents would have. */
    function caseShapes(runnable: RunnableCase, root: "value" | "metadata"): ArrayShapes {
      const found = new Set<string>();
      for (const document of runnable.testCase.documents) collectArrayPaths(root, document, found);
      return shapesOf(found);
    }

    async function check(
      runnable: RunnableCase,
      root: "value" | "metadata",
      codePoint: boolean,
      arrayShapes: ArrayShapes | undefined,
    ) {
      const filter: FilterNode = prefixFilterPaths(
        parseFilter(runnable.testCase.filter),
        (path) => [root, ...path],
      );
      const compiled = compileFilterToSql(filter, {
        codePointCollation: codePoint,
        parameters: new SqlParameters([runnable.index]),
        arrayShapes,
      });
      if (compiled.usesArrayShapes) counts.shaped++;
      const result = await pool.query<{ doc_id: number; text: string }>(
        `SELECT doc_id, coalesce(value_text, ${root}::text) AS text FROM ${table} WHERE case_id = $1 AND ${compiled.sql}`,
        compiled.params,
      );
      counts.queries++;
      if (compiled.exact) counts.exact++;
      else counts.superset++;
      const selected = new Set(result.rows.map((row) => row.doc_id));
      const predicate = compilePredicate(filter);
      const refined = new Set(
        result.rows
          .filter((row) => {
            const document = decodeValue(JSON.parse(row.text));
            const view =
              root === "value"
                ? recordView({ key: "k", value: document })
                : recordView({ key: "k", value: null, metadata: document as never });
            return predicate(view);
          })
          .map((row) => row.doc_id),
      );
      const problems: string[] = [];
      runnable.expected.forEach((expected, position) => {
        const id = JSON.stringify(runnable.testCase.documents[position]?._id ?? position);
        if (compiled.exact && selected.has(position) !== expected) {
          problems.push(`exact SQL ${expected ? "missed" : "returned"} ${id}`);
        }
        if (!compiled.exact && expected && !selected.has(position)) {
          problems.push(`superset SQL missed ${id}`);
        }
        if (refined.has(position) !== expected) problems.push(`refined result wrong for ${id}`);
      });
      return problems;
    }

    for (const runnable of cases) {
      it(`${runnable.testCase.tier} ${runnable.testCase.name}`, async () => {
        const problems: string[] = [];
        // Both string modes on `value`; `metadata` shares the code, so one mode suffices there.
        for (const [root, modes] of [
          ["value", [true, false]],
          ["metadata", [true]],
        ] as const) {
          for (const codePoint of modes) {
            // Shapes only change path traversal, which both string modes share.
            const shapeModes = codePoint ? [undefined, caseShapes(runnable, root)] : [undefined];
            for (const shapes of shapeModes) {
              for (const problem of await check(runnable, root, codePoint, shapes)) {
                const mode = shapes === undefined ? "no shapes" : "case shapes";
                problems.push(`${root} codePoint=${codePoint} ${mode}: ${problem}`);
              }
            }
          }
        }
        expect(problems).toEqual([]);
      });
    }
  },
);
