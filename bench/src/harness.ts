/**
 * The measurement method every benchmark uses: contenders run side by side in one process,
 * interleaved round by round (rotating who goes first), after a warm-up; each round yields a
 * throughput per contender and a ratio to the baseline, and we report medians. Ratios taken
 * within one round cancel most of the noise of a shared machine.
 */

import { performance } from "node:perf_hooks";

/** One way of doing the benchmark's work. */
export interface Contender {
  readonly name: string;
  /** Does `ops` operations' worth of work. */
  readonly run: (ops: number) => void | Promise<void>;
}

/** Options of one comparison. */
export interface CompareOptions {
  readonly name: string;
  /** The first contender is the baseline ratios are computed against. */
  readonly contenders: readonly Contender[];
  /** Operations per contender per round. */
  readonly opsPerRound: number;
  /** @default 9 */
  readonly rounds?: number;
  /** @default 2 */
  readonly warmupRounds?: number;
  /** What one operation is, for the table: "filter evaluation", "store", ... */
  readonly unit?: string;
}

/** The result of one contender. */
export interface ContenderResult {
  readonly name: string;
  readonly medianOpsPerSecond: number;
  /** Median of the per-round ratios of this contender's throughput to the baseline's. */
  readonly medianRatioToBaseline: number;
  readonly samplesOpsPerSecond: readonly number[];
}

/** The result of one comparison. */
export interface ComparisonResult {
  readonly name: string;
  readonly unit: string;
  readonly opsPerRound: number;
  readonly rounds: number;
  readonly baseline: string;
  readonly contenders: readonly ContenderResult[];
}

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A percentile (0-100) of a list of numbers, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

async function timeRun(contender: Contender, ops: number): Promise<number> {
  const start = performance.now();
  await contender.run(ops);
  const seconds = (performance.now() - start) / 1000;
  return ops / seconds;
}

/** Runs the contenders interleaved and returns medians and ratios. */
export async function compare(options: CompareOptions): Promise<ComparisonResult> {
  const rounds = options.rounds ?? 9;
  const warmup = options.warmupRounds ?? 2;
  const count = options.contenders.length;
  const samples = options.contenders.map(() => [] as number[]);
  const ratios = options.contenders.map(() => [] as number[]);
  for (let round = 0; round < warmup + rounds; round++) {
    const throughput = new Array<number>(count).fill(0);
    for (let step = 0; step < count; step++) {
      const index = (round + step) % count;
      throughput[index] = await timeRun(options.contenders[index]!, options.opsPerRound);
    }
    if (round < warmup) continue;
    for (let index = 0; index < count; index++) {
      samples[index]!.push(throughput[index]!);
      ratios[index]!.push(throughput[index]! / throughput[0]!);
    }
  }
  return {
    name: options.name,
    unit: options.unit ?? "operation",
    opsPerRound: options.opsPerRound,
    rounds,
    baseline: options.contenders[0]!.name,
    contenders: options.contenders.map((contender, index) => ({
      name: contender.name,
      medianOpsPerSecond: median(samples[index]!),
      medianRatioToBaseline: median(ratios[index]!),
      samplesOpsPerSecond: samples[index]!,
    })),
  };
}
