/**
 * The shared provider suite, on SQLite files in a temporary folder (one file per database, as
 * the suite asks for a fresh database per area).
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runConformance } from "@agentvault/conformance";
import * as vitest from "vitest";
import { sqliteProvider } from "../src/index.js";

const directory = mkdtempSync(join(tmpdir(), "agentvault-sqlite-conformance-"));
vitest.afterAll(() => rmSync(directory, { recursive: true, force: true }));

runConformance({
  ...vitest,
  name: "sqlite",
  createProvider: async ({ clock, database }) => sqliteProvider({ directory, database, clock }),
});
