/**
 * `agentvault`: persistent storage for AI agents with zero configuration. `openVault()` plus
 * the whole public API of `@agentvault/core`, so `pnpm add agentvault` is all an agent needs.
 */

export * from "@agentvault/core";
export type { Document, Value } from "@agentvault/query";
export {
  type EmbeddedVaultUrl,
  embeddedUrlSchemes,
  loadVaultFactory,
  type OpenProviderOptions,
  type OpenVaultOptions,
  openProvider,
  openVault,
} from "./open-vault.js";
export {
  configureDataManagerFromEnv,
  loadProviderFactories,
} from "./provider-factory-loader.js";
export {
  defaultVaultPath,
  parseVaultUrl,
  type UrlScheme,
  urlSchemes,
  type VaultTarget,
} from "./url-schemes.js";
