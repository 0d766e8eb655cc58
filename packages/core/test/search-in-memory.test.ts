import { type FilterNode, parseFilter } from "@agentvault/query";
import { describe, expect, it } from "vitest";
import { type StoredRecord, searchInMemory, ValidationError } from "../src/index.js";

const now = 1_000;
const records: StoredRecord[] = [
  { key: "c", value: { group: "x" }, vector: [1, 0] },
  { key: "b", value: { group: "y" }, vector: [0, 1] },
  { key: "a", value: { group: "y" }, vector: [1, 0] },
  { key: "expired", value: { group: "x" }, vector: [1, 0], expiresAt: now - 1 },
  { key: "plain", value: { group: "x" } },
  { key: "d", value: { group: "x" }, vector: [-1, 0] },
];
const options = { metric: "cosine" as const, now, source: "scan-test", collection: "items" };

function filter(query: object): FilterNode {
  return parseFilter(query);
}

function ranked(hits: { record: StoredRecord; score: number }[]): [string, number][] {
  return hits.map((hit) => [hit.record.key, hit.score]);
}

describe("searchInMemory", () => {
  it("ranks live records with vectors best first, ties by key", () => {
    expect(ranked(searchInMemory(records, { vector: [1, 0] }, options))).toEqual([
      ["a", 1],
      ["c", 1],
      ["b", 0],
      ["d", -1],
    ]);
  });

  it("honours limit, minScore and the filter", () => {
    const query = { vector: [1, 0] };
    expect(ranked(searchInMemory(records, { ...query, limit: 1 }, options))).toEqual([["a", 1]]);
    expect(ranked(searchInMemory(records, { ...query, minScore: 0 }, options))).toEqual([
      ["a", 1],
      ["c", 1],
      ["b", 0],
    ]);
    const grouped = { ...query, filter: filter({ "value.group": "y" }) };
    expect(ranked(searchInMemory(records, grouped, options))).toEqual([
      ["a", 1],
      ["b", 0],
    ]);
  });

  it("uses the metric it is given", () => {
    const euclidean = { ...options, metric: "euclidean" as const };
    expect(ranked(searchInMemory(records, { vector: [0, 1], limit: 2 }, euclidean))).toEqual([
      ["b", 1],
      ["a", 1 / (1 + Math.SQRT2)],
    ]);
  });

  it("refuses a query of another dimension even when the filter leaves nothing to score", () => {
    const wrong = { vector: [1, 0, 0], filter: filter({ "value.group": "none" }) };
    let caught: unknown;
    try {
      searchInMemory(records, wrong, options);
    } catch (error) {
      caught = error;
    }
    expect(ValidationError.isInstance(caught)).toBe(true);
    expect((caught as ValidationError).path).toBe("vector");
    expect((caught as ValidationError).message).toContain("items");
    // A collection without vectors accepts any query.
    expect(searchInMemory([{ key: "p", value: 1 }], { vector: [1, 2, 3] }, options)).toEqual([]);
  });

  it("refuses a malformed query vector", () => {
    expect(() => searchInMemory(records, { vector: [] }, options)).toThrow(ValidationError);
    expect(() => searchInMemory(records, { vector: [1, Number.NaN] }, options)).toThrow(
      ValidationError,
    );
  });
});
