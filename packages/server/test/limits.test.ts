import { describe, expect, it } from "vitest";
import { checkInputDepth, defaultLimits, resolveLimits } from "../src/limits.js";

describe("limits", () => {
  it("fills defaults and overrides single fields", () => {
    const limits = resolveLimits({ maxBatchSize: 5, rate: { points: 3 } });
    expect(limits.maxBatchSize).toBe(5);
    expect(limits.rate).toEqual({ points: 3, durationSeconds: defaultLimits.rate.durationSeconds });
    expect(limits.maxBodyBytes).toBe(defaultLimits.maxBodyBytes);
  });

  it("rejects limits that are not positive integers", () => {
    expect(() => resolveLimits({ maxBodyBytes: 0 })).toThrow(RangeError);
    expect(() => resolveLimits({ callTimeoutMs: 1.5 })).toThrow(RangeError);
  });

  it("measures depth without recursion, even 100,000 levels deep", () => {
    let deep: unknown = 1;
    for (let level = 0; level < 100_000; level++) deep = { a: deep };
    expect(() => checkInputDepth(deep, 64)).toThrow(/deeper than 64/);
    expect(() => checkInputDepth({ a: [{ b: 1 }] }, 3)).not.toThrow();
    expect(() => checkInputDepth({ a: [{ b: {} }] }, 3)).toThrow();
  });
});
