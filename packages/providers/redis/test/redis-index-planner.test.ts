import { generateDocuments, randomFilter } from "@agentvault/conformance";
import { recordView, type StoredRecord, toRecordFilter } from "@agentvault/core";
import { compilePredicate, parseFilter } from "@agentvault/query";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type IndexDefinition, indexEntries } from "../src/redis-index-entries.js";
import { type CandidatePlan, planCandidates } from "../src/redis-index-planner.js";

const price: IndexDefinition = { id: "0", path: "value.price", ready: true };
const tags: IndexDefinition = { id: "1", path: "value.tags", ready: true };
const building: IndexDefinition = { id: "2", path: "value.sku", ready: false };
const indexes = [price, tags, building];

function plan(filter: object, using: readonly IndexDefinition[] = indexes) {
  return planCandidates(toRecordFilter(parseFilter(filter)), using);
}

describe("planCandidates", () => {
  it("narrows an equality on an indexed path to its value's set", () => {
    expect(plan({ price: 5 })).toEqual({ sources: [[{ kind: "set", suffix: "ix:0:e:5" }]] });
    expect(plan({ tags: "red" })).toEqual({ sources: [[{ kind: "set", suffix: 'ix:1:e:"red"' }]] });
  });

  it("narrows $in to the union of the values' sets", () => {
    expect(plan({ price: { $in: [1, 2, 2] } })).toEqual({
      sources: [
        [
          { kind: "set", suffix: "ix:0:e:1" },
          { kind: "set", suffix: "ix:0:e:2" },
        ],
      ],
    });
  });

  it("narrows ranges on numbers and dates to the largest or smallest value's sorted set", () => {
    expect(plan({ price: { $gt: 5 } })).toEqual({
      sources: [[{ kind: "range", suffix: "ix:0:nhi", min: "(5", max: "+inf" }]],
    });
    expect(plan({ price: { $gte: -1.5 } })).toEqual({
      sources: [[{ kind: "range", suffix: "ix:0:nhi", min: "-1.5", max: "+inf" }]],
    });
    expect(plan({ price: { $lt: new Date(1000) } })).toEqual({
      sources: [[{ kind: "range", suffix: "ix:0:dlo", min: "-inf", max: "(1000" }]],
    });
    expect(plan({ price: { $lte: 7 } })).toEqual({
      sources: [[{ kind: "range", suffix: "ix:0:nlo", min: "-inf", max: "7" }]],
    });
  });

  it("intersects every narrowable condition of a top-level and nested $and", () => {
    expect(plan({ $and: [{ price: 5 }, { $and: [{ tags: "red" }] }], other: 1 })).toEqual({
      sources: [[{ kind: "set", suffix: "ix:0:e:5" }], [{ kind: "set", suffix: 'ix:1:e:"red"' }]],
    });
  });

  it("prefers keys over equality sets over ranges", () => {
    expect(plan({ _id: "k1", price: 5 })).toEqual({ sources: [[{ kind: "key", key: "k1" }]] });
    expect(plan({ _id: { $in: ["a", "b"] }, price: { $gt: 1 } })).toEqual({
      sources: [
        [
          { kind: "key", key: "a" },
          { kind: "key", key: "b" },
        ],
      ],
    });
    expect(plan({ price: { $gt: 1 }, tags: "red" })).toEqual({
      sources: [[{ kind: "set", suffix: 'ix:1:e:"red"' }]],
    });
  });

  it("an empty $in narrows to nothing, since it matches nothing", () => {
    expect(plan({ price: { $in: [] } })).toEqual({ sources: [[]] });
  });

  it("does not narrow what an index cannot answer", () => {
    for (const filter of [
      {},
      { unindexed: 5 },
      { sku: "building" },
      { price: null },
      { price: { $in: [1, null] } },
      { price: { $in: [1, /x/] } },
      { price: { $gt: "text" } },
      { price: { $ne: 5 } },
      { price: { $nin: [5] } },
      { price: { $not: { $gt: 5 } } },
      { price: { $exists: true } },
      { tags: { $elemMatch: { $eq: "red" } } },
      { $or: [{ price: 5 }, { tags: "red" }] },
      { $nor: [{ price: 5 }] },
      { _id: 5 },
      { _id: { $gt: "a" } },
    ]) {
      expect(plan(filter), JSON.stringify(filter)).toBeUndefined();
    }
  });
});

/** The index sets a collection would hold, built in memory from `indexEntries`. */
function simulateIndex(records: readonly StoredRecord[], definitions: readonly IndexDefinition[]) {
  const sets = new Map<string, Set<string>>();
  const scores = new Map<string, Map<string, number>>();
  for (const record of records) {
    for (const line of indexEntries(record, definitions).split("\n")) {
      if (line === "") continue;
      const fields = line.split("\t");
      if (fields[0] === "s") {
        const members = sets.get(fields[1]!) ?? new Set();
        members.add(record.key);
        sets.set(fields[1]!, members);
      } else {
        const members = scores.get(fields[2]!) ?? new Map();
        members.set(record.key, Number(fields[1]));
        scores.set(fields[2]!, members);
      }
    }
  }
  return { sets, scores };
}

function withinBound(score: number, bound: string, lower: boolean): boolean {
  if (bound === "-inf" || bound === "+inf") return true;
  const exclusive = bound.startsWith("(");
  const limit = Number(exclusive ? bound.slice(1) : bound);
  if (lower) return exclusive ? score > limit : score >= limit;
  return exclusive ? score < limit : score <= limit;
}

function candidates(planned: CandidatePlan, index: ReturnType<typeof simulateIndex>): Set<string> {
  let result: Set<string> | undefined;
  for (const parts of planned.sources) {
    const union = new Set<string>();
    for (const part of parts) {
      if (part.kind === "key") union.add(part.key);
      else if (part.kind === "set")
        for (const key of index.sets.get(part.suffix) ?? []) union.add(key);
      else {
        for (const [key, score] of index.scores.get(part.suffix) ?? []) {
          if (withinBound(score, part.min, true) && withinBound(score, part.max, false))
            union.add(key);
        }
      }
    }
    result = result === undefined ? union : new Set([...result].filter((key) => union.has(key)));
  }
  return result ?? new Set();
}

describe("narrowing never loses a match", () => {
  it("candidates hold every record a random filter matches", () => {
    const records: StoredRecord[] = generateDocuments(300, 7).map(({ _id, ...value }) => ({
      key: _id as string,
      value,
    }));
    const paths = ["a", "b", "n", "s", "tags", "o", "o.x", "a.x", "b.v", "items", "items.k"];
    const definitions = paths.map((path, id) => ({
      id: String(id),
      path: `value.${path}`,
      ready: true,
    }));
    const index = simulateIndex(records, definitions);
    let narrowed = 0;
    for (const raw of fc.sample(randomFilter, { seed: 11, numRuns: 600 })) {
      const filter = toRecordFilter(parseFilter(raw));
      const planned = planCandidates(filter, definitions);
      if (planned === undefined) continue;
      narrowed++;
      const matches = compilePredicate(filter);
      const found = candidates(planned, index);
      for (const record of records) {
        if (matches(recordView(record))) {
          expect(found.has(record.key), `${JSON.stringify(raw)} lost ${record.key}`).toBe(true);
        }
      }
    }
    // The property is only worth something if many filters were narrowed.
    expect(narrowed).toBeGreaterThan(150);
  });
});
