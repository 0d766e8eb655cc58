/**
 * The Redis provider against raw ioredis doing the same work with the same encoding and key
 * layout: the record envelope as one JSON string under `<prefix>:{<db>:<collection>}:r:<key>`,
 * the collection's key set, and the provider's index sets. Contenders run interleaved
 * (`compare`), the raw client first as the baseline:
 * - store: one record per call, awaited (raw: SET + ZADD + SADD in one pipeline);
 * - concurrent store: the same with 32 callers at once, where auto-pipelining batches calls;
 * - retrieve: one record by key (raw: GET + JSON.parse);
 * - batch: 1,000 records in one atomic call (raw: MULTI/EXEC of the same SET + ZADD);
 * - indexed query: the records of one category out of 10,000 (raw: SMEMBERS of the category's
 *   index set + MGET in chunks of 500 + JSON.parse).
 * Needs Redis at REDIS_URL (default redis://127.0.0.1:6379); every key is removed afterwards.
 */

import { randomBytes } from "node:crypto";
import { createVault, type StoredRecord, toRecordFilter } from "@agentvault/core";
import { redisProvider } from "@agentvault/provider-redis";
import { parseFilter } from "@agentvault/query";
import { Redis } from "ioredis";
import { type FlatBenchDocument, flatBenchDocument } from "./bench-documents.js";
import { type ComparisonResult, compare } from "./harness.js";
import { writeReport } from "./report.js";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
/** More rounds than other suites: single calls on a shared machine are noisy. */
const rounds = 15;
const warmupRounds = 2;
const goal = 0.8;
const categories = 20;
const indexedRecords = 10_000;
const batchSize = 1000;

type BenchDocument = FlatBenchDocument;

function benchDocument(index: number): BenchDocument {
  return flatBenchDocument(index, categories);
}

/** The provider's stored text for a plain-JSON record, built by hand as a raw client would. */
function envelope(key: string, document: BenchDocument, now: number): string {
  return `{"ca":${now},"ua":${now},"k":${JSON.stringify(key)},"v":${JSON.stringify(document)}}`;
}

async function deleteKeysUnder(client: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await client.unlink(...keys);
  } while (cursor !== "0");
}

async function reachable(client: Redis): Promise<boolean> {
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  }
}

/** Runs the Redis suite and writes `bench/results/redis.{json,md}`. */
export async function runRedisBench(): Promise<void> {
  const raw = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  if (!(await reachable(raw))) {
    console.log(`redis bench skipped: nothing answers at REDIS_URL (${url})`);
    raw.disconnect();
    return;
  }
  const prefix = `avbench-${randomBytes(4).toString("hex")}`;
  const database = "bench";
  const provider = redisProvider({ url, keyPrefix: prefix, database });
  // Auto-pipelining (the default) batches concurrent calls but defers each call to the next
  // event-loop turn; one awaited call at a time shows its cost, so both settings are measured.
  const unpipelined = redisProvider({
    url,
    keyPrefix: prefix,
    database,
    enableAutoPipelining: false,
  });
  const vault = createVault({ provider });
  const base = (collection: string) => `${prefix}:{${database}:${collection}}:`;
  const collectionsKey = `${prefix}:{${database}}:collections`;
  let sequence = 0;
  const comparisons: ComparisonResult[] = [];

  try {
    // Store: one awaited write per operation.
    comparisons.push(
      await compare({
        name: "store one record",
        unit: "store",
        opsPerRound: 2000,
        rounds,
        warmupRounds,
        contenders: [
          {
            name: "ioredis (SET+ZADD+SADD pipeline)",
            run: async (ops) => {
              const keys = base("raw_store");
              for (let op = 0; op < ops; op++) {
                const key = `r${sequence++}`;
                const text = envelope(key, benchDocument(op), Date.now());
                await raw
                  .pipeline()
                  .set(`${keys}r:${key}`, text)
                  .zadd(`${keys}keys`, "+inf", key)
                  .sadd(collectionsKey, "raw_store")
                  .exec();
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
            name: "provider.put (no auto-pipelining)",
            run: async (ops) => {
              for (let op = 0; op < ops; op++) {
                await unpipelined.put("provider_store", {
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

    // Concurrent store: 32 callers, each awaiting its own writes.
    const callers = 32;
    const concurrently = async (ops: number, store: (index: number) => Promise<unknown>) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: callers }, async () => {
          while (next < ops) await store(next++);
        }),
      );
    };
    comparisons.push(
      await compare({
        name: `store one record, ${callers} concurrent callers`,
        unit: "store",
        opsPerRound: 4000,
        rounds,
        warmupRounds,
        contenders: [
          {
            name: "ioredis (SET+ZADD+SADD pipeline)",
            run: (ops) =>
              concurrently(ops, (index) => {
                const keys = base("raw_concurrent");
                const key = `c${sequence++}`;
                return raw
                  .pipeline()
                  .set(`${keys}r:${key}`, envelope(key, benchDocument(index), Date.now()))
                  .zadd(`${keys}keys`, "+inf", key)
                  .sadd(collectionsKey, "raw_concurrent")
                  .exec();
              }),
          },
          {
            name: "provider.put",
            run: (ops) =>
              concurrently(ops, (index) =>
                provider.put("provider_concurrent", {
                  key: `c${sequence++}`,
                  value: benchDocument(index),
                }),
              ),
          },
          {
            name: "provider.put (no auto-pipelining)",
            run: (ops) =>
              concurrently(ops, (index) =>
                unpipelined.put("provider_concurrent", {
                  key: `c${sequence++}`,
                  value: benchDocument(index),
                }),
              ),
          },
        ],
      }),
    );

    // Retrieve: records written once, read by key.
    const readKeys = Array.from({ length: 1000 }, (_, index) => `read${index}`);
    await provider.putMany(
      "reads",
      readKeys.map((key, index) => ({ key, value: benchDocument(index) })),
    );
    comparisons.push(
      await compare({
        name: "retrieve one record",
        unit: "retrieve",
        opsPerRound: 3000,
        rounds,
        warmupRounds,
        contenders: [
          {
            name: "ioredis (GET+JSON.parse)",
            run: async (ops) => {
              const keys = base("reads");
              for (let op = 0; op < ops; op++) {
                const text = await raw.get(`${keys}r:${readKeys[op % readKeys.length]}`);
                if (text === null || (JSON.parse(text) as { v?: unknown }).v === undefined) {
                  throw new Error("missing record");
                }
              }
            },
          },
          {
            name: "provider.get",
            run: async (ops) => {
              for (let op = 0; op < ops; op++) {
                if ((await provider.get("reads", readKeys[op % readKeys.length]!)) === null) {
                  throw new Error("missing record");
                }
              }
            },
          },
          {
            name: "provider.get (no auto-pipelining)",
            run: async (ops) => {
              for (let op = 0; op < ops; op++) {
                if ((await unpipelined.get("reads", readKeys[op % readKeys.length]!)) === null) {
                  throw new Error("missing record");
                }
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

    // Batch: 1,000 records in one atomic call; one operation is one batch.
    const kv = await vault.kv("vault_batch");
    comparisons.push(
      await compare({
        name: "batch of 1,000 records",
        unit: "batch",
        opsPerRound: 5,
        rounds,
        warmupRounds,
        contenders: [
          {
            name: "ioredis (MULTI of SET+ZADD)",
            run: async (ops) => {
              const keys = base("raw_batch");
              for (let op = 0; op < ops; op++) {
                const now = Date.now();
                const multi = raw.multi();
                for (let index = 0; index < batchSize; index++) {
                  const key = `b${index}`;
                  multi.set(`${keys}r:${key}`, envelope(key, benchDocument(index), now));
                  multi.zadd(`${keys}keys`, "+inf", key);
                }
                multi.sadd(collectionsKey, "raw_batch");
                await multi.exec();
              }
            },
          },
          {
            name: "provider.putMany",
            run: async (ops) => {
              for (let op = 0; op < ops; op++) {
                const records: StoredRecord[] = [];
                for (let index = 0; index < batchSize; index++) {
                  records.push({ key: `b${index}`, value: benchDocument(index) });
                }
                await provider.putMany("provider_batch", records);
              }
            },
          },
          {
            name: "vault kv.setMany",
            run: async (ops) => {
              for (let op = 0; op < ops; op++) {
                const entries: [string, BenchDocument][] = [];
                for (let index = 0; index < batchSize; index++) {
                  entries.push([`b${index}`, benchDocument(index)]);
                }
                await kv.setMany(entries);
              }
            },
          },
        ],
      }),
    );

    // Indexed query: one category (500 records) out of 10,000, narrowed by the index set.
    await provider.ensureIndexes("indexed", [{ fields: ["value.category"] }]);
    for (let start = 0; start < indexedRecords; start += batchSize) {
      await provider.putMany(
        "indexed",
        Array.from({ length: batchSize }, (_, offset) => ({
          key: `i${start + offset}`,
          value: benchDocument(start + offset),
        })),
      );
    }
    const recordFilter = (category: string) => toRecordFilter(parseFilter({ category }));
    const expected = indexedRecords / categories;
    const check = (found: number) => {
      if (found !== expected) throw new Error(`expected ${expected} records, got ${found}`);
    };
    comparisons.push(
      await compare({
        name: `indexed query (${expected} of ${indexedRecords.toLocaleString("en-US")} records)`,
        unit: "query",
        opsPerRound: 40,
        rounds,
        warmupRounds,
        contenders: [
          {
            name: "ioredis (SMEMBERS+MGET+JSON.parse)",
            run: async (ops) => {
              const keys = base("indexed");
              for (let op = 0; op < ops; op++) {
                const category = `c${op % categories}`;
                const members = await raw.smembers(`${keys}ix:0:e:${JSON.stringify(category)}`);
                const chunks: Promise<(string | null)[]>[] = [];
                for (let start = 0; start < members.length; start += 500) {
                  chunks.push(
                    raw.mget(members.slice(start, start + 500).map((key) => `${keys}r:${key}`)),
                  );
                }
                const documents: unknown[] = [];
                for (const texts of await Promise.all(chunks)) {
                  for (const text of texts) if (text !== null) documents.push(JSON.parse(text).v);
                }
                check(documents.length);
              }
            },
          },
          {
            name: "provider.find",
            run: async (ops) => {
              for (let op = 0; op < ops; op++) {
                const filter = recordFilter(`c${op % categories}`);
                check((await provider.find("indexed", { filter })).length);
              }
            },
          },
          {
            name: "provider.find (no auto-pipelining)",
            run: async (ops) => {
              for (let op = 0; op < ops; op++) {
                const filter = recordFilter(`c${op % categories}`);
                check((await unpipelined.find("indexed", { filter })).length);
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
    await unpipelined.close();
    await deleteKeysUnder(raw, prefix);
    raw.disconnect();
  }

  const goals = comparisons.flatMap((comparison) =>
    comparison.contenders.slice(1).map((contender) => {
      const ratio = contender.medianRatioToBaseline;
      return `${comparison.name}, ${contender.name} >= ${goal}x raw ioredis: ${ratio >= goal ? "reached" : "missed"} (${ratio.toFixed(2)}x)`;
    }),
  );
  writeReport({
    suite: "redis",
    comparisons,
    goals,
    notes: [
      "The provider writes through one Lua script per call (record, key set, index sets and change-feed PUBLISH atomically); the raw store is a plain pipeline without atomicity or change feed.",
      "Both sides use ioredis 5 against the same local Redis; the raw client has the ioredis defaults. The provider's auto-pipelining (its default) is adaptive: a call made while none other is in flight is sent at once, concurrent calls are batched.",
      "The machine is shared (2 cores, other suites running): single-call ratios move by about 0.1 between runs.",
      "Retrieve and store are latency-bound (one awaited round trip per operation), so ratios mostly compare per-call CPU overhead.",
    ],
  });
}
