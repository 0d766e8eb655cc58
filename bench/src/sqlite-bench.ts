/**
 * The SQLite provider against raw better-sqlite3 doing the same work: the same pragmas (WAL,
 * synchronous=NORMAL, busy_timeout), the same table layout (key, JSONB value, metadata, expiry,
 * vector, timestamps; an expression index on the queried path), the same statements, and the
 * same JSON text encode and decode (`JSON.stringify` in, `json(value)` + `JSON.parse` out).
 * Contenders run interleaved (`compare`), raw first as the baseline:
 * - store: one record per call (provider and Vault awaited, raw synchronous);
 * - retrieve: one record by key;
 * - batch: 10,000 records (`putMany` against one raw transaction);
 * - indexed queries on 100,000 records: an equality returning ~100 records and a range
 *   returning 20;
 * Then how cost grows at 10k, 100k and 1M records: the median latency of key lookups, an
 * indexed range query and an unindexed one (both returning 10 records), through the Vault.
 *
 * `AGENTVAULT_BENCH_QUICK=1` shrinks every size tenfold, for a fast check of the suite itself.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createVault, type Filter, toRecordFilter } from "@agentvault/core";
import { sqliteProvider } from "@agentvault/provider-sqlite";
import { parseFilter } from "@agentvault/query";
import Database from "better-sqlite3";
import { type NestedBenchDocument, nestedBenchDocument } from "./bench-documents.js";
import { type ComparisonResult, compare, median } from "./harness.js";
import { writeReport } from "./report.js";

const quick = process.env.AGENTVAULT_BENCH_QUICK === "1";
const scale = quick ? 10 : 1;
const rounds = 9;
const warmupRounds = 2;
const batchesPerRound = 3;
const queryRecords = 100_000 / scale;
const batchSize = 10_000 / scale;
const growthSizes = [10_000, 100_000, 1_000_000].map((size) => size / scale);

type BenchDocument = NestedBenchDocument;

function benchDocument(index: number): BenchDocument {
  return nestedBenchDocument(index, 1000);
}

const tableSql = (table: string) => `
CREATE TABLE ${table} (
  key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL, metadata BLOB, expires_at INTEGER,
  vector BLOB, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
);
CREATE INDEX ${table}_expires ON ${table} (expires_at) WHERE expires_at IS NOT NULL;`;

/** A raw better-sqlite3 database laid out and tuned as the provider's. */
function openRaw(file: string) {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  const tables = new Set<string>();
  const table = (name: string) => {
    if (!tables.has(name)) {
      db.exec(tableSql(name));
      tables.add(name);
    }
    const upsert =
      db.prepare(`INSERT INTO ${name} (key, value, metadata, expires_at, vector, created_at, updated_at)
VALUES (?, jsonb(?), NULL, NULL, NULL, ?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, metadata = excluded.metadata,
  expires_at = excluded.expires_at, vector = excluded.vector, updated_at = excluded.updated_at`);
    const get = db.prepare(
      `SELECT key, json(value) AS value, json(metadata) AS metadata, expires_at, vector, created_at, updated_at FROM ${name} WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)`,
    );
    return { upsert, get };
  };
  return { db, table };
}

let sink = 0;

/** Runs the SQLite suite and writes `bench/results/sqlite.{json,md}`. */
export async function runSqliteBench(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), "agentvault-sqlite-bench-"));
  const provider = sqliteProvider({ directory });
  const vault = createVault({ provider });
  const raw = openRaw(join(directory, "raw.db"));
  const comparisons: ComparisonResult[] = [];
  const notes: string[] = [];
  let sequence = 0;
  try {
    // Store one record per operation.
    const rawStore = raw.table("raw_store");
    comparisons.push(
      await compare({
        name: "store one record",
        unit: "store",
        opsPerRound: 3000,
        rounds,
        warmupRounds,
        contenders: [
          {
            name: "raw better-sqlite3",
            run: (ops) => {
              for (let op = 0; op < ops; op++) {
                const now = Date.now();
                rawStore.upsert.run(`r${sequence++}`, JSON.stringify(benchDocument(op)), now, now);
              }
            },
          },
          {
            name: "provider.put",
            run: async (ops) => {
              for (let op = 0; op < ops; op++) {
                await provider.put("provider_store", {
                  key: `p${sequence++}`,
                  value: benchDocument(op),
                });
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

    // Retrieve one record by key, from 10,000.
    const lookupRecords = 10_000;
    const rawLookup = raw.table("raw_lookup");
    raw.db.transaction(() => {
      const now = Date.now();
      for (let index = 0; index < lookupRecords; index++) {
        rawLookup.upsert.run(`k${index}`, JSON.stringify(benchDocument(index)), now, now);
      }
    })();
    await provider.putMany(
      "lookup",
      Array.from({ length: lookupRecords }, (_, index) => ({
        key: `k${index}`,
        value: benchDocument(index),
      })),
    );
    const lookupKey = (op: number) => `k${(op * 7919) % lookupRecords}`;
    comparisons.push(
      await compare({
        name: "retrieve one record by key (10,000 records)",
        unit: "retrieve",
        opsPerRound: 20_000,
        rounds,
        warmupRounds,
        contenders: [
          {
            name: "raw better-sqlite3",
            run: (ops) => {
              for (let op = 0; op < ops; op++) {
                const row = rawLookup.get.get(lookupKey(op), Date.now()) as { value: string };
                sink += (JSON.parse(row.value) as BenchDocument).seq;
              }
            },
          },
          {
            name: "provider.get",
            run: async (ops) => {
              for (let op = 0; op < ops; op++) {
                const record = await provider.get("lookup", lookupKey(op));
                sink += (record!.value as BenchDocument).seq;
              }
            },
          },
          {
            name: "vault.retrieve",
            run: async (ops) => {
              for (let op = 0; op < ops; op++) {
                const doc = await vault.retrieve("lookup", lookupKey(op));
                sink += (doc as unknown as BenchDocument).seq;
              }
            },
          },
        ],
      }),
    );

    // A 10,000-record batch.
    const rawBatch = raw.table("raw_batch");
    const batch = (offset: number) =>
      Array.from({ length: batchSize }, (_, index) => ({
        key: `b${offset + index}`,
        value: benchDocument(index),
      }));
    comparisons.push(
      await compare({
        name: `batch of ${batchSize.toLocaleString("en-US")} records`,
        unit: "record",
        // Each batch grows the WAL by about a third of SQLite's auto-checkpoint size, so every
        // third commit also checkpoints. A round of three batches holds one checkpoint for each
        // side; rounds of one batch put the two sides' checkpoints in different rounds, and the
        // per-round ratios then swing with the phase instead of the work.
        opsPerRound: batchSize * batchesPerRound,
        rounds,
        warmupRounds,
        contenders: [
          {
            name: "raw better-sqlite3 (one transaction)",
            // Both sides get the batch as the same array of 10,000 records, built in the round.
            run: () => {
              for (let repeat = 0; repeat < batchesPerRound; repeat++) {
                const records = batch(sequence);
                sequence += records.length;
                raw.db.transaction(() => {
                  const now = Date.now();
                  for (const record of records) {
                    rawBatch.upsert.run(record.key, JSON.stringify(record.value), now, now);
                  }
                })();
              }
            },
          },
          {
            name: "provider.putMany",
            run: async () => {
              for (let repeat = 0; repeat < batchesPerRound; repeat++) {
                const records = batch(sequence);
                sequence += records.length;
                await provider.putMany("batch", records);
              }
            },
          },
        ],
      }),
    );

    // Indexed queries on 100,000 records.
    const rawQuery = raw.table("raw_query");
    raw.db.exec(`CREATE INDEX raw_query_category ON raw_query (json_extract("value", '$.category'));
CREATE INDEX raw_query_price ON raw_query (json_extract("value", '$.price'));`);
    raw.db.transaction(() => {
      const now = Date.now();
      for (let index = 0; index < queryRecords; index++) {
        rawQuery.upsert.run(`q${index}`, JSON.stringify(benchDocument(index)), now, now);
      }
    })();
    for (let offset = 0; offset < queryRecords; offset += 10_000) {
      await provider.putMany(
        "query",
        Array.from({ length: Math.min(10_000, queryRecords - offset) }, (_, index) => ({
          key: `q${offset + index}`,
          value: benchDocument(offset + index),
        })),
      );
    }
    await provider.ensureIndexes("query", [
      { fields: ["value.category"], name: "category" },
      { fields: ["value.price"], name: "price" },
    ]);
    const selectList =
      "key, json(value) AS value, json(metadata) AS metadata, expires_at, vector, created_at, updated_at";
    const rawEquality = raw.db.prepare(
      `SELECT ${selectList} FROM raw_query WHERE (expires_at IS NULL OR expires_at > ?) AND json_extract("value", '$.category') = ? AND +json_type("value", '$.category') = 'text'`,
    );
    const rawRange = raw.db.prepare(
      `SELECT ${selectList} FROM raw_query WHERE (expires_at IS NULL OR expires_at > ?) AND json_extract("value", '$.price') >= ? AND +json_type("value", '$.price') IN ('integer', 'real') AND json_extract("value", '$.price') < ?`,
    );
    const category = (op: number) => `c${(op * 31) % 1000}`;
    const low = (op: number) => (op * 37) % 990;
    const priceFilter = (op: number) => ({ price: { $gte: low(op), $lt: low(op) + 0.2 } });
    const check = async (name: string, rawCount: number, vaultCount: number) => {
      if (rawCount !== vaultCount)
        notes.push(`${name}: raw returned ${rawCount}, the vault ${vaultCount}.`);
    };
    await check(
      "equality",
      rawEquality.all(Date.now(), category(1)).length,
      (await vault.query("query", { category: category(1) })).length,
    );
    await check(
      "range",
      rawRange.all(Date.now(), low(1), low(1) + 0.2).length,
      (await vault.query("query", priceFilter(1))).length,
    );
    const decodeAll = (rows: unknown[]) => {
      for (const row of rows as { value: string }[])
        sink += (JSON.parse(row.value) as BenchDocument).seq;
    };
    const queryContenders = (rawRun: (op: number) => unknown[], filter: (op: number) => Filter) => [
      {
        name: "raw better-sqlite3",
        run: (ops: number) => {
          for (let op = 0; op < ops; op++) decodeAll(rawRun(op));
        },
      },
      {
        name: "provider.find",
        run: async (ops: number) => {
          for (let op = 0; op < ops; op++) {
            const found = await provider.find("query", {
              filter: toRecordFilter(parseFilter(filter(op))),
            });
            sink += found.length;
          }
        },
      },
      {
        name: "vault.query",
        run: async (ops: number) => {
          for (let op = 0; op < ops; op++) sink += (await vault.query("query", filter(op))).length;
        },
      },
    ];
    comparisons.push(
      await compare({
        name: `indexed equality query (${queryRecords.toLocaleString("en-US")} records, ~${queryRecords / 1000} matches)`,
        unit: "query",
        opsPerRound: 300,
        rounds,
        warmupRounds,
        contenders: queryContenders(
          (op) => rawEquality.all(Date.now(), category(op)),
          (op) => ({ category: category(op) }),
        ),
      }),
    );
    comparisons.push(
      await compare({
        name: `indexed range query (${queryRecords.toLocaleString("en-US")} records, ~20 matches)`,
        unit: "query",
        opsPerRound: 1000,
        rounds,
        warmupRounds,
        contenders: queryContenders(
          (op) => rawRange.all(Date.now(), low(op), low(op) + 0.2),
          priceFilter,
        ),
      }),
    );

    const growth = await measureGrowth(directory);

    const ratio = (comparison: ComparisonResult, contender: number) =>
      comparison.contenders[contender]!.medianRatioToBaseline;
    const goalLine = (label: string, value: number, goal: number) =>
      `${label} >= ${goal}x raw: ${value >= goal ? "reached" : "NOT reached"} (${value.toFixed(2)}x)`;
    const [store, retrieve, batchResult, equality, range] = comparisons as [
      ComparisonResult,
      ComparisonResult,
      ComparisonResult,
      ComparisonResult,
      ComparisonResult,
    ];
    writeReport({
      suite: "sqlite",
      comparisons,
      goals: [
        goalLine("provider.put", ratio(store, 1), 0.7),
        goalLine("vault.store", ratio(store, 2), 0.7),
        goalLine("provider.get", ratio(retrieve, 1), 0.7),
        goalLine("vault.retrieve", ratio(retrieve, 2), 0.7),
        goalLine("provider.putMany", ratio(batchResult, 1), 0.8),
        goalLine("provider.find (indexed equality)", ratio(equality, 1), 0.7),
        goalLine("vault.query (indexed equality)", ratio(equality, 2), 0.7),
        goalLine("provider.find (indexed range)", ratio(range, 1), 0.7),
        goalLine("vault.query (indexed range)", ratio(range, 2), 0.7),
      ],
      notes: [
        "Raw better-sqlite3 uses the provider's pragmas, table layout, statements and JSON text encoding; its writes autocommit, as the provider's single puts do.",
        `Check: ${notes.length === 0 ? "raw and the vault returned the same number of records for both queries." : notes.join(" ")}`,
        `Checksum ${sink}.`,
        quick ? "QUICK MODE: sizes divided by 10." : "Full sizes.",
      ],
      extraMarkdown: growth,
    });
  } finally {
    await vault.close();
    raw.db.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Median latency of `fn` over `samples` calls, in microseconds. */
async function latency(samples: number, fn: (sample: number) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let sample = 0; sample < samples; sample++) {
    const started = performance.now();
    await fn(sample);
    times.push((performance.now() - started) * 1000);
  }
  return median(times);
}

/** Grows one collection to each size and measures lookups and queries through the Vault. */
async function measureGrowth(directory: string): Promise<string> {
  const provider = sqliteProvider({ directory, database: "growth" });
  const vault = createVault({ provider });
  await provider.ensureIndexes("records", [{ fields: ["value.seq"], name: "seq" }]);
  const rows = [
    "## How cost grows (median latency through the Vault, microseconds)",
    "",
    "| records | key lookup | indexed range query (10 results) | unindexed range query (10 results) | load time (s) |",
    "|---:|---:|---:|---:|---:|",
  ];
  let stored = 0;
  for (const size of growthSizes) {
    const started = performance.now();
    while (stored < size) {
      const count = Math.min(10_000, size - stored);
      await provider.putMany(
        "records",
        Array.from({ length: count }, (_, index) => ({
          key: `g${stored + index}`,
          value: benchDocument(stored + index),
        })),
      );
      stored += count;
    }
    const loadSeconds = (performance.now() - started) / 1000;
    const start = (sample: number) => (sample * 7919) % (size - 10);
    const lookup = await latency(2000, (sample) => vault.retrieve("records", `g${start(sample)}`));
    const indexed = await latency(500, (sample) =>
      vault.query("records", { seq: { $gte: start(sample), $lt: start(sample) + 10 } }),
    );
    const unindexed = await latency(size >= 1_000_000 ? 5 : 15, (sample) =>
      vault.query("records", { copy: { $gte: start(sample), $lt: start(sample) + 10 } }),
    );
    rows.push(
      `| ${size.toLocaleString("en-US")} | ${lookup.toFixed(1)} | ${indexed.toFixed(1)} | ${unindexed.toFixed(0)} | ${loadSeconds.toFixed(1)} |`,
    );
    console.error(`sqlite bench: growth at ${size} done`);
  }
  await vault.close();
  return rows.join("\n");
}
