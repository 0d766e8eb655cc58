/**
 * Runs a corpus plan against any target that can store documents and answer filters: the Vault
 * (the `filters` area), or a provider's own compiled queries (a SQL provider can check its SQL
 * alone). The report counts outcomes per tier and lists every failing case.
 */

import { FilterValidationError } from "@agentvault/query";
import { type CorpusCase, CorpusTally } from "@agentvault/query/testing";
import { describeError } from "../assertions.js";
import {
  type CorpusDocument,
  type CorpusPlan,
  type CorpusPlanOptions,
  planCorpus,
} from "./corpus-plan.js";

/** Runs one raw filter and returns the keys of the matching documents. */
export type CorpusQuery = (filter: unknown) => Promise<readonly string[]>;

/** What `CorpusTarget.load` returns. */
export interface LoadedCorpusGroup {
  readonly query: CorpusQuery;
  /**
   * Documents the target refused to store (key -> why). They are dropped from the group's
   * expectations, as the corpus allows for values a model cannot hold, and reported.
   */
  readonly refused?: ReadonlyMap<string, string> | undefined;
}

/** Somewhere to store each group's documents and run its filters. */
export interface CorpusTarget {
  /** Stores `documents` in a fresh place (`groupIndex` is unique within one run). */
  load(documents: readonly CorpusDocument[], groupIndex: number): Promise<LoadedCorpusGroup>;
}

/** One case whose result differed from the expectation. */
export interface CorpusFailure {
  readonly testCase: CorpusCase;
  readonly expectedKeys: readonly string[];
  /** The keys returned, when the query did not throw. */
  readonly actualKeys?: readonly string[] | undefined;
  /** What was thrown, described. */
  readonly error?: string | undefined;
}

/** Outcome counts of one tier. */
export interface CorpusTierCounts {
  ran: number;
  rejected: number;
  excluded: number;
  skipped: number;
  failed: number;
  refusedDocuments: number;
}

/** The result of `runCorpus`. */
export interface CorpusReport {
  readonly tiers: ReadonlyMap<string, CorpusTierCounts>;
  readonly failures: readonly CorpusFailure[];
  /** The per-tier and per-operator tables of `@agentvault/query/testing`. */
  readonly tally: CorpusTally;
  /** One line per tier. */
  summary(): string;
  /** The first `limit` failures, one per line, with filter, expected and actual keys. */
  describeFailures(limit?: number): string;
}

/** Options of `runCorpus`. */
export interface RunCorpusOptions extends CorpusPlanOptions {
  readonly target: CorpusTarget;
  /** A plan made earlier with `planCorpus`; otherwise one is made from these options. */
  readonly plan?: CorpusPlan | undefined;
}

function countsFor(tiers: Map<string, CorpusTierCounts>, tier: string): CorpusTierCounts {
  let counts = tiers.get(tier);
  if (counts === undefined) {
    counts = { ran: 0, rejected: 0, excluded: 0, skipped: 0, failed: 0, refusedDocuments: 0 };
    tiers.set(tier, counts);
  }
  return counts;
}

function show(value: unknown): string {
  try {
    return JSON.stringify(value, (_, item) =>
      item instanceof Uint8Array ? `<binary ${Buffer.from(item).toString("hex")}>` : item,
    );
  } catch {
    return String(value);
  }
}

/**
 * Runs the corpus (or a plan of it) against `target`.
 *
 * @example
 * const report = await runCorpus({ target: vaultCorpusTarget(vault, "corpus"), tiers: ["mongodb"] });
 * expect(report.failures, report.describeFailures()).toEqual([]);
 */
export async function runCorpus(options: RunCorpusOptions): Promise<CorpusReport> {
  const plan = options.plan ?? planCorpus(options);
  const tiers = new Map<string, CorpusTierCounts>();
  const tally = new CorpusTally();
  const failures: CorpusFailure[] = [];
  for (const { testCase, reason } of plan.skipped) {
    countsFor(tiers, testCase.tier).skipped++;
    tally.record(testCase, "skipped", reason);
  }
  for (const [groupIndex, group] of plan.groups.entries()) {
    const loaded = await options.target.load(group.documents, groupIndex);
    const refused = loaded.refused ?? new Map<string, string>();
    for (const planned of group.cases) {
      const { testCase } = planned;
      const counts = countsFor(tiers, testCase.tier);
      const expectedKeys = planned.expectedKeys.filter((key) => !refused.has(key));
      let actualKeys: string[] | undefined;
      let error: unknown;
      try {
        actualKeys = [...(await loaded.query(testCase.filter))].sort();
      } catch (thrown) {
        error = thrown;
      }
      let passed: boolean;
      if (planned.expectation === "reject") {
        counts.rejected++;
        tally.record(testCase, "rejected");
        passed = FilterValidationError.isInstance(error);
      } else {
        if (planned.exclusion === undefined) counts.ran++;
        else counts.excluded++;
        counts.refusedDocuments += refused.size;
        tally.record(
          testCase,
          planned.exclusion === undefined ? "ran" : "excluded",
          planned.exclusion,
        );
        passed = actualKeys !== undefined && show(actualKeys) === show(expectedKeys);
      }
      if (!passed) {
        counts.failed++;
        failures.push({
          testCase,
          expectedKeys: planned.expectation === "reject" ? [] : expectedKeys,
          actualKeys,
          error: error === undefined ? undefined : describeError(error),
        });
      }
    }
  }
  return {
    tiers,
    failures,
    tally,
    summary() {
      return [...tiers.entries()]
        .map(
          ([tier, c]) =>
            `${tier}: ran ${c.ran}, rejected ${c.rejected}, excluded ${c.excluded}, skipped ${c.skipped}, failed ${c.failed}` +
            (c.refusedDocuments > 0 ? `, documents refused ${c.refusedDocuments}` : ""),
        )
        .join("\n");
    },
    describeFailures(limit = 25) {
      const lines = failures.slice(0, limit).map((failure) => {
        const outcome =
          failure.error !== undefined
            ? `threw ${failure.error}`
            : `returned ${show(failure.actualKeys)}`;
        const wanted =
          failure.testCase.expectation === "reject"
            ? "a FilterValidationError"
            : show(failure.expectedKeys);
        return `${failure.testCase.tier} ${failure.testCase.name}: filter ${show(failure.testCase.filter)} expected ${wanted}, ${outcome}`;
      });
      if (failures.length > limit) lines.push(`... and ${failures.length - limit} more`);
      return lines.join("\n");
    },
  };
}
