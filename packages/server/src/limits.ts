/**
 * The server's limits, with their defaults. Every one protects the process or the backend from
 * one caller: the body and input depth bound parsing, the batch size and result size bound the
 * work of one request, filter limits bound evaluation, the rate bounds a key over time, and the
 * call timeout bounds how long a caller can hold a slot.
 */

import { LimitExceededError } from "@agentvault/core";
import { defaultFilterLimits, type FilterLimits } from "@agentvault/query";

/** The rate each API key may call at. */
export interface RateLimit {
  /** Calls allowed per window (each call of a batch counts). @default 1000 */
  readonly points?: number | undefined;
  /** Window length in seconds. @default 10 */
  readonly durationSeconds?: number | undefined;
}

/** Limits of `createBroker` / `createServer`. Every field is optional. */
export interface ServerLimits {
  /** Largest request body in bytes; larger bodies get 413. @default 4_194_304 (4 MiB) */
  readonly maxBodyBytes?: number | undefined;
  /** Deepest nesting of objects and arrays in one call's input; deeper gets 400. @default 64 */
  readonly maxInputDepth?: number | undefined;
  /** Most calls in one tRPC batch request; more gets 400. @default 100 */
  readonly maxBatchSize?: number | undefined;
  /** Most documents one call may return; ask for more (or match more without `limit`) gets 400. @default 1000 */
  readonly maxResultDocuments?: number | undefined;
  /** Filter complexity limits, passed to `parseFilter`. @default query's defaults (depth 20, 1000 nodes) */
  readonly filter?: FilterLimits | undefined;
  /** Per-key call rate; over it gets 429. @default { points: 1000, durationSeconds: 10 } */
  readonly rate?: RateLimit | undefined;
  /** Longest time one call may take before it fails with 408. @default 10_000 */
  readonly callTimeoutMs?: number | undefined;
  /** Largest stored document in bytes (passed to the Vault). @default maxBodyBytes */
  readonly maxDocumentBytes?: number | undefined;
}

/** Limits with every default filled in. */
export interface ResolvedLimits {
  readonly maxBodyBytes: number;
  readonly maxInputDepth: number;
  readonly maxBatchSize: number;
  readonly maxResultDocuments: number;
  readonly filter: Required<FilterLimits>;
  readonly rate: { readonly points: number; readonly durationSeconds: number };
  readonly callTimeoutMs: number;
  readonly maxDocumentBytes: number;
}

/** The defaults, as documented in the README's limits table. */
export const defaultLimits: ResolvedLimits = Object.freeze({
  maxBodyBytes: 4 * 1024 * 1024,
  maxInputDepth: 64,
  maxBatchSize: 100,
  maxResultDocuments: 1000,
  filter: { ...defaultFilterLimits },
  rate: { points: 1000, durationSeconds: 10 },
  callTimeoutMs: 10_000,
  maxDocumentBytes: 4 * 1024 * 1024,
});

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`limits.${name} must be a positive integer`);
  }
  return value;
}

/** Fills in defaults and checks every limit is a positive integer. */
export function resolveLimits(limits: ServerLimits = {}): ResolvedLimits {
  const maxBodyBytes = positive(limits.maxBodyBytes, defaultLimits.maxBodyBytes, "maxBodyBytes");
  return {
    maxBodyBytes,
    maxInputDepth: positive(limits.maxInputDepth, defaultLimits.maxInputDepth, "maxInputDepth"),
    maxBatchSize: positive(limits.maxBatchSize, defaultLimits.maxBatchSize, "maxBatchSize"),
    maxResultDocuments: positive(
      limits.maxResultDocuments,
      defaultLimits.maxResultDocuments,
      "maxResultDocuments",
    ),
    filter: { ...defaultFilterLimits, ...limits.filter },
    rate: {
      points: positive(limits.rate?.points, defaultLimits.rate.points, "rate.points"),
      durationSeconds: positive(
        limits.rate?.durationSeconds,
        defaultLimits.rate.durationSeconds,
        "rate.durationSeconds",
      ),
    },
    callTimeoutMs: positive(limits.callTimeoutMs, defaultLimits.callTimeoutMs, "callTimeoutMs"),
    maxDocumentBytes: positive(limits.maxDocumentBytes, maxBodyBytes, "maxDocumentBytes"),
  };
}

/**
 * Measures the nesting depth of a JSON-like value without recursion (so a 10,000-deep input
 * cannot overflow the stack), stopping as soon as `maxDepth` is passed.
 * @throws LimitExceededError when deeper than `maxDepth`.
 */
export function checkInputDepth(value: unknown, maxDepth: number): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop() as [unknown, number];
    if (item === null || typeof item !== "object") continue;
    if (depth > maxDepth) {
      throw new LimitExceededError(
        "inputDepth",
        `The input is nested deeper than ${maxDepth} levels`,
        { source: "server" },
      );
    }
    const children = Array.isArray(item) ? item : Object.values(item);
    for (const child of children) {
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
}
