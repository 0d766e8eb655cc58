/**
 * Time sources. The Vault and the memory provider take a clock so tests can move time forward
 * (TTL expiry) without waiting.
 */

/** Returns the current time in epoch milliseconds. */
export type Clock = () => number;

/** The real clock. */
export const systemClock: Clock = () => Date.now();
