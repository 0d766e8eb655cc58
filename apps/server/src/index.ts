/**
 * The runnable AgentVault service, as a library for tests and embedding: configuration,
 * storage opening and start/stop. `main.ts` runs it; `cli.ts` administers it.
 */

export { parseEncryptionKeys, readServiceConfig, type ServiceConfig } from "./config.js";
export { type RunningService, startService } from "./service.js";
export {
  configuredStorageUrl,
  openBackendProvider,
  openStorageProvider,
  openStorageUrl,
} from "./storage.js";
