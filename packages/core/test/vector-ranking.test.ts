import { describe, expect, it } from "vitest";
import {
  checkQueryDimension,
  compareRanked,
  rankVectorHits,
  TopVectorHits,
  ValidationError,
} from "../src/index.js";

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe("vector ranking", () => {
  it("keeps the same best entries as a full sort, ties by key, for any limit", () => {
    const next = seeded(7);
    // Scores drawn from a few values, so ties are frequent.
    const entries = Array.from({ length: 300 }, (_, index) => ({
      key: `k${Math.floor(next() * 1e6)}_${index}`,
      score: Math.floor(next() * 12) / 4,
    }));
    const reference = [...entries].sort((left, right) =>
      right.score !== left.score ? right.score - left.score : left.key < right.key ? -1 : 1,
    );
    for (const limit of [1, 3, 10, 57, 300, 400]) {
      const top = new TopVectorHits<number>(limit);
      for (const [index, entry] of entries.entries()) top.offer(entry.key, entry.score, index);
      expect(top.sorted().map((entry) => entry.key)).toEqual(
        reference.slice(0, limit).map((entry) => entry.key),
      );
    }
  });

  it("refuses scores under minScore and NaN, and keeps nothing with limit 0", () => {
    const top = new TopVectorHits<null>(5, 0.5);
    expect(top.offer("a", 0.49, null)).toBe(false);
    expect(top.offer("b", Number.NaN, null)).toBe(false);
    expect(top.offer("c", 0.5, null)).toBe(true);
    expect(top.sorted().map((entry) => entry.key)).toEqual(["c"]);
    const none = new TopVectorHits<null>(0);
    expect(none.offer("a", 1, null)).toBe(false);
    expect(none.size).toBe(0);
  });

  it("rankVectorHits orders records by score then key and defaults to 10", () => {
    const hits = Array.from({ length: 15 }, (_, index) => ({
      record: { key: `r${String(14 - index).padStart(2, "0")}`, value: index },
      score: index < 12 ? 1 : 0.5,
    }));
    const ranked = rankVectorHits(hits);
    expect(ranked.map((hit) => hit.record.key)).toEqual(
      Array.from({ length: 10 }, (_, index) => `r${String(index + 3).padStart(2, "0")}`),
    );
    expect(rankVectorHits(hits, { minScore: 0.75, limit: 100 })).toHaveLength(12);
    expect(compareRanked({ key: "a", score: 1 }, { key: "a", score: 1 })).toBe(0);
  });

  it("checkQueryDimension refuses a query of another size with ValidationError", () => {
    expect(() => checkQueryDimension([1, 2], undefined, { source: "test" })).not.toThrow();
    expect(() => checkQueryDimension([1, 2], 2, { source: "test" })).not.toThrow();
    expect(() => checkQueryDimension([1, 2], 3, { source: "test", collection: "notes" })).toThrow(
      ValidationError,
    );
    expect(() => checkQueryDimension([1, 2], 3, { source: "test" })).toThrow(
      /3-dimensional vectors, the query has 2/,
    );
  });
});
