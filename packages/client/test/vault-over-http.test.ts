import {
  createVault,
  memoryProvider,
  PermissionDeniedError,
  ProviderUnavailableError,
  UnsupportedCapabilityError,
  type Vault,
} from "@agentvault/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VaultClient } from "../src/index.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

/** The same calls, for an embedded vault and a remote one; returns everything they answered. */
async function exercise(vault: Vault) {
  const products = "products";
  const lamp = await vault.store(products, {
    name: "Lamp",
    price: 40,
    tags: ["home", "light"],
    addedAt: new Date("2025-01-15T10:00:00.123Z"),
    thumbnail: new Uint8Array([0, 1, 2, 254, 255]),
    note: "naïve café ☕ 𝄞",
  });
  await vault.store(products, { name: "Desk", price: 250, tags: ["office"] }, { key: "desk-1" });
  await vault.store(products, { _id: "chair-1", name: "Chair", price: 120, tags: ["office"] });
  await vault.store(products, { name: "Rug", price: 90, tags: [] }, { key: "rug-1" });
  return {
    generatedKey: lamp,
    lamp: await vault.retrieve(products, lamp),
    missing: await vault.retrieve(products, "nope"),
    all: (await vault.retrieve(products)).map((doc) => doc._id).sort(),
    office: await vault.query(
      products,
      { tags: "office" },
      { sort: { price: -1 }, projection: { name: 1 } },
    ),
    page: await vault.query(products, {}, { sort: { price: 1 }, skip: 1, limit: 2 }),
    regex: await vault.query(products, { name: { $regex: "^d", $options: "i" } }),
    byDate: await vault.count(products, { addedAt: { $gte: new Date("2025-01-01") } }),
    merged: await vault.update(products, "desk-1", { price: 199, sale: true }),
    operators: await vault.update(products, "rug-1", {
      $inc: { price: 10 },
      $push: { tags: "sale" },
    }),
    updateMissing: await vault.update(products, "nope", { price: 1 }),
    desk: await vault.retrieve(products, "desk-1"),
    rug: await vault.retrieve(products, "rug-1"),
    updatedMany: await vault.updateMany(
      products,
      { price: { $lt: 150 } },
      { $set: { cheap: true } },
    ),
    cheap: await vault.count(products, { cheap: true }),
    deleted: await vault.delete(products, "chair-1"),
    deletedAgain: await vault.delete(products, "chair-1"),
    deletedMany: await vault.deleteMany(products, { price: { $gt: 150 } }),
    remaining: await vault.count(products),
    cleared: await vault.clear(products),
    afterClear: await vault.count(products),
  };
}

describe("a remote vault behaves like an embedded one", () => {
  let server: TestServer;
  let remote: VaultClient;

  beforeAll(async () => {
    server = await startTestServer();
    remote = await server.clientFor("shop");
  });
  afterAll(() => server.close());

  it("answers every collection call as the embedded vault does, values included", async () => {
    const embedded = await exercise(createVault({ provider: memoryProvider() }));
    const overHttp = await exercise(remote);
    const normalise = (result: typeof embedded) => ({
      ...result,
      generatedKey: "<key>",
      lamp: { ...result.lamp, _id: "<key>" },
      all: result.all.map((key) => (key === result.generatedKey ? "<key>" : key)).sort(),
    });
    expect(normalise(overHttp)).toEqual(normalise(embedded));
    // Spot checks written out by hand, so the comparison cannot pass on two equal mistakes.
    expect(overHttp.lamp?.addedAt).toEqual(new Date("2025-01-15T10:00:00.123Z"));
    expect(overHttp.lamp?.thumbnail).toBeInstanceOf(Uint8Array);
    expect([...((overHttp.lamp?.thumbnail ?? []) as Uint8Array)]).toEqual([0, 1, 2, 254, 255]);
    expect(overHttp.lamp?.note).toBe("naïve café ☕ 𝄞");
    expect(overHttp.office).toEqual([
      { _id: "desk-1", name: "Desk" },
      { _id: "chair-1", name: "Chair" },
    ]);
    expect(overHttp.page.map((doc) => doc.name)).toEqual(["Rug", "Chair"]);
    expect(overHttp.rug).toEqual({ _id: "rug-1", name: "Rug", price: 100, tags: ["sale"] });
    expect(overHttp.desk).toMatchObject({ price: 199, sale: true });
    expect([overHttp.updateMissing, overHttp.deleted, overHttp.deletedAgain]).toEqual([
      false,
      true,
      false,
    ]);
    expect([overHttp.cleared, overHttp.afterClear]).toEqual([2, 0]);
  });

  it("keeps 50 concurrent $inc on one counter exact", async () => {
    const key = await remote.store("counters", { hits: 0 });
    const results = await Promise.all(
      Array.from({ length: 50 }, () => remote.update("counters", key, { $inc: { hits: 1 } })),
    );
    expect(results.every(Boolean)).toBe(true);
    expect((await remote.retrieve("counters", key))?.hits).toBe(50);
  });

  it("gives typed collection handles bound to one name", async () => {
    interface Note {
      text: string;
      pinned: boolean;
    }
    const notes = remote.collection<Note>("notes");
    const key = await notes.store({ text: "back up weekly", pinned: true });
    const found = await notes.query({ pinned: true });
    expect(found).toEqual([{ _id: key, text: "back up weekly", pinned: true }]);
    expect(await notes.count()).toBe(1);
    expect(await notes.update(key, { pinned: false })).toBe(true);
    expect((await notes.retrieve(key))?.pinned).toBe(false);
  });

  it("searches vectors, filtered, best first", async () => {
    const docs = remote.collection<{ text: string; lang: string }>("docs");
    await docs.store({ text: "cats", lang: "en" }, { key: "a", vector: [1, 0, 0] });
    await docs.store({ text: "dogs", lang: "en" }, { key: "b", vector: [0.9, 0.1, 0] });
    await docs.store({ text: "chats", lang: "fr" }, { key: "c", vector: [1, 0, 0] });
    const hits = await docs.search({ vector: [1, 0, 0], limit: 5, filter: { lang: "en" } });
    expect(hits.map((hit) => hit.doc._id)).toEqual(["a", "b"]);
    expect(hits[0]?.score).toBeGreaterThan(hits[1]?.score ?? 1);
  });

  it("lists the collections the key may read, with their full names", async () => {
    const other = await server.clientFor("billing");
    await other.store("invoices", { total: 1 });
    const names = await remote.listCollections();
    expect(names).toContain("shop.counters");
    expect(names).not.toContain("billing.invoices");
  });

  it("shares a collection across services by grant, and takes it back by revoke", async () => {
    const analytics = await server.clientFor("analytics");
    await remote.store("events", { type: "login" }, { key: "e1" });
    await expect(analytics.count("shop.events")).rejects.toBeInstanceOf(PermissionDeniedError);
    const grant = await remote.admin.grant({
      collection: "events",
      principal: "analytics",
      permission: "read",
    });
    expect(grant).toMatchObject({ collection: "shop.events", principal: "analytics" });
    await expect(analytics.query("shop.events", {})).resolves.toEqual([
      { _id: "e1", type: "login" },
    ]);
    await expect(analytics.store("shop.events", { type: "forged" })).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
    const mine = await analytics.admin.listGrants();
    expect(mine.grants.map((item) => item.collection)).toEqual(["shop.events"]);
    await remote.admin.revoke({ collection: "events", principal: "analytics" });
    await expect(analytics.count("shop.events")).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  it("fails clearly where HTTP cannot serve: transactions", async () => {
    const capabilityOf = (error: unknown) =>
      UnsupportedCapabilityError.isInstance(error) ? error.capability : error;
    await expect(remote.transaction(async () => 1).catch(capabilityOf)).resolves.toBe(
      "transactions",
    );
  });

  it("reports health and refuses calls once closed", async () => {
    const client = await server.clientFor("closer");
    await expect(client.health()).resolves.toMatchObject({ ok: true });
    const view = client.withOptions({ timeoutMs: 5000 });
    await client.close();
    await expect(view.count("anything")).rejects.toSatisfy(ProviderUnavailableError.isInstance);
    await expect(client.health()).resolves.toMatchObject({ ok: false });
  });
});
