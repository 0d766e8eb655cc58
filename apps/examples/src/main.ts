/**
 * Runs every example and prints what each agent reported.
 *
 *   pnpm --filter @agentvault/examples start                      # embedded, in ./.agentvault/
 *   AGENTVAULT_URL=http://localhost:8787 AGENTVAULT_API_KEY=avk_… pnpm --filter @agentvault/examples start
 */

import { examples } from "./examples.js";
import { openEnvironment } from "./open-environment.js";

/** JSON for the terminal: bytes are summarised, dates written as ISO strings. */
function printable(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  return value;
}

const opened = await openEnvironment();
console.log(`Running ${examples.length} examples against ${opened.description}\n`);
let failures = 0;
try {
  for (const example of examples) {
    const started = performance.now();
    try {
      const report = await example.run(opened.environment);
      const ms = Math.round(performance.now() - started);
      console.log(`== ${example.name} (seed ${example.seed}, ${ms} ms)`);
      console.log(JSON.stringify(report, printable, 2));
    } catch (error) {
      failures++;
      console.error(`== ${example.name} failed:`, error);
    }
  }
} finally {
  await opened.close();
}
process.exitCode = failures === 0 ? 0 : 1;
