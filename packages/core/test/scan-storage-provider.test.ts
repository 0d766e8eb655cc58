/**
 * `ScanStorageProvider` over the smallest storage layer: a Map per collection. The filesystem and
 * S3 providers run the whole conformance suite over it; this checks what it adds itself.
 */

import { parseFilter, parseUpdate } from "@agentvault/query";
import { describe, expect, it } from "vitest";
import {
  createScanProviderRoot,
  type HealthStatus,
  isExpired,
  type RecordChange,
  type RecordCheck,
  type RecordUpdate,
  runInBackground,
  ScanStorageProvider,
  type StorageProvider,
  type StoredRecord,
} from "../src/index.js";

const now = 1_000;

/** The record source: live records from a Map per collection. */
class MapRecords {
  readonly collections = new Map<string, Map<string, StoredRecord>>();

  async readLive(collection: string, key: string): Promise<StoredRecord | undefined> {
    const record = this.collections.get(collection)?.get(key);
    return record === undefined || isExpired(record, now) ? undefined : record;
  }

  async scanLive(collection: string): Promise<StoredRecord[]> {
    const records = [...(this.collections.get(collection)?.values() ?? [])];
    return records.filter((record) => !isExpired(record, now));
  }
}

class MapProvider extends ScanStorageProvider {
  readonly records: MapRecords;
  readonly collections: Map<string, Map<string, StoredRecord>>;
  readonly actions: string[] = [];
  /** Called before each atomic write re-checks its record, to stage a concurrent writer. */
  beforeWrite: (key: string) => void = () => {};

  constructor() {
    const root = createScanProviderRoot({ now: () => now });
    const records = new MapRecords();
    super({ name: "map", database: "default", root, records, readConcurrency: 2 });
    this.records = records;
    this.collections = records.collections;
  }

  #collection(name: string): Map<string, StoredRecord> {
    const collection = this.collections.get(name) ?? new Map<string, StoredRecord>();
    this.collections.set(name, collection);
    return collection;
  }

  protected override async run<T>(action: string, fn: () => Promise<T>): Promise<T> {
    this.actions.push(action);
    return fn();
  }
  protected override async updateLive(collection: string, key: string, change: RecordChange) {
    this.beforeWrite(key);
    const current = await this.records.readLive(collection, key);
    if (current === undefined || (change.check !== undefined && !change.check(current))) {
      return null;
    }
    const updated = { ...current, value: { ...(current.value as object), touched: true } };
    this.#collection(collection).set(key, updated);
    return updated;
  }
  protected override async deleteLive(collection: string, key: string, check: RecordCheck) {
    this.beforeWrite(key);
    const current = await this.records.readLive(collection, key);
    if (current === undefined || !check(current)) return false;
    return this.#collection(collection).delete(key);
  }

  override withDatabase(): StorageProvider {
    return this;
  }
  override async put(collection: string, record: StoredRecord) {
    this.#collection(collection).set(record.key, record);
  }
  override async putMany(collection: string, records: readonly StoredRecord[]) {
    for (const record of records) await this.put(collection, record);
  }
  override async delete(collection: string, key: string) {
    return this.#collection(collection).delete(key);
  }
  override update(collection: string, key: string, changes: RecordUpdate) {
    return this.updateLive(collection, key, { changes });
  }
  override async dropCollection(collection: string) {
    const size = (await this.records.scanLive(collection)).length;
    this.collections.delete(collection);
    return size;
  }
  override listCollections() {
    return this.run("list collections", () =>
      this.liveCollectionNames([...this.collections.keys(), "not-a-collection"], {
        concurrency: 2,
        nameOf: async (entry) => (entry.startsWith("not-") ? undefined : entry),
      }),
    );
  }
  override async dropDatabase() {
    this.collections.clear();
  }
  override async health(): Promise<HealthStatus> {
    return { ok: true };
  }
  override async close() {}
}

async function seeded(): Promise<MapProvider> {
  const provider = new MapProvider();
  await provider.putMany("items", [
    { key: "a", value: { n: 1, group: "x" }, vector: [1, 0] },
    { key: "b", value: { n: "text", group: "x" }, vector: [0, 1] },
    { key: "c", value: { n: 3, group: "y" }, vector: [1, 0] },
    { key: "old", value: { n: 4, group: "x" }, expiresAt: 500 },
  ]);
  return provider;
}

describe("ScanStorageProvider", () => {
  it("reads, queries and counts live records through run", async () => {
    const provider = await seeded();
    expect((await provider.get("items", "a"))?.value).toEqual({ n: 1, group: "x" });
    expect(await provider.get("items", "old")).toBeNull();
    const many = await provider.getMany("items", ["c", "missing", "a", "old"]);
    expect(many.map((record) => record?.key ?? null)).toEqual(["c", null, "a", null]);
    const query = { filter: parseFilter({ "value.group": "x" }) };
    expect((await provider.find("items", query)).map((record) => record.key).sort()).toEqual([
      "a",
      "b",
    ]);
    expect(await provider.count("items", parseFilter({}))).toBe(3);
    expect(provider.actions).toEqual([
      "read a record",
      "read a record",
      "read records",
      "query a collection",
      "count a collection",
    ]);
  });

  it("updateMany validates every update before writing any", async () => {
    const provider = await seeded();
    const changes = { value: parseUpdate({ $inc: { n: 1 } }) };
    // "b" holds a string: its $inc fails before "a" (scanned first) is written.
    await expect(provider.updateMany("items", parseFilter({}), changes)).rejects.toThrow("$inc");
    expect((await provider.get("items", "a"))?.value).toEqual({ n: 1, group: "x" });
  });

  it("updateMany and deleteMany skip records a concurrent writer moved out of the filter", async () => {
    const provider = await seeded();
    provider.beforeWrite = (key) => {
      const record = provider.collections.get("items")?.get(key);
      if (key === "a" && record !== undefined) {
        provider.collections.get("items")?.set(key, { ...record, value: { n: 1, group: "y" } });
      }
    };
    const changes = { value: parseUpdate({ $set: { seen: true } }) };
    expect(await provider.updateMany("items", parseFilter({ "value.group": "x" }), changes)).toBe(
      1,
    );
    expect((await provider.get("items", "a"))?.value).toEqual({ n: 1, group: "y" });
    expect((await provider.get("items", "b"))?.value).toMatchObject({ touched: true });
    const deleted = await provider.deleteMany("items", parseFilter({ "value.group": "y" }));
    expect(deleted).toBe(2);
    expect(await provider.count("items", parseFilter({}))).toBe(1);
  });

  it("searches with the shared ranking and lists only collections with live records", async () => {
    const provider = await seeded();
    await provider.put("expired-only", { key: "k", value: 1, expiresAt: 10 });
    const hits = await provider.search("items", { vector: [1, 0] });
    expect(hits.map((hit) => [hit.record.key, hit.score])).toEqual([
      ["a", 1],
      ["c", 1],
      ["b", 0],
    ]);
    expect(await provider.listCollections()).toEqual(["items"]);
    expect(await provider.ensureIndexes()).toBe(false);
    expect(provider.capabilities).toMatchObject({ vectorSearch: true, nativeFilters: false });
  });
});

describe("scan provider root", () => {
  it("applies the option defaults and starts open", () => {
    const root = createScanProviderRoot({});
    expect(root).toMatchObject({ vectorMetric: "cosine", vectorMetrics: {}, closed: false });
    expect(Math.abs(root.now() - Date.now())).toBeLessThan(1_000);
    expect(createScanProviderRoot({ vectorMetric: "dot", now: () => 5 }).now()).toBe(5);
  });

  it("tracks background work until it settles, ignoring its failure", async () => {
    const root = createScanProviderRoot({});
    let finish = () => {};
    runInBackground(root, new Promise<void>((resolve) => (finish = resolve)));
    runInBackground(root, Promise.reject(new Error("ignored")));
    expect(root.background.size).toBe(2);
    finish();
    await Promise.all([...root.background]);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(root.background.size).toBe(0);
  });
});
