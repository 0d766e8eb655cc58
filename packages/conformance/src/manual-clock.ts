/**
 * A clock the suite can move forward. It follows real time plus an offset, so timestamps look
 * real and TTL tests can jump past an expiry without waiting.
 */

/** A clock (epoch milliseconds) with a manual offset. */
export interface ManualClock {
  /** The current time: real time plus every `advance` so far. */
  readonly now: () => number;
  /** Moves the clock forward by `milliseconds`. */
  advance(milliseconds: number): void;
}

/** Creates a clock that starts at real time. */
export function createManualClock(): ManualClock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance(milliseconds: number) {
      if (!Number.isFinite(milliseconds) || milliseconds < 0) {
        throw new RangeError("A clock only moves forward");
      }
      offset += milliseconds;
    },
  };
}
