/**
 * Vector search. Every vector here is a unit vector, where cosine, dot product and euclidean
 * distance rank alike, so each expectation holds whatever metric the provider uses; the
 * reference ranking is brute force over the same vectors, best first, ties by key.
 *
 * Covered: exact top-k on seeded random vectors, ties, filters combined with similarity (the
 * filter first, then the ranking), minScore, limit, deletes and updates reflected, expiry,
 * dimension errors, and `UnsupportedCapabilityError` without the capability.
 */

import { type Filter, UnsupportedCapabilityError, ValidationError } from "@agentvault/core";
import type { AreaContext } from "../area-context.js";
import { expectErrorKind } from "../assertions.js";

const dimensions = 12;

/** A deterministic unit vector per seed (a simple LCG, so every run uses the same data). */
function unitVector(seed: number): number[] {
  let state = (seed * 2654435761 + 12345) >>> 0;
  const components = Array.from({ length: dimensions }, () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  });
  const norm = Math.hypot(...components);
  return components.map((component) => component / norm);
}

function dot(left: readonly number[], right: readonly number[]): number {
  return left.reduce((sum, component, index) => sum + component * right[index]!, 0);
}

interface Item {
  readonly key: string;
  readonly vector: readonly number[];
  readonly doc: { readonly index: number; readonly group: string; readonly rank: number };
}

const groups = ["red", "green", "blue"] as const;

/** The records of the main collection: `v000`..., stored in a shuffled (non-key) order. */
function items(count: number): Item[] {
  const all = Array.from({ length: count }, (_, index) => ({
    key: `v${String(index).padStart(3, "0")}`,
    vector: unitVector(index),
    doc: { index, group: groups[index % 3]!, rank: (index * 7) % 10 },
  }));
  return all.sort((left, right) => (left.vector[0]! < right.vector[0]! ? -1 : 1));
}

/** Brute force: keys by descending similarity to `query`, ties by key. */
function bruteForce(pool: readonly Item[], query: readonly number[]): string[] {
  return pool
    .map((item) => ({ key: item.key, score: dot(item.vector, query) }))
    .sort((left, right) => right.score - left.score || (left.key < right.key ? -1 : 1))
    .map((entry) => entry.key);
}

/** Registers the vector tests. */
export function vectorsTests(context: AreaContext): void {
  const { it, expect, beforeAll } = context.runner;
  const supported = () => context.provider().capabilities.vectorSearch;
  const notSupported = "the provider does not declare vectorSearch";
  const corpus = items(120);
  const queries = [1000, 1001, 1002, 1003].map(unitVector);
  const query = queries[0]!;
  let collection = "";

  beforeAll(async () => {
    collection = context.collectionName("vectors");
    if (!supported()) return;
    const vault = context.vault();
    for (const item of corpus) {
      await vault.store(collection, { ...item.doc }, { key: item.key, vector: item.vector });
    }
    await vault.store(collection, { index: -1, group: "red", rank: 0 }, { key: "no-vector" });
  });

  async function searchKeys(
    name: string,
    options: { vector: readonly number[]; limit?: number; filter?: Filter; minScore?: number },
  ): Promise<string[]> {
    const hits = await context.vault().search(name, options);
    return hits.map((hit) => hit.doc._id as string);
  }

  it("without the capability, search fails with UnsupportedCapabilityError", async (test) => {
    if (supported()) return test.skip("the provider declares vectorSearch");
    await expectErrorKind(
      expect,
      () => context.vault().search(collection, { vector: query }),
      UnsupportedCapabilityError,
    );
  });

  it("returns the exact top-k of random vectors, best first, as brute force does", async (test) => {
    if (!supported()) return test.skip(notSupported);
    for (const vector of queries) {
      const hits = await context.vault().search(collection, { vector, limit: 7 });
      expect(hits.map((hit) => hit.doc._id)).toEqual(bruteForce(corpus, vector).slice(0, 7));
      for (let index = 1; index < hits.length; index++) {
        expect(hits[index]!.score).toBeLessThanOrEqual(hits[index - 1]!.score);
      }
    }
    const [first] = await context.vault().search(collection, { vector: query, limit: 1 });
    const expected = corpus.find((item) => item.key === first!.doc._id)!;
    expect(first!.doc).toEqual({ _id: expected.key, ...expected.doc });
  });

  it("defaults to 10 results and never returns records without a vector", async (test) => {
    if (!supported()) return test.skip(notSupported);
    expect(await searchKeys(collection, { vector: query })).toEqual(
      bruteForce(corpus, query).slice(0, 10),
    );
    const all = await searchKeys(collection, { vector: query, limit: 1000 });
    expect(all).toEqual(bruteForce(corpus, query));
    expect(all).not.toContain("no-vector");
  });

  it("equal scores come back ordered by key, whatever the insertion order", async (test) => {
    if (!supported()) return test.skip(notSupported);
    const name = context.collectionName("vector_ties");
    const vault = context.vault();
    const shared = unitVector(77);
    for (const key of ["tie-d", "tie-b", "tie-c", "tie-a"]) {
      await vault.store(name, { key }, { key, vector: shared });
    }
    await vault.store(name, { key: "other" }, { key: "other", vector: unitVector(78) });
    const hits = await vault.search(name, { vector: shared, limit: 3 });
    expect(hits.map((hit) => hit.doc._id)).toEqual(["tie-a", "tie-b", "tie-c"]);
    expect(new Set(hits.map((hit) => hit.score)).size).toBe(1);
    expect(await searchKeys(name, { vector: shared, limit: 10 })).toEqual([
      "tie-a",
      "tie-b",
      "tie-c",
      "tie-d",
      "other",
    ]);
  });

  it("a filter restricts the candidates before ranking", async (test) => {
    if (!supported()) return test.skip(notSupported);
    const cases: { filter: Filter; keep: (item: Item) => boolean }[] = [
      { filter: { group: "green" }, keep: (item) => item.doc.group === "green" },
      { filter: { rank: { $gte: 8 } }, keep: (item) => item.doc.rank >= 8 },
      {
        filter: { $or: [{ group: "blue" }, { rank: { $in: [0, 1] } }] },
        keep: (item) => item.doc.group === "blue" || item.doc.rank <= 1,
      },
      {
        filter: { group: { $ne: "red" }, index: { $mod: [4, 1] } },
        keep: (item) => item.doc.group !== "red" && item.doc.index % 4 === 1,
      },
    ];
    for (const { filter, keep } of cases) {
      const pool = corpus.filter(keep);
      expect(await searchKeys(collection, { vector: query, limit: 5, filter })).toEqual(
        bruteForce(pool, query).slice(0, 5),
      );
    }
    const selective = corpus.filter((item) => item.doc.index === 17);
    expect(await searchKeys(collection, { vector: query, filter: { index: 17 } })).toEqual(
      bruteForce(selective, query),
    );
    expect(await searchKeys(collection, { vector: query, filter: { group: "purple" } })).toEqual(
      [],
    );
  });

  it("minScore drops weaker hits and keeps the order", async (test) => {
    if (!supported()) return test.skip(notSupported);
    const all = await context.vault().search(collection, { vector: query, limit: 1000 });
    const threshold = all[4]!.score;
    const strong = await context
      .vault()
      .search(collection, { vector: query, limit: 1000, minScore: threshold });
    expect(strong.length).toBeGreaterThanOrEqual(5);
    expect(strong.every((hit) => hit.score >= threshold)).toBe(true);
    expect(strong.map((hit) => hit.doc._id)).toEqual(
      all.filter((hit) => hit.score >= threshold).map((hit) => hit.doc._id),
    );
    const none = await context
      .vault()
      .search(collection, { vector: query, minScore: all[0]!.score + 1 });
    expect(none).toEqual([]);
  });

  it("deletes, replaced vectors and updated fields are reflected at once", async (test) => {
    if (!supported()) return test.skip(notSupported);
    const name = context.collectionName("vector_changes");
    const vault = context.vault();
    const pool = corpus.slice(0, 30);
    for (const item of pool) {
      await vault.store(name, { ...item.doc }, { key: item.key, vector: item.vector });
    }
    const [best, second] = bruteForce(pool, query);
    expect(await vault.delete(name, best!)).toBe(true);
    expect((await searchKeys(name, { vector: query, limit: 1 }))[0]).toBe(second);

    // The vector of a far record now equals the query: it must rank first.
    const far = bruteForce(pool, query).at(-1)!;
    await vault.store(name, { index: 999, group: "moved", rank: 0 }, { key: far, vector: query });
    const [moved] = await vault.search(name, { vector: query, limit: 1 });
    expect(moved!.doc).toEqual({ _id: far, index: 999, group: "moved", rank: 0 });

    // Stored again without a vector: no longer searchable.
    await vault.store(name, { index: 999, group: "moved", rank: 0 }, { key: far });
    expect(await searchKeys(name, { vector: query, limit: 100 })).not.toContain(far);

    // A field the filter reads changes: the filtered ranking follows.
    const target = bruteForce(pool, query)[3]!;
    expect(await vault.update(name, target, { group: "changed" })).toBe(true);
    expect(await searchKeys(name, { vector: query, filter: { group: "changed" } })).toEqual([
      target,
    ]);
    expect(await vault.deleteMany(name, { group: "changed" })).toBe(1);
    expect(await searchKeys(name, { vector: query, filter: { group: "changed" } })).toEqual([]);
  });

  it("expired records are never returned", async (test) => {
    if (!supported()) return test.skip(notSupported);
    const clockMode =
      context.limits.ttl ?? (context.provider().capabilities.nativeTtl ? "real" : "clock");
    if (clockMode !== "clock") return test.skip("the provider expires records itself");
    const name = context.collectionName("vector_ttl");
    const vault = context.vault();
    await vault.store(name, { n: 1 }, { key: "short", vector: query, ttl: 5 });
    await vault.store(name, { n: 2 }, { key: "long", vector: unitVector(5) });
    expect(await searchKeys(name, { vector: query })).toEqual(["short", "long"]);
    context.clock.advance(6_000);
    expect(await searchKeys(name, { vector: query })).toEqual(["long"]);
  });

  it("the first vector fixes the dimension: other sizes fail with ValidationError", async (test) => {
    if (!supported()) return test.skip(notSupported);
    const vault = context.vault();
    const name = context.collectionName("vector_dimension");
    await vault.store(name, { n: 1 }, { key: "a", vector: [0.6, 0.8, 0] });
    await expectErrorKind(
      expect,
      () => vault.store(name, { n: 2 }, { key: "b", vector: [1, 0] }),
      ValidationError,
    );
    expect(await vault.retrieve(name, "b")).toBeNull();
    await expectErrorKind(expect, () => vault.search(name, { vector: [1, 0] }), ValidationError);
    await expectErrorKind(
      expect,
      () => vault.search(name, { vector: [1, 0, 0, 0], filter: { n: 42 } }),
      ValidationError,
    );
    const hits = await vault.search(name, { vector: [0, 1, 0] });
    expect(hits.map((hit) => hit.doc._id)).toEqual(["a"]);
  });

  it("an empty or non-numeric query vector is refused with ValidationError", async () => {
    const vault = context.vault();
    await expectErrorKind(expect, () => vault.search(collection, { vector: [] }), ValidationError);
    await expectErrorKind(
      expect,
      () => vault.search(collection, { vector: [1, Number.NaN] }),
      ValidationError,
    );
  });
}
