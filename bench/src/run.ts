/**
 * `pnpm bench`: runs every benchmark suite, or those named on the command line
 * (`pnpm bench query sqlite`). Each suite writes its results to `bench/results/`.
 */

import { runExtrasBench } from "./extras-bench.js";
import { runPostgresBench } from "./postgres-bench.js";
import { runQueryBench } from "./query-bench.js";
import { runRedisBench } from "./redis-bench.js";
import { runServerBench } from "./server-bench.js";
import { runSqliteBench } from "./sqlite-bench.js";
import { runVectorBench } from "./vector-bench.js";

const suites: Record<string, () => Promise<void>> = {
  extras: runExtrasBench,
  postgres: runPostgresBench,
  query: runQueryBench,
  server: runServerBench,
  redis: runRedisBench,
  sqlite: runSqliteBench,
  vector: runVectorBench,
};

const wanted = process.argv.slice(2);
const names = wanted.length > 0 ? wanted : Object.keys(suites);
for (const name of names) {
  const suite = suites[name];
  if (!suite) {
    console.error(
      `Unknown suite "${name}". Known: ${Object.keys(suites).join(", ") || "none yet"}.`,
    );
    process.exit(2);
  }
  await suite();
}
