/**
 * The shared conformance suite against a real Qdrant, when `QDRANT_URL` names one. No Qdrant
 * server can run on the development machines, so without the variable the suite is reported as
 * skipped (it is not subject to `AGENTVAULT_REQUIRE_SERVICES`). Each area gets its own
 * collection prefix-and-database scope, dropped afterwards.
 */

import { runConformance } from "@agentvault/conformance";
import * as vitest from "vitest";
import { qdrantProvider } from "../src/index.js";

const url = process.env.QDRANT_URL || undefined;
const title = url
  ? "conformance against Qdrant"
  : "conformance against Qdrant (skipped: QDRANT_URL is not set)";

vitest.describe.skipIf(!url)(title, () => {
  runConformance({
    ...vitest,
    name: "qdrant",
    createProvider: async ({ database, clock }) =>
      qdrantProvider({ url, database, clock, collectionPrefix: "avtest" }),
    limits: { ttl: "clock", corpus: "sample", bulkRecords: 300, concurrentWrites: 20 },
  });
});
