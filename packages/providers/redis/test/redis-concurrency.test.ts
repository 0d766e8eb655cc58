import { createVault } from "@agentvault/core";
import { afterAll, describe, expect, it } from "vitest";
import { redisProvider } from "../src/index.js";
import {
  deleteKeysUnder,
  randomPrefix,
  redisProbe,
  redisUrl,
  serviceTitle,
} from "./redis-test-setup.js";

const keyPrefix = randomPrefix("concurrency");

describe.skipIf(!redisProbe.available)(serviceTitle("redis concurrent updates"), () => {
  // Two providers, two connections: as two processes would be.
  const first = redisProvider({ url: redisUrl, keyPrefix });
  const second = redisProvider({ url: redisUrl, keyPrefix });
  const one = createVault({ provider: first });
  const two = createVault({ provider: second });

  afterAll(async () => {
    await first.dropDatabase();
    await one.close();
    await two.close();
    await deleteKeysUnder(keyPrefix);
  });

  it("50 concurrent $inc through one provider end exact", async () => {
    await one.store("counters", { count: 0 }, { key: "single" });
    const results = await Promise.all(
      Array.from({ length: 50 }, () => one.update("counters", "single", { $inc: { count: 1 } })),
    );
    expect(results.every((result) => result === true)).toBe(true);
    expect(await one.retrieve("counters", "single")).toEqual({ _id: "single", count: 50 });
  });

  it("50 concurrent $inc split over two providers end exact", async () => {
    await one.store("counters", { count: 0, pushed: [] }, { key: "shared" });
    await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        (index % 2 === 0 ? one : two).update("counters", "shared", {
          $inc: { count: 1 },
          $push: { pushed: index },
        }),
      ),
    );
    const stored = (await two.retrieve("counters", "shared")) as unknown as {
      count: number;
      pushed: number[];
    };
    expect(stored.count).toBe(50);
    expect([...stored.pushed].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
  });

  it("concurrent updateMany from two providers loses no increment", async () => {
    for (let index = 0; index < 20; index++) {
      await one.store("many", { n: 0, group: index % 2 }, { key: `d${index}` });
    }
    const counts = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        (index % 2 === 0 ? one : two).updateMany("many", {}, { $inc: { n: 1 } }),
      ),
    );
    expect(counts).toEqual(Array.from({ length: 10 }, () => 20));
    expect(await one.count("many", { n: 10 })).toBe(20);
  });

  it("single updates racing updateMany on the same records all apply", async () => {
    for (let index = 0; index < 5; index++)
      await one.store("mixed", { n: 0 }, { key: `m${index}` });
    await Promise.all([
      ...Array.from({ length: 5 }, () =>
        two.updateMany("mixed", { n: { $gte: 0 } }, { $inc: { n: 1 } }),
      ),
      ...Array.from({ length: 25 }, (_, index) =>
        one.update("mixed", `m${index % 5}`, { $inc: { n: 10 } }),
      ),
    ]);
    for (let index = 0; index < 5; index++) {
      expect(await one.retrieve("mixed", `m${index}`)).toEqual({ _id: `m${index}`, n: 55 });
    }
  });

  it("deleteMany racing updates deletes each matching record once", async () => {
    for (let index = 0; index < 10; index++)
      await one.store("doomed", { n: index }, { key: `x${index}` });
    const [deleted] = await Promise.all([
      two.deleteMany("doomed", { n: { $lt: 100 } }),
      ...Array.from({ length: 10 }, (_, index) =>
        one.update("doomed", `x${index}`, { $inc: { n: 1 } }),
      ),
    ]);
    expect(deleted).toBe(10);
    expect(await one.count("doomed")).toBe(0);
  });
});
