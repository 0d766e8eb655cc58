// Sums the JSON reports every package's vitest run wrote and prints one closing line,
// "Tests: N passed, N failed, N skipped", so the whole suite's result reads at a glance.
// With --reset it deletes old reports first (run before the tests).
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const groups = ["packages", "packages/providers", "apps", "."];
const dirs = new Set();
for (const group of groups) {
  const base = join(root, group);
  if (group === ".") {
    dirs.add(join(root, "bench"));
    continue;
  }
  for (const entry of readdirSync(base, { withFileTypes: true })) {
    if (entry.isDirectory()) dirs.add(join(base, entry.name));
  }
}
const reports = [...dirs].map((dir) => join(dir, "node_modules/.vitest-report.json"));

if (process.argv.includes("--reset")) {
  for (const report of reports) rmSync(report, { force: true });
  process.exit(0);
}

let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
for (const report of reports.filter((file) => existsSync(file))) {
  const data = JSON.parse(readFileSync(report, "utf8"));
  const name = report.slice(root.length).replace("/node_modules/.vitest-report.json", "");
  passed += data.numPassedTests;
  failed += data.numFailedTests;
  skipped += data.numPendingTests + data.numTodoTests;
  rows.push(
    `  ${name}: ${data.numPassedTests} passed, ${data.numFailedTests} failed, ${data.numPendingTests + data.numTodoTests} skipped`,
  );
}
console.log(rows.join("\n"));
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (failed > 0 || passed === 0) process.exit(1);
