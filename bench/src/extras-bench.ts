/**
 * The provider wrappers against the bare SQLite provider, through the Vault, interleaved
 * (`compare`), bare SQLite first as the baseline:
 * - repeated reads: `retrieve` of a hot set of 1,000 keys that fits the cache, and of 20,000
 *   keys that does not (mostly misses: the wrapper's cost on the miss path), bare vs `cached`;
 * - encryption overhead per operation: `store`, `retrieve`, `update` (`$inc`) and a filtered
 *   `query` over 2,000 documents, bare vs `encrypted` (AES-256-GCM);
 * - access logging: `retrieve` bare vs `logged` vs `vault.on("operation")`.
 *
 * `AGENTVAULT_BENCH_QUICK=1` shrinks every size tenfold, for a fast check of the suite itself.
 */

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  cached,
  createVault,
  encrypted,
  logged,
  type StorageProvider,
  type Vault,
} from "@agentvault/core";
import { sqliteProvider } from "@agentvault/provider-sqlite";
import { type NestedBenchDocument, nestedBenchDocument } from "./bench-documents.js";
import { type ComparisonResult, compare } from "./harness.js";
import { writeReport } from "./report.js";

const quick = process.env.AGENTVAULT_BENCH_QUICK === "1";
const scale = quick ? 10 : 1;
const rounds = 9;
const warmupRounds = 2;
const hotKeys = 1000;
const coldKeys = 20_000 / scale;
const queryDocuments = 2000 / scale;

type BenchDocument = NestedBenchDocument;

function benchDocument(index: number): BenchDocument {
  return nestedBenchDocument(index, 100);
}

/** A pseudo-random key sequence, the same for every contender. */
function keyAt(step: number, keys: number): string {
  return `k${(step * 7919) % keys}`;
}

async function load(vault: Vault, collection: string, count: number): Promise<void> {
  for (let index = 0; index < count; index++) {
    await vault.store(collection, benchDocument(index), { key: `k${index}` });
  }
}

function reader(vault: Vault, collection: string, keys: number) {
  let step = 0;
  return async (ops: number) => {
    for (let index = 0; index < ops; index++) {
      await vault.retrieve(collection, keyAt(step++, keys));
    }
  };
}

export async function runExtrasBench(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), "agentvault-bench-extras-"));
  const providers: StorageProvider[] = [];
  const open = (database: string) => {
    const provider = sqliteProvider({ directory, database });
    providers.push(provider);
    return provider;
  };
  const comparisons: ComparisonResult[] = [];
  const keys = [{ id: "bench", key: randomBytes(32) }];
  try {
    // Repeated reads: one database, read bare and through the cache.
    const shared = open("reads");
    const bare = createVault({ provider: shared });
    const warm = createVault({ provider: cached(shared, { maxEntries: 2 * hotKeys }) });
    const cold = createVault({ provider: cached(shared, { maxEntries: hotKeys }) });
    await load(bare, "items", coldKeys);
    for (const [name, working] of [
      ["repeated reads, 1,000 hot keys (all cached)", hotKeys],
      [
        `repeated reads, ${coldKeys.toLocaleString("en-US")} keys (cache of 1,000: mostly misses)`,
        coldKeys,
      ],
    ] as const) {
      comparisons.push(
        await compare({
          name,
          unit: "retrieve",
          opsPerRound: 5000 / scale,
          rounds,
          warmupRounds,
          contenders: [
            { name: "sqlite", run: reader(bare, "items", working) },
            {
              name: "cached(sqlite)",
              run: reader(working === hotKeys ? warm : cold, "items", working),
            },
          ],
        }),
      );
      console.error(`extras bench: ${name} done`);
    }

    // Encryption overhead: two databases with the same documents, one sealed.
    const plain = createVault({ provider: open("plain") });
    const sealed = createVault({ provider: encrypted(open("sealed"), { keys }) });
    await load(plain, "items", queryDocuments);
    await load(sealed, "items", queryDocuments);
    let stored = 0;
    const storeRun = (vault: Vault) => async (ops: number) => {
      for (let index = 0; index < ops; index++) {
        await vault.store("writes", benchDocument(stored), { key: `w${stored++ % 5000}` });
      }
    };
    let bumped = 0;
    const updateRun = (vault: Vault) => async (ops: number) => {
      for (let index = 0; index < ops; index++) {
        await vault.update("items", keyAt(bumped++, queryDocuments), { $inc: { price: 1 } });
      }
    };
    const queryRun = (vault: Vault) => async (ops: number) => {
      for (let index = 0; index < ops; index++) {
        await vault.query("items", { category: `c${index % 100}`, active: true });
      }
    };
    const operations = [
      ["store", storeRun, 2000],
      ["retrieve", (vault: Vault) => reader(vault, "items", queryDocuments), 5000],
      ["update ($inc)", updateRun, 1000],
      [
        `query on an encrypted field (${queryDocuments.toLocaleString("en-US")} documents)`,
        queryRun,
        20,
      ],
    ] as const;
    for (const [name, run, ops] of operations) {
      comparisons.push(
        await compare({
          name: `encryption overhead: ${name}`,
          unit: name.split(" ")[0]!,
          opsPerRound: Math.max(5, Math.round(ops / scale)),
          rounds,
          warmupRounds,
          contenders: [
            { name: "sqlite", run: run(plain) },
            { name: "encrypted(sqlite)", run: run(sealed) },
          ],
        }),
      );
      console.error(`extras bench: encryption ${name} done`);
    }

    // Access logging: the same reads, reported to a sink that keeps a counter.
    let reported = 0;
    const sink = () => {
      reported++;
    };
    const withLog = createVault({ provider: logged(shared, sink) });
    const withHook = createVault({ provider: shared });
    withHook.on("operation", sink);
    comparisons.push(
      await compare({
        name: "access logging: retrieve",
        unit: "retrieve",
        opsPerRound: 5000 / scale,
        rounds,
        warmupRounds,
        contenders: [
          { name: "sqlite", run: reader(bare, "items", hotKeys) },
          { name: "logged(sqlite)", run: reader(withLog, "items", hotKeys) },
          { name: 'vault.on("operation")', run: reader(withHook, "items", hotKeys) },
        ],
      }),
    );
    const ratio = (comparison: ComparisonResult, index: number) =>
      comparison.contenders[index]!.medianRatioToBaseline.toFixed(2);
    writeReport({
      suite: "extras",
      comparisons,
      notes: [
        "All contenders go through createVault(); sqlite is sqliteProvider() in a temporary folder (WAL, synchronous=NORMAL).",
        `Cached hot reads run at ${ratio(comparisons[0]!, 1)}x bare SQLite; with a cache too small for the working set, at ${ratio(comparisons[1]!, 1)}x (the miss path's cost).`,
        "Encrypted reads and writes seal or open one AES-256-GCM envelope per record; an encrypted update also does a compare-and-swap write. Queries on encrypted fields decrypt the whole collection, so their cost grows with it.",
        `Records reported to the logging sink during the run: ${reported.toLocaleString("en-US")}.`,
        quick ? "Quick mode (AGENTVAULT_BENCH_QUICK=1): sizes divided by 10." : "Full sizes.",
      ],
    });
  } finally {
    for (const provider of providers) await provider.close();
    rmSync(directory, { recursive: true, force: true });
  }
}
