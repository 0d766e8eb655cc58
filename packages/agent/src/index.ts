/**
 * `@agentvault/agent`: storage for agents. `storageEnabled` injects an agent's storage (as a
 * context argument and as `fn.storage`, or as a class-method decorator), limited to the
 * providers, collections and permissions it declares; `requiresStorage` fails fast, naming every
 * missing or unhealthy provider, before the agent's body runs. Both work with a local data
 * manager and with vaults, including a remote `createVaultClient()`.
 */

export { createAgentStorage } from "./agent-storage.js";
export type {
  AgentStorage,
  StorageContext,
  StorageOptions,
  StoragePermission,
  VaultSource,
} from "./agent-storage-types.js";
export {
  type RequiredStorageFunction,
  type RequiresStorageOptions,
  requiresStorage,
  StorageRequirementError,
  type UnavailableProvider,
} from "./requires-storage.js";
export {
  type StorageEnabledFunction,
  type StorageMethodDecorator,
  storageEnabled,
} from "./storage-enabled.js";
export { toDocumentPaths } from "./vault-data-store.js";
