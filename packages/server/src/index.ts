/**
 * `@agentvault/server`: the AgentVault data broker. Tenants, API keys, collection ownership and
 * grants, manifests, a hash-chained audit log and limits, served over tRPC.
 * The express adapter is the subpath `@agentvault/server/express`.
 */

export { apiKeyPrefix, generateApiKey, hashApiKey } from "./api-keys.js";
export { type AppRouter, appRouter } from "./app-router.js";
export {
  type AuditDraft,
  type AuditEntry,
  type AuditOutcome,
  type AuditVerification,
  type ChainHead,
  genesisHash,
  hashAuditEntry,
  verifyAuditChain,
} from "./audit-chain.js";
export { type AuditListOptions, auditBlockKey, auditCollection } from "./audit-log.js";
export { type Broker, type BrokerOptions, type ContextInput, createBroker } from "./broker.js";
export type { AccessRequest, Grant, RegisteredCollection } from "./collection-registry.js";
export {
  agentVaultCodeOf,
  agentVaultToTrpcCode,
  type PublicErrorData,
  toTrpcError,
} from "./error-mapping.js";
export { describeFilterShape } from "./filter-shape.js";
export {
  type KeyInvalidation,
  keyInvalidationChannel,
  publishKeyRevocation,
  redisKeyInvalidation,
} from "./key-invalidation.js";
export {
  defaultLimits,
  type RateLimit,
  type ResolvedLimits,
  resolveLimits,
  type ServerLimits,
} from "./limits.js";
export { createLogger, redactedLogPaths } from "./logger.js";
export { type DataRequirements, type ParsedManifest, parseManifest } from "./manifest.js";
export { type ManifestResult, toIndexSpecs } from "./manifest-apply.js";
export {
  qualifyCollection,
  tenantDatabaseName,
  validatePrincipalName,
  validateTenantId,
} from "./names.js";
export {
  type AccessPolicy,
  type AccessQuestion,
  defaultAccessPolicy,
  effectivePermission,
  type KeyRole,
  keyRoles,
  type Permission,
  permissions,
} from "./permissions.js";
export { type AgentVaultServer, createServer, type ServerOptions } from "./server.js";
export { type Identity, type KeyInfo, SystemStore } from "./system-store.js";
export { type AgentVaultErrorData, agentVaultTransformer } from "./trpc.js";
