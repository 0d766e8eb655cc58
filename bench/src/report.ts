/**
 * Writes benchmark results to `bench/results/<suite>.json` and `bench/results/<suite>.md`.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ComparisonResult } from "./harness.js";

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), "..", "results");

/** Free-form notes and goal checks that accompany a suite's comparisons. */
export interface SuiteReport {
  readonly suite: string;
  readonly comparisons: readonly ComparisonResult[];
  /** Goal lines such as "query >= 2x sift: reached (3.1x)". */
  readonly goals?: readonly string[];
  readonly notes?: readonly string[];
  /** Extra tables (already formatted as markdown). */
  readonly extraMarkdown?: string;
}

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value >= 100) return Math.round(value).toLocaleString("en-US");
  return value.toFixed(2);
}

/** Renders a suite as markdown. */
export function toMarkdown(report: SuiteReport): string {
  const lines = [`# ${report.suite}`, ""];
  lines.push(
    `Node ${process.version}, ${os.cpus().length} CPUs, ${new Date().toISOString()}. Medians of interleaved rounds; ratio = contender / baseline per round.`,
    "",
  );
  for (const comparison of report.comparisons) {
    lines.push(
      `## ${comparison.name}`,
      "",
      `${comparison.rounds} rounds x ${comparison.opsPerRound} ${comparison.unit}s; baseline: ${comparison.baseline}`,
      "",
      "| contender | median ops/s | median ratio to baseline |",
      "|---|---:|---:|",
    );
    for (const contender of comparison.contenders) {
      lines.push(
        `| ${contender.name} | ${format(contender.medianOpsPerSecond)} | ${contender.medianRatioToBaseline.toFixed(2)}x |`,
      );
    }
    lines.push("");
  }
  if (report.extraMarkdown) lines.push(report.extraMarkdown, "");
  if (report.goals?.length)
    lines.push("## Goals", "", ...report.goals.map((goal) => `- ${goal}`), "");
  if (report.notes?.length)
    lines.push("## Notes", "", ...report.notes.map((note) => `- ${note}`), "");
  return lines.join("\n");
}

/** Writes the suite's JSON and markdown files and prints the markdown. */
export function writeReport(report: SuiteReport): void {
  mkdirSync(resultsDir, { recursive: true });
  const markdown = toMarkdown(report);
  writeFileSync(join(resultsDir, `${report.suite}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(resultsDir, `${report.suite}.md`), markdown);
  console.log(markdown);
}
