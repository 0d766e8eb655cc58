/**
 * The shared conformance suite against a real MongoDB, when `MONGODB_URL` names one (a replica
 * set also runs the transaction tests; a standalone server runs their "unsupported" branch).
 * No MongoDB server can run on the development machines, so without the variable the suite is
 * reported as skipped; it is deliberately not subject to `AGENTVAULT_REQUIRE_SERVICES`.
 *
 * Each area gets its own database (`agentvault_<context.database>_vault`), dropped afterwards.
 */

import { conformanceAreas, runConformance } from "@agentvault/conformance";
import * as vitest from "vitest";
import { mongodbProvider } from "../src/mongodb-provider.js";

const url = process.env.MONGODB_URL || undefined;
const title = url
  ? "conformance against MongoDB"
  : "conformance against MongoDB (skipped: MONGODB_URL is not set)";

function createProvider(context: { database: string; clock: () => number }) {
  return Promise.resolve(
    mongodbProvider({ url, database: context.database, clock: context.clock }),
  );
}

vitest.describe.skipIf(!url)(title, () => {
  // The provider decides expiry with the suite's clock, so the clock-driven TTL tests apply; the
  // second run checks real-time expiry too (MongoDB's TTL monitor alone would take a minute).
  runConformance({ ...vitest, name: "mongodb", createProvider, limits: { ttl: "clock" } });

  const onlyTtl = Object.fromEntries(
    conformanceAreas.filter((area) => area !== "ttl").map((area) => [area, false]),
  );
  runConformance({
    ...vitest,
    name: "mongodb, real-time TTL",
    createProvider,
    areas: onlyTtl,
    limits: { ttl: "real" },
  });
});
