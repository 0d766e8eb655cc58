/**
 * `@agentvault/client`: the typed client of the AgentVault server. `createVaultClient()` returns
 * the same `Vault` interface as an embedded vault, plus the `admin` API, with types flowing from
 * the server's router and server errors rebuilt as the core's error classes.
 */

export type { AdminClient } from "./admin-client.js";
export type { CallOptions, FetchFunction, VaultClientOptions } from "./client-options.js";
export { createVaultClient, type VaultClient } from "./create-vault-client.js";
export { toAgentVaultError } from "./remote-errors.js";
export { isTransientFailure, retryDelay } from "./retry-policy.js";
export type { AppRouter, RouterInputs, RouterOutputs } from "./router-types.js";
export { wireTransformer } from "./wire-transformer.js";
