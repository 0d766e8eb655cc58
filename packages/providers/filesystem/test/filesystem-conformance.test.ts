/**
 * The shared conformance suite against the filesystem provider. Every area runs; record files
 * are not flushed here (`fsync: false`), which changes durability, not behaviour: the crash and
 * options tests cover flushing.
 */

import { runConformance } from "@agentvault/conformance";
import * as vitest from "vitest";
import { filesystemProvider } from "../src/index.js";
import { createTemporaryFolder, removeTemporaryFolder } from "./temporary-folders.js";

let basePath: string | undefined;

vitest.afterAll(async () => {
  if (basePath !== undefined) await removeTemporaryFolder(basePath);
});

runConformance({
  ...vitest,
  name: "filesystem",
  createProvider: async ({ database, clock }) => {
    basePath ??= await createTemporaryFolder("conformance");
    return filesystemProvider({ basePath, database, now: clock, fsync: false });
  },
});
