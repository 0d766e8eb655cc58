import { describe, expect, it } from "vitest";
import { mapWithConcurrency } from "../src/index.js";

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe("mapWithConcurrency", () => {
  it("keeps the order of the input and never exceeds the limit", async () => {
    let running = 0;
    let most = 0;
    const items = Array.from({ length: 25 }, (_, index) => index);
    const results = await mapWithConcurrency(items, 4, async (item, index) => {
      running += 1;
      most = Math.max(most, running);
      // Later items finish first, so order comes from the index, not from completion.
      await new Promise((resolve) => setTimeout(resolve, (25 - item) % 5));
      running -= 1;
      return `${item}:${index}`;
    });
    expect(results).toEqual(items.map((item) => `${item}:${item}`));
    expect(most).toBe(4);
  });

  it("handles an empty list and a limit below one", async () => {
    expect(await mapWithConcurrency([], 8, async () => 1)).toEqual([]);
    expect(await mapWithConcurrency([1, 2], 0, async (item) => item * 2)).toEqual([2, 4]);
  });

  it("starts nothing after a failure and rejects once the calls in flight have settled", async () => {
    const started: number[] = [];
    const settled: number[] = [];
    const run = mapWithConcurrency([0, 1, 2, 3, 4, 5, 6, 7], 2, async (item) => {
      started.push(item);
      if (item === 1) throw new Error(`failed ${item}`);
      await tick();
      await tick();
      settled.push(item);
      return item;
    });
    await expect(run).rejects.toThrow("failed 1");
    // Item 0 was in flight when item 1 failed: it settled before the rejection.
    expect(settled).toContain(0);
    expect(started.length).toBeLessThan(8);
    expect(settled.length).toBe(started.length - 1);
  });
});
