/**
 * When a failed call is tried again, and after how long. Only idempotent calls are retried:
 * every read of the API is a tRPC query (retrieve, query, count, listCollections, search, the
 * admin listings) and every write a mutation, so "is a query" is exactly "safe to repeat". A
 * write whose answer was lost may still have happened, and repeating it could apply it twice.
 *
 * Retried: the server could not be reached, answered 502/503/504 (a backend down or an
 * instance draining) or 429 (the key's rate budget; the back-off gives it time to refill).
 * Never retried: anything the caller must change (validation, permissions, not found, ...).
 */

import { httpStatusOf, remoteCodeOf } from "./remote-errors.js";

/** What the retry decision looks at. */
export interface RetryQuestion {
  /** `query` or `mutation`. */
  readonly type: string;
  /** The error of the last attempt. */
  readonly error: unknown;
  /** Attempts made so far, the first call included. */
  readonly attempts: number;
  /** Retries allowed after the first call. */
  readonly retries: number;
  /** The call's signal: an aborted call is never retried. */
  readonly signal?: AbortSignal | null | undefined;
}

const retriedStatuses = new Set([429, 502, 503, 504]);
const retriedCodes = new Set(["PROVIDER_UNAVAILABLE"]);

/** Whether the error is one that a later attempt may not get. */
export function isTransientFailure(error: unknown): boolean {
  const code = remoteCodeOf(error);
  if (code !== undefined && retriedCodes.has(code)) return true;
  const status = httpStatusOf(error);
  if (status === undefined) return code === undefined; // no answer at all: a network failure
  return retriedStatuses.has(status);
}

/** Whether to try the call again. */
export function shouldRetry(question: RetryQuestion): boolean {
  if (question.type !== "query") return false;
  if (question.signal?.aborted === true) return false;
  if (question.attempts > question.retries) return false;
  return isTransientFailure(question.error);
}

/** The longest wait between two attempts. */
export const maxRetryDelayMs = 5000;

/**
 * The wait before the next attempt: `baseMs * 2^(attempt-1)`, capped, with "equal jitter" (a
 * random half on top of a fixed half), so clients that failed together do not retry together.
 */
export function retryDelay(attempts: number, baseMs: number, random: () => number = Math.random) {
  const exponential = Math.min(maxRetryDelayMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}
