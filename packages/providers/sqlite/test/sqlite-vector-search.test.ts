/**
 * Vector search on SQLite beyond the shared suite: the approximate (HNSW) path on collections
 * past `minRecords`, compared with brute force, and kept in step with writes from this
 * connection, from another connection, and inside transactions.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createVault,
  type StorageProvider,
  ValidationError,
  type VectorMetric,
  vectorScore,
} from "@agentvault/core";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { sqliteProvider } from "../src/index.js";
import { CollectionVectorIndex } from "../src/sqlite-vector-index.js";

const directory = mkdtempSync(join(tmpdir(), "agentvault-sqlite-vectors-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const dimensions = 16;
const corpusSize = 600;

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
}

function unitVector(seed: number): number[] {
  const next = seeded(seed * 7919 + 17);
  const components = Array.from({ length: dimensions }, next);
  const norm = Math.hypot(...components);
  return components.map((component) => component / norm);
}

const corpus = Array.from({ length: corpusSize }, (_, index) => ({
  key: `k${index}`,
  vector: unitVector(index),
  doc: { index, bucket: index % 4 },
}));

/** The reference: keys by score under `metric`, ties by key. */
function bruteForce(
  query: readonly number[],
  options: { metric?: VectorMetric; keep?: (index: number) => boolean; limit?: number } = {},
): string[] {
  return corpus
    .filter((item) => options.keep?.(item.doc.index) ?? true)
    .map((item) => ({
      key: item.key,
      score: vectorScore(options.metric ?? "cosine", query, item.vector),
    }))
    .sort((left, right) => right.score - left.score || (left.key < right.key ? -1 : 1))
    .slice(0, options.limit ?? 10)
    .map((entry) => entry.key);
}

const providers: StorageProvider[] = [];
afterEach(async () => {
  for (const provider of providers.splice(0)) await provider.close();
  vi.restoreAllMocks();
});

let files = 0;
async function loaded(options: { metric?: VectorMetric; approximate?: false | object } = {}) {
  files += 1;
  const path = join(directory, `vectors-${files}.db`);
  const provider = sqliteProvider({
    path,
    vectorMetric: options.metric ?? "cosine",
    approximate: options.approximate ?? { minRecords: 200 },
  });
  providers.push(provider);
  const vault = createVault({ provider });
  await provider.putMany(
    "docs",
    corpus.map((item) => ({ key: item.key, value: item.doc, vector: item.vector })),
  );
  return { provider, vault, path };
}

const queries = [9001, 9002, 9003, 9004, 9005].map(unitVector);

describe("sqlite approximate vector search", () => {
  it("reports exact search below minRecords, when switched off, and on empty collections", async () => {
    const small = sqliteProvider({ path: ":memory:", approximate: { minRecords: 5000 } });
    providers.push(small);
    expect(await small.prepareVectorIndex("none")).toMatchObject({ mode: "exact", vectors: 0 });
    await small.putMany(
      "docs",
      corpus.slice(0, 50).map((item) => ({ key: item.key, value: item.doc, vector: item.vector })),
    );
    const status = await small.prepareVectorIndex("docs");
    expect(status).toMatchObject({ mode: "exact", vectors: 50 });
    expect(status.reason).toContain("minRecords");
    const { provider } = await loaded({ approximate: false });
    expect(await provider.prepareVectorIndex("docs")).toMatchObject({
      mode: "exact",
      reason: "approximate: false",
    });
  });

  it("refuses invalid approximate options", () => {
    for (const approximate of [{ minRecords: -1 }, { efSearch: 0 }, { m: 2.5 }, "yes"]) {
      expect(() =>
        sqliteProvider({ path: ":memory:", approximate: approximate as object }),
      ).toThrow(ValidationError);
    }
    expect(() =>
      sqliteProvider({ path: ":memory:", approximate: { minFilterFraction: 2 } }),
    ).toThrow(/at most 1/);
  });

  it.each(["cosine", "dot", "euclidean"] as const)(
    "answers like brute force through the index (%s)",
    async (metric) => {
      const { provider, vault } = await loaded({ metric });
      expect(await provider.prepareVectorIndex("docs")).toEqual({
        mode: "approximate",
        vectors: corpusSize,
      });
      const nearest = vi.spyOn(CollectionVectorIndex.prototype, "nearest");
      for (const query of queries) {
        const hits = await vault.search("docs", { vector: query, limit: 10 });
        expect(hits.map((hit) => hit.doc._id)).toEqual(bruteForce(query, { metric }));
        const expected = corpus.find((item) => item.key === hits[0]!.doc._id)!;
        expect(hits[0]!.score).toBe(vectorScore(metric, query, expected.vector));
      }
      expect(nearest).toHaveBeenCalledTimes(queries.length);
    },
  );

  it("filters: broad ones walk the index, selective ones are answered exactly", async () => {
    const { provider, vault } = await loaded({ approximate: { minRecords: 100 } });
    await provider.prepareVectorIndex("docs");
    const nearest = vi.spyOn(CollectionVectorIndex.prototype, "nearest");
    const query = queries[0]!;
    const broad = await vault.search("docs", { vector: query, filter: { bucket: { $ne: 3 } } });
    expect(broad.map((hit) => hit.doc._id)).toEqual(
      bruteForce(query, { keep: (index) => index % 4 !== 3 }),
    );
    expect(nearest).toHaveBeenCalledTimes(1);
    const selective = await vault.search("docs", {
      vector: query,
      filter: { index: { $lt: 40 } },
    });
    expect(selective.map((hit) => hit.doc._id)).toEqual(
      bruteForce(query, { keep: (index) => index < 40 }),
    );
    expect(nearest).toHaveBeenCalledTimes(1);
  });

  it("follows this connection's writes: inserts, replaced vectors, deletes, expiry", async () => {
    const clock = { now: Date.now() };
    files += 1;
    const provider = sqliteProvider({
      path: join(directory, `vectors-${files}.db`),
      approximate: { minRecords: 200 },
      clock: () => clock.now,
    });
    providers.push(provider);
    const vault = createVault({ provider, now: () => clock.now });
    await provider.putMany(
      "docs",
      corpus.map((item) => ({ key: item.key, value: item.doc, vector: item.vector })),
    );
    expect((await provider.prepareVectorIndex("docs")).mode).toBe("approximate");
    const query = queries[1]!;
    const top = async () =>
      (await vault.search("docs", { vector: query, limit: 3 })).map((hit) => hit.doc._id);

    const nearest = vi.spyOn(CollectionVectorIndex.prototype, "nearest");
    await vault.store("docs", { index: -1 }, { key: "fresh", vector: query });
    expect((await top())[0]).toBe("fresh");
    expect((await provider.prepareVectorIndex("docs")).vectors).toBe(corpusSize + 1);
    const far = bruteForce(query, { limit: corpusSize }).at(-1)!;
    await vault.store("docs", { index: -2 }, { key: far, vector: query });
    expect(await top()).toEqual(["fresh", far, bruteForce(query)[0]]);
    expect(await vault.delete("docs", "fresh")).toBe(true);
    await vault.store("docs", { index: -2 }, { key: far });
    expect(await top()).toEqual(bruteForce(query, { limit: 3 }));
    await vault.store("docs", { index: -3 }, { key: "brief", vector: query, ttl: 1 });
    expect((await top())[0]).toBe("brief");
    clock.now += 2_000;
    expect(await top()).toEqual(bruteForce(query, { limit: 3 }));
    expect(await provider.prepareVectorIndex("docs")).toEqual({
      mode: "approximate",
      // +1 "brief" (expired, swept later), -1 the far record that lost its vector.
      vectors: corpusSize,
    });
    // Every search above went through the index, none fell back to the exact scan.
    expect(nearest).toHaveBeenCalledTimes(5);
  });

  it("follows writes committed by another connection to the same file", async () => {
    const { provider, vault, path } = await loaded();
    await provider.prepareVectorIndex("docs");
    const other = sqliteProvider({ path, approximate: false });
    providers.push(other);
    const query = queries[2]!;
    await createVault({ provider: other }).store(
      "docs",
      { index: -1 },
      { key: "elsewhere", vector: query },
    );
    const moved = bruteForce(query)[0]!;
    await other.delete("docs", moved);
    const nearest = vi.spyOn(CollectionVectorIndex.prototype, "nearest");
    const hits = await vault.search("docs", { vector: query, limit: 3 });
    expect(hits.map((hit) => hit.doc._id)).toEqual([
      "elsewhere",
      ...bruteForce(query, { keep: (index) => `k${index}` !== moved, limit: 2 }),
    ]);
    expect(nearest).toHaveBeenCalled();
  });

  it("inside a transaction sees its own writes, and a rollback leaves the index as it was", async () => {
    const { provider, vault } = await loaded();
    await provider.prepareVectorIndex("docs");
    const query = queries[3]!;
    const before = bruteForce(query, { limit: 3 });
    await expect(
      vault.transaction(async (tx) => {
        await tx.store("docs", { index: -1 }, { key: "pending", vector: query });
        const inside = await tx.search("docs", { vector: query, limit: 3 });
        expect(inside.map((hit) => hit.doc._id)).toEqual(["pending", ...before.slice(0, 2)]);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    const after = await vault.search("docs", { vector: query, limit: 3 });
    expect(after.map((hit) => hit.doc._id)).toEqual(before);
  });

  it("a query of another dimension fails with ValidationError on the index path too", async () => {
    const { provider, vault } = await loaded();
    await provider.prepareVectorIndex("docs");
    await expect(vault.search("docs", { vector: [1, 0, 0] })).rejects.toThrow(ValidationError);
  });

  it("a dropped collection loses its index; a new one of that name starts exact", async () => {
    const { provider, vault } = await loaded();
    await provider.prepareVectorIndex("docs");
    await vault.clear("docs");
    expect(await vault.search("docs", { vector: queries[0]! })).toEqual([]);
    await vault.store("docs", { n: 1 }, { key: "one", vector: queries[0]! });
    expect(await provider.prepareVectorIndex("docs")).toMatchObject({ mode: "exact", vectors: 1 });
    const hits = await vault.search("docs", { vector: queries[0]! });
    expect(hits.map((hit) => hit.doc._id)).toEqual(["one"]);
  });
});
