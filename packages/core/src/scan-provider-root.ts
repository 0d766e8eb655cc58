/**
 * The state a scanning provider (filesystem, S3) shares with its `withDatabase` siblings, as far
 * as every such provider has it: the clock, the vector metrics, whether it is closed, and the
 * background work `close` waits for. Each provider's own root extends it.
 */

import { type Clock, systemClock } from "./clock.js";
import type { VectorMetric } from "./provider.js";

/** Options every scanning provider takes. */
export interface ScanProviderOptions {
  /** The vector metric of collections without an entry in `vectorMetrics`. @default "cosine" */
  readonly vectorMetric?: VectorMetric | undefined;
  /** Per-collection vector metrics, for example `{ images: "euclidean" }`. @default {} */
  readonly vectorMetrics?: { readonly [collection: string]: VectorMetric } | undefined;
  /** The clock deciding expiry and timestamps; tests pass a fake one. @default systemClock */
  readonly now?: Clock | undefined;
}

/** The provider-wide state a scanning provider shares with its siblings. */
export interface ScanProviderRoot {
  /** The clock deciding expiry and timestamps. */
  readonly now: Clock;
  /** The metric of collections without an entry in `vectorMetrics`. */
  readonly vectorMetric: VectorMetric;
  /** Per-collection vector metrics. */
  readonly vectorMetrics: { readonly [collection: string]: VectorMetric };
  /** Set by `close`; operations are refused from then on. */
  closed: boolean;
  /** Background work still running (lazy deletion of expired records); `close` waits for it. */
  readonly background: Set<Promise<void>>;
}

/** The shared part of a scanning provider's root: `options` with their defaults, open. */
export function createScanProviderRoot(options: ScanProviderOptions): ScanProviderRoot {
  return {
    vectorMetric: options.vectorMetric ?? "cosine",
    vectorMetrics: options.vectorMetrics ?? {},
    now: options.now ?? systemClock,
    closed: false,
    background: new Set(),
  };
}

/**
 * Runs `task` in the background of `root`: its failure is ignored (it is best effort, such as
 * deleting an expired record that a later read would skip anyway), and the provider's `close`
 * waits for it.
 */
export function runInBackground(root: ScanProviderRoot, task: Promise<unknown>): void {
  const settled = task.then(
    () => {},
    () => {},
  );
  root.background.add(settled);
  void settled.finally(() => root.background.delete(settled));
}
