/**
 * `$size` and `$mod` arguments, with MongoDB's rules for numbers.
 * @internal
 */

import { describe, fail } from "./parse-context.js";

const int64Limit = 2 ** 63;

/** `$size`: a whole, non-negative, finite number (`2.0` is fine, `2.1` is not). */
export function parseSize(raw: unknown, path: string): number {
  if (typeof raw !== "number") return fail(`$size needs a number, not ${describe(raw)}`, path);
  if (!Number.isInteger(raw)) return fail("$size needs a whole number", path);
  if (raw < 0) return fail("$size cannot be negative", path);
  return raw === 0 ? 0 : raw;
}

function toInt64(raw: unknown, role: string, path: string): number {
  if (typeof raw !== "number")
    return fail(`$mod ${role} must be a number, not ${describe(raw)}`, path);
  if (!Number.isFinite(raw)) return fail(`$mod ${role} must be finite`, path);
  // MongoDB truncates toward zero and requires the result to fit a 64-bit integer.
  const truncated = Math.trunc(raw);
  if (truncated < -int64Limit || truncated >= int64Limit) {
    return fail(`$mod ${role} is out of the 64-bit integer range`, path);
  }
  return truncated === 0 ? 0 : truncated;
}

/** `$mod: [divisor, remainder]`: exactly two finite numbers, truncated; the divisor not zero. */
export function parseMod(raw: unknown, path: string): { divisor: number; remainder: number } {
  if (!Array.isArray(raw)) return fail(`$mod needs an array, not ${describe(raw)}`, path);
  if (raw.length !== 2) return fail("$mod needs exactly two numbers: [divisor, remainder]", path);
  const divisor = toInt64(raw[0], "divisor", `${path}.0`);
  const remainder = toInt64(raw[1], "remainder", `${path}.1`);
  if (divisor === 0) fail("$mod divisor cannot be zero", `${path}.0`);
  return { divisor, remainder };
}
