import { runConformance } from "@agentvault/conformance";
import * as vitest from "vitest";
import { redisProvider } from "../src/index.js";
import {
  deleteKeysUnder,
  randomPrefix,
  redisProbe,
  redisUrl,
  serviceTitle,
} from "./redis-test-setup.js";

const keyPrefix = randomPrefix("conformance");

vitest.describe.skipIf(!redisProbe.available)(serviceTitle("redis provider"), () => {
  vitest.afterAll(() => deleteKeysUnder(keyPrefix));

  // Expiry is tested with the suite's clock: the provider decides expiry by its own clock as
  // well as by Redis's (PXAT). The suite's real-time TTL test is flaky on a loaded machine (it
  // waits for the first record's expiry only, then checks records stored a few milliseconds
  // later), so real-time expiry is covered by this package's own tests instead
  // (redis-provider.test.ts, redis-indexes.test.ts).
  runConformance({
    ...vitest,
    name: "redis",
    limits: { ttl: "clock" },
    createProvider: async ({ database, clock }) =>
      redisProvider({ url: redisUrl, keyPrefix, database, clock }),
  });
});
