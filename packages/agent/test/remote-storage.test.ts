import { createVaultClient, type VaultClient } from "@agentvault/client";
import {
  createDataManager,
  createVault,
  type DataReference,
  memoryProvider,
  PermissionDeniedError,
  type Vault,
} from "@agentvault/core";
import { createLogger, createServer } from "@agentvault/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  requiresStorage,
  type StorageContext,
  type StorageOptions,
  type StorageRequirementError,
  storageEnabled,
} from "../src/index.js";

/** A seed-001 style agent: stores results with metadata, finds them again by metadata. */
function dataHandler(source: Pick<StorageOptions, "dataManager" | "vault">) {
  return storageEnabled(
    { providers: ["records", "cache"], collections: ["results", "sessions"], ...source },
    async (inputs: readonly number[], { storage }: StorageContext) => {
      const references: DataReference[] = [];
      for (const [index, value] of inputs.entries()) {
        references.push(
          await storage.store(
            { value, squared: value * value },
            {
              provider: "records",
              collection: "results",
              key: `result-${index}`,
              metadata: { processedBy: "data_handler", even: value % 2 === 0, index },
            },
          ),
        );
      }
      await storage.store(
        { user: "alice" },
        { provider: "cache", collection: "sessions", key: "s1", ttl: 300 },
      );
      const even = await storage.query(
        "records",
        { "metadata.even": true, "data.squared": { $gte: 4 } },
        { collection: "results", sort: { "metadata.index": -1 } },
      );
      const byKey = await storage.query("records", { key: "result-0" }, { collection: "results" });
      return {
        references: references.map((reference) => reference.uri),
        even: even.map((result) => ({ data: result.data, metadata: result.reference.metadata })),
        first: byKey.map((result) => result.data),
        viaUri: await storage.retrieve(references[1]?.uri ?? ""),
        session: await storage.retrieveByKey("cache", "s1", { collection: "sessions" }),
        deleted: await storage.deleteByKey("records", "result-2", { collection: "results" }),
        afterDelete: await storage.retrieveByKey("records", "result-2", { collection: "results" }),
      };
    },
  );
}

describe("agents on a remote client vault", () => {
  const server = createServer({
    provider: memoryProvider(),
    processMetrics: false,
    logger: createLogger({ level: "silent" }),
    limits: { rate: { points: 100_000 } },
  });
  let url: string;
  let remote: VaultClient;
  let other: VaultClient;

  beforeAll(async () => {
    const rootKey = (await server.broker.ensureRootKey()) as string;
    url = (await server.listen(0, "127.0.0.1")).url;
    const root = createVaultClient({ url, apiKey: rootKey });
    const admin = createVaultClient({
      url,
      apiKey: (await root.admin.createTenant("agents")).apiKey,
    });
    remote = createVaultClient({
      url,
      apiKey: (await admin.admin.createKey({ principal: "handler" })).apiKey,
    });
    other = createVaultClient({
      url,
      apiKey: (await admin.admin.createKey({ principal: "payroll" })).apiKey,
    });
    await other.store("salaries", { amount: 1 }, { key: "x" });
  });
  afterAll(() => server.close());

  it("gives the same answers from a local data manager and from the remote vault", async () => {
    const manager = createDataManager();
    manager.registerProvider("records", memoryProvider());
    manager.registerProvider("cache", memoryProvider());
    const local = await dataHandler({ dataManager: manager })([1, 2, 3, 4]);
    const overHttp = await dataHandler({ vault: remote })([1, 2, 3, 4]);
    expect(overHttp).toEqual(local);
    expect(overHttp.even).toEqual([
      {
        data: { value: 4, squared: 16 },
        metadata: { processedBy: "data_handler", even: true, index: 3 },
      },
      {
        data: { value: 2, squared: 4 },
        metadata: { processedBy: "data_handler", even: true, index: 1 },
      },
    ]);
    expect(overHttp.first).toEqual([{ value: 1, squared: 1 }]);
    expect(overHttp.viaUri).toEqual({ value: 2, squared: 4 });
    expect(overHttp.session).toEqual({ user: "alice" });
    expect([overHttp.deleted, overHttp.afterDelete]).toEqual([true, null]);
    // On the server the documents live in the handler's namespace.
    expect(await remote.count("handler.results")).toBe(3);
  });

  it("maps provider names to vaults, and keeps each to its declaration", async () => {
    const embedded: Vault = createVault({ provider: memoryProvider() });
    const agent = storageEnabled(
      {
        providers: ["local", "hosted"],
        collections: ["notes"],
        vault: { local: embedded, hosted: remote },
      },
      (context: StorageContext) => context.storage,
    );
    const storage = agent();
    await storage
      .collection("notes", { provider: "hosted" })
      .store({ text: "remote" }, { key: "n" });
    await storage.collection("notes", { provider: "local" }).store({ text: "local" }, { key: "n" });
    expect((await remote.retrieve("notes", "n"))?.text).toBe("remote");
    expect((await embedded.retrieve("notes", "n"))?.text).toBe("local");
    // Undeclared: refused by the agent before any request is sent.
    await expect(storage.vault("hosted").query("payroll.salaries", {})).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
    expect(() => storage.vault("elsewhere")).toThrow(PermissionDeniedError);
  });

  it("passes the server's own refusals through as the same classes", async () => {
    const agent = storageEnabled(
      { providers: ["hosted"], collections: ["payroll.salaries"], vault: remote },
      (context: StorageContext) => context.storage.vault().retrieve("payroll.salaries", "x"),
    );
    await expect(agent()).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  it("requiresStorage checks a remote vault's health, naming a server that is down", async () => {
    const healthy = requiresStorage({ providers: ["hosted"], vault: remote }, async () => "ran");
    await expect(healthy()).resolves.toBe("ran");
    const down = createVaultClient({ url: "http://127.0.0.1:1", apiKey: "avk_x", retries: 0 });
    let ran = false;
    const blocked = requiresStorage(
      { providers: ["hosted", "backup"], vault: { hosted: remote, backup: down } },
      async () => {
        ran = true;
      },
    );
    const error = (await blocked().catch((caught: unknown) => caught)) as StorageRequirementError;
    expect(ran).toBe(false);
    expect(error.unavailable.map((item) => [item.provider, item.problem])).toEqual([
      ["backup", "unhealthy"],
    ]);
  });
});
