/**
 * The server over HTTP against a bare express route doing the same provider call, in one run,
 * interleaved. Load comes from a worker thread (its own event loop and CPU) issuing keep-alive
 * `fetch` requests (undici) with a fixed number in flight; one operation is one call.
 *
 * - single calls: `vault.store` vs `POST /bare/store` (`provider.put`), and `vault.retrieve` vs
 *   `GET /bare/retrieve` (`provider.get`), with requests/s and p99 latency;
 * - batched: tRPC batches of `batchSize` calls, in calls per second.
 *
 * Both servers share one SQLite tenant database. The AgentVault side does everything it does in
 * production per call: key lookup, ownership check, validation and a hash-chained audit append.
 * Logging is at `warn` on both sides, so neither pays for per-request log lines.
 */

import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { generateKey, type StorageProvider } from "@agentvault/core";
import { sqliteProvider } from "@agentvault/provider-sqlite";
// The bench package does not depend on the server package yet; reach its sources directly.
import { createLogger, createServer } from "@agentvault/server";
import { type ComparisonResult, compare, percentile } from "./harness.js";
import { writeReport } from "./report.js";

/** The little of express the bare route uses (typed here: the bench does not depend on express). */
interface BareRequest {
  readonly body: unknown;
  readonly query: Record<string, unknown>;
}
interface BareResponse {
  json(value: unknown): void;
}
type BareHandler = (request: BareRequest, response: BareResponse) => Promise<void>;
interface Express {
  disable(setting: string): void;
  set(setting: string, value: unknown): void;
  use(handler: unknown): void;
  get(path: string, handler: BareHandler): void;
  post(path: string, handler: BareHandler): void;
  listen(port: number, host: string, callback: () => void): Server;
}
interface ExpressModule {
  (): Express;
  json(options: { limit: string }): unknown;
}

// The bench depends on the same express major as the server, so both routes run on one version.
const express = createRequire(import.meta.url)("express") as ExpressModule;

const rounds = 7;
const warmupRounds = 2;
const singleCallsPerRound = 2000;
const inFlight = 16;
const batchSize = 50;
const batchCallsPerRound = 20_000;
const batchesInFlight = 4;
const seeded = 1000;

interface PlannedRequest {
  readonly url: string;
  readonly method: "GET" | "POST";
  readonly headers: Record<string, string>;
  readonly body?: string;
}

interface LoadResult {
  readonly latencies: Float64Array;
  readonly failures: number;
}

// The worker is plain JavaScript so it needs no loader; requests are built on the main thread.
const workerSource = `
const { parentPort } = require("node:worker_threads");
parentPort.on("message", async ({ requests, concurrency }) => {
  const latencies = new Float64Array(requests.length);
  let next = 0;
  let failures = 0;
  async function lane() {
    while (next < requests.length) {
      const index = next++;
      const request = requests[index];
      const started = performance.now();
      const response = await fetch(request.url, request);
      await response.arrayBuffer();
      if (!response.ok) failures++;
      latencies[index] = performance.now() - started;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
  parentPort.postMessage({ latencies, failures });
});
`;

class LoadWorker {
  readonly #worker = new Worker(workerSource, { eval: true });

  run(requests: readonly PlannedRequest[], concurrency: number): Promise<LoadResult> {
    return new Promise((resolve, reject) => {
      const onMessage = (result: LoadResult) => {
        this.#worker.off("error", onError);
        resolve(result);
      };
      const onError = (error: Error) => {
        this.#worker.off("message", onMessage);
        reject(error);
      };
      this.#worker.once("message", onMessage);
      this.#worker.once("error", onError);
      this.#worker.postMessage({ requests, concurrency });
    });
  }

  close(): Promise<number> {
    return this.#worker.terminate();
  }
}

function bareApp(provider: StorageProvider): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(express.json({ limit: "4mb" }));
  app.post("/bare/store", async (request, response) => {
    const { collection, doc } = request.body as { collection: string; doc: Record<string, never> };
    const key = generateKey(collection);
    await provider.put(collection, { key, value: doc });
    response.json({ key });
  });
  app.get("/bare/retrieve", async (request, response) => {
    const record = await provider.get(String(request.query.collection), String(request.query.key));
    response.json(record === null ? null : { _id: record.key, ...(record.value as object) });
  });
  return app;
}

function listen(app: Express): Promise<{ url: string; close: () => Promise<void> }> {
  return new Promise((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => {
      const address = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${address.port}`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

async function trpc(url: string, path: string, input: unknown, apiKey: string): Promise<unknown> {
  const response = await fetch(`${url}/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as { result?: { data: unknown }; error?: unknown };
  if (body.error) throw new Error(`${path} failed: ${JSON.stringify(body.error)}`);
  return body.result?.data;
}

/** Runs the suite and writes `bench/results/server.{json,md}`. */
export async function runServerBench(): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), "agentvault-server-bench-"));
  // As `pnpm start` configures it: puts of concurrent requests share commits.
  const provider = sqliteProvider({ directory, groupCommit: "turn" });
  const server = createServer({
    provider,
    processMetrics: false,
    logger: createLogger({ level: "warn" }),
    limits: { rate: { points: 1_000_000_000, durationSeconds: 1 }, maxBatchSize: 100 },
  });
  const rootKey = (await server.broker.ensureRootKey()) as string;
  const { url } = await server.listen(0, "127.0.0.1");
  const tenant = (await trpc(url, "admin.createTenant", { tenant: "bench" }, rootKey)) as {
    apiKey: string;
  };
  const { apiKey } = (await trpc(
    url,
    "admin.createKey",
    { principal: "bench" },
    tenant.apiKey,
  )) as {
    apiKey: string;
  };
  const bare = await listen(bareApp(provider.withDatabase("agentvault_bench_vault")));
  const worker = new LoadWorker();
  const headers = { "content-type": "application/json", authorization: `Bearer ${apiKey}` };
  const collection = "bench.items";
  const doc = (n: number) => ({ n, name: `item ${n}`, tags: ["a", "b"], price: n % 97 });

  const keys: string[] = [];
  for (let n = 0; n < seeded; n++) {
    keys.push((await trpc(url, "vault.store", { collection, doc: doc(n) }, apiKey)) as string);
  }
  const latencies = new Map<string, number[]>();
  let failures = 0;
  const load =
    (
      name: string,
      build: (index: number) => PlannedRequest,
      concurrency = inFlight,
      perRequest = 1,
    ) =>
    async (ops: number) => {
      const requests = Array.from({ length: Math.ceil(ops / perRequest) }, (_, index) =>
        build(index),
      );
      const result = await worker.run(requests, concurrency);
      failures += result.failures;
      const list = latencies.get(name) ?? [];
      list.push(...result.latencies);
      latencies.set(name, list);
    };

  let counter = 0;
  const storeBody = () => JSON.stringify({ collection, doc: doc(counter++) });
  const keyAt = (index: number) => keys[index % keys.length] as string;
  const comparisons: ComparisonResult[] = [];
  comparisons.push(
    await compare({
      name: "store: one call per request",
      unit: "call",
      opsPerRound: singleCallsPerRound,
      rounds,
      warmupRounds,
      contenders: [
        {
          name: "bare express + provider.put",
          run: load("bare store", () => ({
            url: `${bare.url}/bare/store`,
            method: "POST",
            headers,
            body: storeBody(),
          })),
        },
        {
          name: "agentvault vault.store",
          run: load("agentvault store", () => ({
            url: `${url}/trpc/vault.store`,
            method: "POST",
            headers,
            body: storeBody(),
          })),
        },
      ],
    }),
  );
  comparisons.push(
    await compare({
      name: "retrieve: one call per request",
      unit: "call",
      opsPerRound: singleCallsPerRound,
      rounds,
      warmupRounds,
      contenders: [
        {
          name: "bare express + provider.get",
          run: load("bare retrieve", (index) => ({
            url: `${bare.url}/bare/retrieve?collection=${collection}&key=${encodeURIComponent(keyAt(index))}`,
            method: "GET",
            headers,
          })),
        },
        {
          name: "agentvault vault.retrieve",
          run: load("agentvault retrieve", (index) => ({
            url: `${url}/trpc/vault.retrieve?input=${encodeURIComponent(JSON.stringify({ collection, key: keyAt(index) }))}`,
            method: "GET",
            headers,
          })),
        },
      ],
    }),
  );
  const batchPath = (procedure: string) => Array(batchSize).fill(procedure).join(",");
  const batchOf = (input: (slot: number) => unknown) => {
    const body: Record<string, unknown> = {};
    for (let slot = 0; slot < batchSize; slot++) body[slot] = input(slot);
    return JSON.stringify(body);
  };
  comparisons.push(
    await compare({
      name: `batched: tRPC batches of ${batchSize} calls`,
      unit: "call",
      opsPerRound: batchCallsPerRound,
      rounds,
      warmupRounds,
      contenders: [
        {
          name: `vault.store x${batchSize}`,
          run: load(
            "batched store",
            () => ({
              url: `${url}/trpc/${batchPath("vault.store")}?batch=1`,
              method: "POST",
              headers,
              body: batchOf(() => ({ collection, doc: doc(counter++) })),
            }),
            batchesInFlight,
            batchSize,
          ),
        },
        {
          name: `vault.retrieve x${batchSize}`,
          run: load(
            "batched retrieve",
            (index) => ({
              url: `${url}/trpc/${batchPath("vault.retrieve")}?batch=1`,
              method: "POST",
              headers,
              body: batchOf((slot) => ({ collection, key: keyAt(index * batchSize + slot) })),
            }),
            batchesInFlight,
            batchSize,
          ),
        },
      ],
    }),
  );
  await worker.close();
  await bare.close();
  await server.close();
  await provider.close();
  await rm(directory, { recursive: true, force: true });

  const ratio = (comparison: ComparisonResult | undefined) =>
    comparison?.contenders[1]?.medianRatioToBaseline ?? Number.NaN;
  const rate = (comparison: ComparisonResult | undefined, index: number) =>
    comparison?.contenders[index]?.medianOpsPerSecond ?? Number.NaN;
  const verdict = (reached: boolean) => (reached ? "reached" : "NOT reached");
  const [store, retrieve, batched] = comparisons;
  const goals = [
    `vault.store >= 0.5x bare route: ${verdict(ratio(store) >= 0.5)} (${ratio(store).toFixed(2)}x)`,
    `vault.retrieve >= 0.5x bare route: ${verdict(ratio(retrieve) >= 0.5)} (${ratio(retrieve).toFixed(2)}x)`,
    `batched >= 20,000 calls/s: store ${verdict(rate(batched, 0) >= 20_000)} (${Math.round(rate(batched, 0))}/s), retrieve ${verdict(rate(batched, 1) >= 20_000)} (${Math.round(rate(batched, 1))}/s)`,
  ];
  const rows = [...latencies.entries()].map(([name, values]) => {
    const perRequest = name.startsWith("batched") ? ` (per request of ${batchSize})` : "";
    return `| ${name}${perRequest} | ${percentile(values, 50).toFixed(2)} | ${percentile(values, 99).toFixed(2)} |`;
  });
  writeReport({
    suite: "server",
    comparisons,
    goals,
    notes: [
      `Load from a worker thread with ${inFlight} requests in flight (single calls) or ${batchesInFlight} batches in flight, keep-alive fetch (undici).`,
      "Both servers use one sqliteProvider tenant database (durability: process); AgentVault calls include key lookup, ownership check and an audit append per call.",
      "Stores without a key get a generated one (core generateKey, on both servers): 4 clock characters, then 12 random ones, so the records of one batch land on a few pages of the key index instead of one random page each.",
      'The SQLite provider (groupCommit: "turn", as pnpm start configures it) groups single puts issued in one event-loop turn into one transaction, for both servers alike; gets run at once; the audit log writes one block per group of calls; verified API keys are trusted for keyCacheMs (1 s) on the instance.',
      "JSON POST batches run through the adapter's own batch path (each call still passes every tRPC middleware step: key check, rate budget, input validation, audit, metrics), without tRPC's resolveResponse.",
      `Failed requests during the run: ${failures} (must be 0).`,
      `Load average at the end (1/5/15 min): ${loadavg()
        .map((value) => value.toFixed(1))
        .join(
          " / ",
        )} on ${cpus().length} CPUs; ratios are per round, so shared load cancels only in part.`,
    ],
    extraMarkdown: [
      "## Latency (ms, all rounds)",
      "",
      "| contender | p50 | p99 |",
      "|---|---:|---:|",
      ...rows,
    ].join("\n"),
  });
}
