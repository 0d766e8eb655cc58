import { describe, expect, it } from "vitest";
import { TopScores } from "../src/mongodb-vector-search.js";

/** A deterministic sequence of scores in [-1, 1). */
function scores(count: number): number[] {
  let state = 12345;
  return Array.from({ length: count }, () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

describe("TopScores", () => {
  it("keeps exactly the best `limit` candidates, best first (checked against a full sort)", () => {
    const all = scores(500).map((score, index) => ({ key: `k${index}`, score }));
    for (const limit of [1, 5, 10, 499, 500, 600]) {
      const top = new TopScores(limit);
      for (const { key, score } of all) top.offer(key, score);
      const expected = [...all].sort((a, b) => b.score - a.score).slice(0, limit);
      expect(top.results(), String(limit)).toEqual(expected);
    }
  });

  it("drops scores under minScore and NaN", () => {
    const top = new TopScores(10, 0.5);
    top.offer("low", 0.49);
    top.offer("nan", Number.NaN);
    top.offer("edge", 0.5);
    top.offer("high", 0.9);
    expect(top.results()).toEqual([
      { key: "high", score: 0.9 },
      { key: "edge", score: 0.5 },
    ]);
  });

  it("orders equal scores by key, whatever the order they arrive in", () => {
    const forward = new TopScores(2);
    const backward = new TopScores(2);
    for (const key of ["c", "a", "b"]) forward.offer(key, 1);
    for (const key of ["b", "a", "c"]) backward.offer(key, 1);
    expect(forward.results().map((hit) => hit.key)).toEqual(["a", "b"]);
    expect(backward.results()).toEqual(forward.results());
  });

  it("keeps nothing with a limit of 0", () => {
    const top = new TopScores(0);
    top.offer("a", 1);
    expect(top.results()).toEqual([]);
  });
});
