/**
 * The environment `main.ts` runs the examples in: a hosted vault when `AGENTVAULT_URL` (and
 * `AGENTVAULT_API_KEY`) are set, else embedded storage under `./.agentvault/` with no setup.
 */

import { join } from "node:path";
import type { VaultClient } from "@agentvault/client";
import { createDataManager, memoryProvider } from "@agentvault/core";
import { filesystemProvider } from "@agentvault/provider-filesystem";
import { sqliteProvider } from "@agentvault/provider-sqlite";
import { openVault } from "agentvault";
import { type ExampleEnvironment, realTime } from "./example-environment.js";

/** An environment and how to release it. */
export interface OpenedEnvironment {
  readonly environment: ExampleEnvironment;
  /** Where the data lives, for the output. */
  readonly description: string;
  close(): Promise<void>;
}

/**
 * Opens the environment from process variables.
 * @param folder Where embedded data goes. @default "./.agentvault"
 */
export async function openEnvironment(
  variables: NodeJS.ProcessEnv = process.env,
  folder = ".agentvault",
): Promise<OpenedEnvironment> {
  const url = variables.AGENTVAULT_URL;
  if (url !== undefined && url !== "") {
    const vault = (await openVault(url, { apiKey: variables.AGENTVAULT_API_KEY })) as VaultClient;
    return {
      environment: { ...realTime, vault, storage: { vault }, admin: vault.admin },
      description: `the server at ${new URL(url).host}`,
      close: () => vault.close(),
    };
  }
  const vault = await openVault(`sqlite:${join(folder, "vault.db")}`);
  // The seed 001 agents name three providers; embedded, each is a real, different backend.
  const dataManager = createDataManager();
  dataManager.registerProvider("records", sqliteProvider({ path: join(folder, "records.db") }));
  dataManager.registerProvider("cache", memoryProvider());
  dataManager.registerProvider("files", filesystemProvider({ basePath: join(folder, "files") }));
  return {
    environment: { ...realTime, vault, storage: { dataManager } },
    description: `embedded storage in ${folder}/`,
    async close() {
      await vault.close();
      await dataManager.close();
    },
  };
}
