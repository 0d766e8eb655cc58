/**
 * The shared conformance suite against a real PostgreSQL. Each area gets a provider bound to a
 * fresh database (one schema) under this file's random schema prefix; every schema the file
 * created is dropped at the end, so runs of other engineers on the same server never collide.
 */

import { probeService, runConformance } from "@agentvault/conformance";
import * as vitest from "vitest";
import { postgresProvider } from "../src/index.js";
import { dropSchemasWithPrefix, randomSchemaPrefix } from "./postgres-test-support.js";

const probe = await probeService("POSTGRES_URL");
const schemaPrefix = randomSchemaPrefix();

vitest.describe.skipIf(!probe.available)(`postgres provider ${probe.skipReason}`, () => {
  vitest.afterAll(async () => {
    await dropSchemasWithPrefix(probe.url!, schemaPrefix);
  });

  runConformance({
    ...vitest,
    name: "postgres",
    createProvider: async ({ database, clock }) =>
      postgresProvider({
        connectionString: probe.url,
        schemaPrefix,
        database,
        clock,
        poolSize: 5,
      }),
  });
});
