/**
 * Seed 001's data manager flows through the public `agentvault` API: named providers, metadata
 * queries, references passed around as objects or URIs, and health.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createDataManager,
  type DataManager,
  getDataManager,
  loadProviderFactories,
  memoryProvider,
  ProviderNotRegisteredError,
  type StorageProvider,
} from "../src/index.js";

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "agentvault-seed-001-"));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

let files = 0;
/** A fresh SQLite provider, made the way `configureFromEnv` makes it. */
async function sqlite(): Promise<StorageProvider> {
  const { sqlite: create } = await loadProviderFactories(["sqlite"]);
  files += 1;
  return create!({ kind: "sqlite", path: join(folder, `provider-${files}.db`) });
}

const backends: { name: string; provider: () => StorageProvider | Promise<StorageProvider> }[] = [
  { name: "memory", provider: memoryProvider },
  { name: "SQLite", provider: sqlite },
];

describe.each(backends)("seed 001: the data manager on $name providers", ({ provider }) => {
  let manager: DataManager;
  afterEach(() => manager.close());

  it("stores with metadata, queries it, resolves references and deletes", async () => {
    manager = createDataManager();
    manager.registerProvider("postgresql", await provider());
    manager.registerProvider("filesystem", await provider());

    const login = await manager.store(
      { user_id: 123, action: "login" },
      {
        provider: "postgresql",
        key: "event_001",
        metadata: { event_type: "authentication", timestamp: "2025-01-15" },
      },
    );
    await manager.store(
      { user_id: 123, action: "export" },
      { provider: "postgresql", metadata: { event_type: "data", timestamp: "2025-01-16" } },
    );
    const greeting = await manager.store(
      { content: "Hello, World!" },
      { provider: "filesystem", key: "greeting.json" },
    );

    const events = await manager.query("postgresql", {
      "metadata.event_type": "authentication",
    });
    expect(events.map((event) => event.data)).toEqual([{ user_id: 123, action: "login" }]);
    expect(events[0]?.reference.uri).toBe("agentvault://postgresql/data/event_001");

    // References travel as JSON (for example in an agent message) and as URIs.
    const passedAlong = JSON.parse(JSON.stringify({ stored_reference: login })).stored_reference;
    expect(await manager.retrieve(passedAlong)).toEqual({ user_id: 123, action: "login" });
    expect(await manager.retrieve(greeting.uri)).toEqual({ content: "Hello, World!" });
    expect(await manager.retrieveByKey("filesystem", "greeting.json")).toEqual({
      content: "Hello, World!",
    });
    // Providers are separate stores: the key is not in the other one.
    expect(await manager.retrieveByKey("postgresql", "greeting.json")).toBeNull();

    expect(await manager.delete(login)).toBe(true);
    expect(await manager.retrieve(login.uri)).toBeNull();
    expect(await manager.deleteByKey("filesystem", "greeting.json")).toBe(true);
    expect(await manager.query("postgresql", { "metadata.event_type": "authentication" })).toEqual(
      [],
    );
  });

  it("rolls back a multi-provider write by deleting what was stored", async () => {
    manager = createDataManager();
    manager.registerProvider("postgresql", await provider());
    const references = [];
    let failure: unknown;
    try {
      references.push(
        await manager.store({ transaction: "permanent" }, { provider: "postgresql" }),
      );
      references.push(await manager.store({ file: "large" }, { provider: "s3" }));
    } catch (error) {
      failure = error;
      for (const reference of references) await manager.delete(reference);
    }
    expect(ProviderNotRegisteredError.isInstance(failure)).toBe(true);
    expect((failure as Error).message).toContain('"s3" is not registered (registered: postgresql)');
    expect(await manager.query("postgresql", {})).toEqual([]);
  });

  it("reports the health of every provider", async () => {
    manager = createDataManager();
    manager.registerProvider("cache", await provider());
    manager.registerProvider("archive", await provider());
    const report = await manager.health();
    expect(Object.keys(report).sort()).toEqual(["archive", "cache"]);
    expect(Object.values(report).every((status) => status.ok)).toBe(true);
  });

  it("offers one shared manager to every agent in the process", async () => {
    manager = createDataManager();
    const shared = getDataManager();
    expect(getDataManager()).toBe(shared);
    shared.registerProvider("seed-001-shared", await provider());
    const reference = await getDataManager().store("shared note", { provider: "seed-001-shared" });
    expect(await shared.retrieve(reference)).toBe("shared note");
    const registered = shared.getProvider("seed-001-shared");
    shared.unregisterProvider("seed-001-shared");
    await registered.close();
  });
});
