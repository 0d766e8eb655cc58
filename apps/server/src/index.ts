/**
 * The runnable AgentVault service, as a library for tests and embedding: configuration,
 * storage opening and start/stop. `main.ts` runs it; `cli.ts` administers it.
 */

export { readServiceConfig, type ServiceConfig } from "./config.js";
export { type RunningService, startService } from "./service.js";
export { openStorageProvider } from "./storage.js";
