/**
 * Turns the configured storage URL into a provider with `agentvault`'s own URL table
 * (`openProvider`), so the service accepts exactly the URLs `openVault` does. Without a URL,
 * SQLite files in the data folder: `<prefix>system.db` and one `<prefix><tenant>_vault.db` per
 * tenant (the provider's own `default.db` stays unused). SQLite group-commits per event-loop
 * turn here (`groupCommit: "turn"`), as suits a server. With encryption keys configured, the
 * provider is wrapped in `encrypted(...)`, so every database (system and tenants) holds only
 * ciphertext values.
 */

import { join } from "node:path";
import { encrypted, type StorageProvider } from "@agentvault/core";
import { openProvider } from "agentvault";
import type { ServiceConfig } from "./config.js";

/** The storage URL the configuration names (SQLite in the data folder without one). */
export function configuredStorageUrl(config: ServiceConfig): string {
  return config.storageUrl ?? `sqlite:${join(config.dataDir, "default.db")}`;
}

/**
 * Opens the provider behind a storage URL. `what` names the URL's origin in errors (an
 * environment variable or a CLI flag), never the URL itself, which may hold credentials.
 * @throws Error naming `what` when the URL is malformed, names a server, or its package is absent.
 */
export async function openStorageUrl(url: string, what: string): Promise<StorageProvider> {
  try {
    // A server's single puts come from many concurrent requests: let those read in one
    // event-loop turn share a SQLite commit.
    const providerOptions = /^sqlite:/i.test(url.trim()) ? { groupCommit: "turn" } : undefined;
    return await openProvider(url, { providerOptions });
  } catch (error) {
    // The typed error's "[agentvault] [source]" prefix and "(at url)" add nothing after `what`.
    const reason = (error instanceof Error ? error.message : String(error))
      .replace(/^(\[[^\]]*\] )+/, "")
      .replace(/ \(at url\)$/, "");
    throw new Error(`${what}: ${reason}`, { cause: error });
  }
}

/** Opens the configured backend as is: ciphertext stays ciphertext (for `re-encrypt`, `migrate`). */
export function openBackendProvider(config: ServiceConfig): Promise<StorageProvider> {
  return openStorageUrl(configuredStorageUrl(config), "AGENTVAULT_STORAGE_URL");
}

/** Opens the provider the configuration names, encrypting when keys are configured. */
export async function openStorageProvider(config: ServiceConfig): Promise<StorageProvider> {
  const backend = await openBackendProvider(config);
  if (config.encryptionKeys === undefined) return backend;
  return encrypted(backend, { keys: config.encryptionKeys });
}
