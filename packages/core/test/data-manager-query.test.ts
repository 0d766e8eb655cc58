import { describe, expect, it } from "vitest";
import {
  createDataManager,
  FilterValidationError,
  memoryProvider,
  type StorageProvider,
  UnsupportedCapabilityError,
  ValidationError,
} from "../src/index.js";

async function withEvents() {
  const manager = createDataManager();
  manager.registerProvider("memory", memoryProvider());
  const events = [
    { key: "event_001", data: { user_id: 123, action: "login" }, type: "authentication", day: 15 },
    { key: "event_002", data: { user_id: 123, action: "logout" }, type: "authentication", day: 16 },
    { key: "event_003", data: { user_id: 7, action: "purchase" }, type: "billing", day: 17 },
    { key: "event_004", data: "free text note", type: "note", day: 18 },
  ];
  for (const event of events) {
    await manager.store(event.data, {
      provider: "memory",
      key: event.key,
      collection: "events",
      metadata: { event_type: event.type, day: event.day },
    });
  }
  return manager;
}

const keysOf = (results: { reference: { key: string } }[]) =>
  results.map((result) => result.reference.key);

describe("data manager: query", () => {
  it("filters by metadata, stored data and key", async () => {
    const manager = await withEvents();
    const collection = "events";
    const byType = await manager.query(
      "memory",
      { "metadata.event_type": "authentication" },
      { collection, sort: { key: 1 } },
    );
    expect(keysOf(byType)).toEqual(["event_001", "event_002"]);
    expect(byType[0]?.data).toEqual({ user_id: 123, action: "login" });
    expect(byType[0]?.reference).toMatchObject({
      provider: "memory",
      collection: "events",
      metadata: { event_type: "authentication", day: 15 },
      uri: "agentvault://memory/events/event_001",
    });

    const byData = await manager.query("memory", { "data.action": "purchase" }, { collection });
    expect(keysOf(byData)).toEqual(["event_003"]);
    const byWholeValue = await manager.query("memory", { data: "free text note" }, { collection });
    expect(keysOf(byWholeValue)).toEqual(["event_004"]);
    const byKey = await manager.query(
      "memory",
      { key: { $in: ["event_002", "x"] } },
      { collection },
    );
    expect(keysOf(byKey)).toEqual(["event_002"]);
    const mixed = await manager.query(
      "memory",
      { $or: [{ "data.user_id": 7 }, { "metadata.day": { $gte: 18 } }] },
      { collection, sort: { "metadata.day": -1 } },
    );
    expect(keysOf(mixed)).toEqual(["event_004", "event_003"]);
  });

  it("sorts, skips and limits", async () => {
    const manager = await withEvents();
    const page = await manager.query(
      "memory",
      {},
      { collection: "events", sort: { "metadata.day": -1 }, skip: 1, limit: 2 },
    );
    expect(keysOf(page)).toEqual(["event_003", "event_002"]);
  });

  it("returns at most 100 results by default", async () => {
    const manager = createDataManager();
    manager.registerProvider("memory", memoryProvider());
    for (let index = 0; index < 120; index++) {
      await manager.store(index, { provider: "memory", metadata: { batch: "a" } });
    }
    expect(await manager.query("memory", { "metadata.batch": "a" })).toHaveLength(100);
    expect(await manager.query("memory", { "metadata.batch": "a" }, { limit: 150 })).toHaveLength(
      120,
    );
    expect(await manager.query("memory", {}, { limit: 0 })).toEqual([]);
    await expect(manager.query("memory", {}, { limit: -1 })).rejects.toThrow(ValidationError);
    await expect(manager.query("memory", {}, { limit: 2.5 })).rejects.toThrow(ValidationError);
  });

  it("rejects paths outside metadata, data and key, naming the allowed roots", async () => {
    const manager = await withEvents();
    for (const filter of [{ user_id: 123 }, { $or: [{ "value.user_id": 123 }] }, { "key.x": 1 }]) {
      await expect(manager.query("memory", filter, { collection: "events" })).rejects.toSatisfy(
        (error: unknown) =>
          FilterValidationError.isInstance(error) &&
          error.message.includes("metadata.*, data, data.* or key"),
      );
    }
    await expect(
      manager.query("memory", {}, { collection: "events", sort: { created: 1 } }),
    ).rejects.toThrow(FilterValidationError);
    await expect(
      manager.query("memory", { $where: "true" }, { collection: "events" }),
    ).rejects.toThrow();
  });
});

describe("data manager: search", () => {
  it("ranks stored vectors, filters by metadata and drops low scores", async () => {
    const manager = createDataManager();
    manager.registerProvider("vectors", memoryProvider());
    const documents = [
      { text: "Praval is a multi-agent AI framework", vector: [1, 0, 0], category: "docs" },
      { text: "Agents share a vault", vector: [0.8, 0.6, 0], category: "docs" },
      { text: "Lunch menu", vector: [0, 0, 1], category: "misc" },
    ];
    for (const document of documents) {
      await manager.store(
        { text: document.text },
        { provider: "vectors", vector: document.vector, metadata: { category: document.category } },
      );
    }
    const hits = await manager.search("vectors", [1, 0, 0], { limit: 2 });
    expect(hits.map((hit) => hit.data)).toEqual([
      { text: "Praval is a multi-agent AI framework" },
      { text: "Agents share a vault" },
    ]);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    expect(hits[0]!.reference.metadata).toEqual({ category: "docs" });

    const misc = await manager.search("vectors", [1, 0, 0], {
      filter: { "metadata.category": "misc" },
    });
    expect(misc.map((hit) => hit.data)).toEqual([{ text: "Lunch menu" }]);
    const close = await manager.search("vectors", [1, 0, 0], { minScore: 0.9 });
    expect(close.map((hit) => hit.data)).toEqual([
      { text: "Praval is a multi-agent AI framework" },
    ]);
  });

  it("fails clearly on a provider without vector search", async () => {
    const manager = createDataManager();
    const base = memoryProvider();
    const noVectors = new Proxy(base, {
      get(target, property) {
        if (property === "search") return undefined;
        if (property === "capabilities") return { ...target.capabilities, vectorSearch: false };
        const value = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    }) as StorageProvider;
    manager.registerProvider("plain", noVectors);
    await expect(manager.search("plain", [1, 0])).rejects.toThrow(UnsupportedCapabilityError);
  });
});
