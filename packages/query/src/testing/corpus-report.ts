/**
 * Counts corpus outcomes per tier and per operator and formats them as plain-text tables, so
 * every suite that runs the corpus reports coverage the same way.
 */

import type { CorpusCase } from "./corpus.js";

/** What happened to one case in a run. */
export type CorpusOutcome = "ran" | "rejected" | "skipped" | "excluded";

interface Counts {
  ran: number;
  rejected: number;
  skipped: number;
  excluded: number;
  /** Documents evaluated, and documents dropped as unrepresentable, in cases that ran. */
  documents: number;
  droppedDocuments: number;
}

function emptyCounts(): Counts {
  return { ran: 0, rejected: 0, skipped: 0, excluded: 0, documents: 0, droppedDocuments: 0 };
}

function row(cells: readonly (string | number)[], widths: readonly number[]): string {
  return cells.map((cell, index) => String(cell).padEnd(widths[index]!)).join("  ");
}

/** Accumulates outcomes; `format()` renders the tables. */
export class CorpusTally {
  private readonly byTier = new Map<string, Counts>();
  private readonly byOperator = new Map<string, Counts>();
  private readonly reasons = new Map<string, number>();

  /** Records one case's outcome; `reason` is grouped in the skip/exclusion reason table. */
  record(testCase: CorpusCase, outcome: CorpusOutcome, reason?: string): void {
    const add = (table: Map<string, Counts>, key: string) => {
      const counts = table.get(key) ?? emptyCounts();
      counts[outcome]++;
      if (outcome === "ran" || outcome === "excluded") {
        counts.documents += testCase.documents.length;
        counts.droppedDocuments += testCase.droppedDocuments.length;
      }
      table.set(key, counts);
    };
    add(this.byTier, testCase.tier);
    for (const operator of testCase.operators) add(this.byOperator, operator);
    if (reason !== undefined && (outcome === "skipped" || outcome === "excluded")) {
      const key = `${testCase.tier}: ${outcome}: ${reason}`;
      this.reasons.set(key, (this.reasons.get(key) ?? 0) + 1);
    }
  }

  /** Outcome counts of one tier. */
  tier(tier: string): Readonly<Counts> {
    return this.byTier.get(tier) ?? emptyCounts();
  }

  /** The per-tier, per-operator and per-reason tables. */
  format(): string {
    const widths = [28, 6, 9, 8, 9, 6, 8];
    const header = row(["", "ran", "rejected", "skipped", "excluded", "docs", "dropped"], widths);
    const table = (title: string, counts: Map<string, Counts>) => [
      title,
      header,
      ...[...counts.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, c]) =>
          row(
            [name, c.ran, c.rejected, c.skipped, c.excluded, c.documents, c.droppedDocuments],
            widths,
          ),
        ),
    ];
    const reasons = [...this.reasons.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([reason, count]) => `${String(count).padStart(4)}  ${reason}`);
    return [
      ...table("Per tier", this.byTier),
      "",
      ...table("Per operator", this.byOperator),
      "",
      "Reasons",
      ...reasons,
    ].join("\n");
  }
}
