/**
 * Turns the configured storage URL into a provider with `agentvault`'s own URL table
 * (`parseVaultUrl`), so the service accepts exactly the URLs `openVault` does. Without a URL,
 * SQLite files in the data folder: `<prefix>system.db` and one `<prefix><tenant>_vault.db` per
 * tenant (the provider's own `default.db` stays unused).
 */

import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { StorageProvider } from "@agentvault/core";
import { parseVaultUrl } from "agentvault";
import type { ServiceConfig } from "./config.js";

/** Opens the provider the configuration names. */
export async function openStorageProvider(config: ServiceConfig): Promise<StorageProvider> {
  const url = config.storageUrl ?? `sqlite:${join(config.dataDir, "default.db")}`;
  const target = parseVaultUrl(url, process.cwd());
  if (target.returns !== "provider") {
    throw new Error("AGENTVAULT_STORAGE_URL must name a storage backend, not another server");
  }
  if (config.storageUrl === undefined) await mkdir(config.dataDir, { recursive: true });
  const module = (await import(/* @vite-ignore */ target.packageName)) as Record<string, unknown>;
  const factory = module[target.exportName];
  if (typeof factory !== "function") {
    throw new Error(`${target.packageName} does not export ${target.exportName}`);
  }
  return (await factory({ ...target.options })) as StorageProvider;
}
