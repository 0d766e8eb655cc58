import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VaultClient } from "../src/index.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

describe("reads larger than the server's result limit come back whole, in pages", () => {
  let server: TestServer;
  let vault: VaultClient;
  const ranks = [7, 3, 11, 1, 9, 5, 2, 10, 4, 8, 6, 12];

  beforeAll(async () => {
    server = await startTestServer({ limits: { maxResultDocuments: 5 } });
    vault = await server.clientFor("reader");
    await Promise.all(
      ranks.map((rank) =>
        vault.store("items", { rank, even: rank % 2 === 0 }, { key: `k${rank}` }),
      ),
    );
  });
  afterAll(() => server.close());

  it("retrieve(collection) returns all 12 documents although the server answers at most 5", async () => {
    const all = await vault.retrieve("items");
    expect(all.map((doc) => doc.rank).sort((a, b) => Number(a) - Number(b))).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
    ]);
  });

  it("query keeps the caller's sort, skip and limit across pages", async () => {
    const sorted = await vault.query("items", {}, { sort: { rank: -1 } });
    expect(sorted.map((doc) => doc.rank)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    const window = await vault.query("items", {}, { sort: { rank: 1 }, skip: 2, limit: 7 });
    expect(window.map((doc) => doc.rank)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    const even = await vault.query(
      "items",
      { even: true },
      { sort: { even: 1 }, projection: { rank: 1 } },
    );
    expect(even.map((doc) => doc.rank)).toEqual([10, 12, 2, 4, 6, 8]);
  });

  it("a read within the limit is one call as before", async () => {
    expect(await vault.query("items", { rank: { $lte: 3 } }, { sort: { rank: 1 } })).toEqual([
      { _id: "k1", rank: 1, even: false },
      { _id: "k2", rank: 2, even: true },
      { _id: "k3", rank: 3, even: false },
    ]);
  });
});
