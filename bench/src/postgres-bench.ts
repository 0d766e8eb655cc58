/**
 * The PostgreSQL provider against raw `pg` doing the same work on the same table layout and JSON
 * encoding (the provider's own tables: `value jsonb`, plus `value_text` with the exact JSON when
 * jsonb would reorder the document's keys, which it does for these documents). Contenders run
 * interleaved (`compare`), raw `pg` first as the baseline; both pools have 10 connections and
 * JIT off:
 * - store: one document per call, awaited (raw: one INSERT ... ON CONFLICT DO UPDATE);
 * - retrieve: one document by key (raw: SELECT by key with the expiry check, JSON.parse, `_id`);
 * - batch: 1,000 documents in one atomic call (raw: one INSERT ... SELECT FROM unnest);
 * - indexed query: the 100 documents of one category out of 100,000, through a declared index on
 *   `value.category` (raw: the same index expression, the expiry check, JSON.parse, `_id`).
 * Both sides return the same documents: the stored fields plus `_id`, the key.
 * Needs PostgreSQL at POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test); the
 * benchmark's schema is dropped afterwards.
 */

import { randomBytes } from "node:crypto";
import { createVault, type StoredRecord } from "@agentvault/core";
import { postgresProvider, schemaNameFor, tableNameFor } from "@agentvault/provider-postgres";
import pg from "pg";
import { type FlatBenchDocument, flatBenchDocument } from "./bench-documents.js";
import { type ComparisonResult, compare } from "./harness.js";
import { writeReport } from "./report.js";

const url = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const rounds = 9;
const warmupRounds = 2;
const goal = 0.7;
const categories = 1000;
const indexedRecords = 100_000;
const batchSize = 1000;

type BenchDocument = FlatBenchDocument;

function benchDocument(index: number): BenchDocument {
  return flatBenchDocument(index, categories);
}

/** What the raw contenders return for a row: the stored document with `_id`, as the Vault does. */
function document(key: string, text: string): BenchDocument & { _id: string } {
  return { _id: key, ...(JSON.parse(text) as BenchDocument) };
}

async function reachable(pool: pg.Pool): Promise<boolean> {
  try {
    await pool.query("SELECT 1");
    return true;
  } catch {
    return false;
  }
}

/** Runs the PostgreSQL suite and writes `bench/results/postgres.{json,md}`. */
export async function runPostgresBench(): Promise<void> {
  const raw = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 5000,
    options: "-c jit=off",
  });
  raw.on("error", () => {});
  if (!(await reachable(raw))) {
    console.log(`postgres bench skipped: nothing answers at POSTGRES_URL (${url})`);
    await raw.end();
    return;
  }
  const schemaPrefix = `avbench${randomBytes(3).toString("hex")}`;
  const database = "bench";
  const provider = postgresProvider({ connectionString: url, schemaPrefix, database });
  const vault = createVault({ provider });
  const table = (collection: string) =>
    `${pg.escapeIdentifier(schemaNameFor(schemaPrefix, database))}.${pg.escapeIdentifier(tableNameFor(collection))}`;
  const live = "(expires_at IS NULL OR expires_at > $2::float8)";
  let sequence = 0;
  const comparisons: ComparisonResult[] = [];

  try {
    // The raw contenders write into tables the provider created, so the layout is identical.
    for (const collection of ["raw_store", "raw_batch"]) {
      await provider.put(collection, { key: "setup", value: 0 });
    }

    comparisons.push(
      await compare({
        name: "store one document",
        unit: "store",
        opsPerRound: 1000,
        rounds,
        warmupRounds,
        contenders: [
          {
            name: "pg (INSERT ... ON CONFLICT)",
            run: async (ops) => {
              const target = table("raw_store");
              for (let op = 0; op < ops; op++) {
                const text = JSON.stringify(benchDocument(op));
                const now = Date.now();
                await raw.query(
                  `INSERT INTO ${target} AS t (key, value, value_text, created_at, updated_at) VALUES ($1::text, $2::text::jsonb, $2::text, $3::float8, $3::float8) ON CONFLICT (key) DO UPDATE SET value = excluded.value, value_text = excluded.value_text, updated_at = excluded.updated_at`,
                  [`r${sequence++}`, text, now],
                );
              }
            },
          },
          {
            name: "vault.store",
            run: async (ops) => {
              for (let op = 0; op < ops; op++) {
                await vault.store("vault_store", benchDocument(op), { key: `v${sequence++}` });
              }
            },
          },
        ],
      }),
    );

    const readKeys = Array.from({ length: 1000 }, (_, index) => `read${index}`);
    await provider.putMany(
      "reads",
      readKeys.map((key, index) => ({ key, value: benchDocument(index) })),
    );
    comparisons.push(
      await compare({
        name: "retrieve one document",
        unit: "retrieve",
        opsPerRound: 2000,
        rounds,
        warmupRounds,
        contenders: [
          {
            name: "pg (SELECT by key + JSON.parse)",
            run: async (ops) => {
              const target = table("reads");
              for (let op = 0; op < ops; op++) {
                const key = readKeys[op % readKeys.length]!;
                const result = await raw.query<{ value: string }>(
                  `SELECT coalesce(value_text, value::text) AS value FROM ${target} WHERE key = $1::text AND ${live}`,
                  [key, Date.now()],
                );
                if (result.rows[0] === undefined) throw new Error("missing record");
                document(key, result.rows[0].value);
              }
            },
          },
          {
            name: "vault.retrieve",
            run: async (ops) => {
              for (let op = 0; op < ops; op++) {
                if ((await vault.retrieve("reads", readKeys[op % readKeys.length]!)) === null) {
                  throw new Error("missing record");
                }
              }
            },
          },
        ],
      }),
    );

    comparisons.push(
      await compare({
        name: `batch of ${batchSize.toLocaleString("en-US")} documents`,
        unit: "batch",
        opsPerRound: 5,
        rounds,
        warmupRounds,
        contenders: [
          {
            name: "pg (INSERT ... SELECT FROM unnest)",
            run: async (ops) => {
              const target = table("raw_batch");
              for (let op = 0; op < ops; op++) {
                const keys: string[] = [];
                const texts: string[] = [];
                for (let index = 0; index < batchSize; index++) {
                  keys.push(`b${index}`);
                  texts.push(JSON.stringify(benchDocument(index + op)));
                }
                const now = Date.now();
                await raw.query(
                  `INSERT INTO ${target} AS t (key, value, value_text, created_at, updated_at) SELECT r.k, r.v::jsonb, r.v, $3::float8, $3::float8 FROM unnest($1::text[], $2::text[]) AS r(k, v) ON CONFLICT (key) DO UPDATE SET value = excluded.value, value_text = excluded.value_text, updated_at = excluded.updated_at`,
                  [keys, texts, now],
                );
              }
            },
          },
          {
            name: "provider.putMany",
            run: async (ops) => {
              for (let op = 0; op < ops; op++) {
                const records: StoredRecord[] = [];
                for (let index = 0; index < batchSize; index++) {
                  records.push({ key: `b${index}`, value: benchDocument(index + op) });
                }
                await provider.putMany("provider_batch", records);
              }
            },
          },
        ],
      }),
    );

    await provider.ensureIndexes("indexed", [{ fields: ["value.category"], name: "category" }]);
    for (let start = 0; start < indexedRecords; start += 5000) {
      await provider.putMany(
        "indexed",
        Array.from({ length: 5000 }, (_, offset) => ({
          key: `i${start + offset}`,
          value: benchDocument(start + offset),
        })),
      );
    }
    await raw.query(`ANALYZE ${table("indexed")}`);
    const expected = indexedRecords / categories;
    const check = (found: number) => {
      if (found !== expected) throw new Error(`expected ${expected} records, got ${found}`);
    };
    comparisons.push(
      await compare({
        name: `indexed query (${expected} of ${indexedRecords.toLocaleString("en-US")} documents)`,
        unit: "query",
        opsPerRound: 100,
        rounds,
        warmupRounds,
        contenders: [
          {
            name: "pg (indexed SELECT + JSON.parse)",
            run: async (ops) => {
              const target = table("indexed");
              for (let op = 0; op < ops; op++) {
                const result = await raw.query<{ key: string; value: string }>(
                  `SELECT key, coalesce(value_text, value::text) AS value FROM ${target} WHERE (value -> 'category'::text) = $1::jsonb AND ${live} ORDER BY seq`,
                  [JSON.stringify(`c${op % categories}`), Date.now()],
                );
                check(result.rows.map((row) => document(row.key, row.value)).length);
              }
            },
          },
          {
            name: "vault.query",
            run: async (ops) => {
              for (let op = 0; op < ops; op++) {
                check((await vault.query("indexed", { category: `c${op % categories}` })).length);
              }
            },
          },
        ],
      }),
    );
  } finally {
    await provider.dropDatabase().catch(() => {});
    await vault.close();
    await raw.end();
  }

  const goals = comparisons.flatMap((comparison) =>
    comparison.contenders.slice(1).map((contender) => {
      const ratio = contender.medianRatioToBaseline;
      return `${comparison.name}, ${contender.name} >= ${goal}x raw pg: ${ratio >= goal ? "reached" : "missed"} (${ratio.toFixed(2)}x)`;
    }),
  );
  writeReport({
    suite: "postgres",
    comparisons,
    goals,
    notes: [
      "Both sides use pg 8 against the same local PostgreSQL 15 with 10-connection pools and JIT off, on the provider's own tables.",
      "The documents' field order is not jsonb's, so both sides also write the exact JSON text (value_text) and read it back.",
      "The provider's indexed query is the compiled filter: since value.category never held an array in this collection (array shapes kept in the registry), it is the same single indexed comparison as the raw query, plus a one-row registry check in the same statement that the shapes are current. Storing documents with arrays (tags) registers their paths in the writing statement itself (a CTE), which the single-store ratio pays for.",
      "Both sides return the same documents (the stored fields plus _id). The Vault asks the provider for keys and values only (FindQuery.keysAndValuesOnly), so an indexed query answered wholly in SQL reads the same two columns as raw pg (plus the one-row shapes check), in pg's array row mode; raw pg uses the default object rows, as typical pg code does.",
      "The provider prepares its fixed statements (key lookups and writes) once per connection; the raw contender sends unnamed statements, as typical pg code does.",
      "Store and retrieve are latency-bound (one awaited round trip per operation), so those ratios mostly compare per-call CPU overhead (validation, encoding, record view).",
      "The machine is shared (2 cores, other suites running): on the same code the indexed-query ratio ranged from about 0.6x to 0.76x across runs, so one run's figure is not a guarantee.",
    ],
  });
}
