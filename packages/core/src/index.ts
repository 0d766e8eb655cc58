export {
  type CompensationFailure,
  type CompensationReport,
  type CompensationStep,
  TransactionRolledBackError,
} from "./best-effort-transaction.js";
export * from "./bounded-concurrency.js";
export * from "./cached-invalidation.js";
export { type CachedOptions, cached } from "./cached-provider.js";
export * from "./clock.js";
export { cloneValue } from "./clone-value.js";
export * from "./codec.js";
export { createCollection } from "./collection.js";
export * from "./configure-from-env.js";
export * from "./data-manager.js";
export * from "./data-reference.js";
export type { EncryptionKey } from "./encrypted-envelope.js";
export { type EncryptedOptions, encrypted } from "./encrypted-provider.js";
export * from "./encrypted-reencrypt.js";
export * from "./errors.js";
export * from "./export-import.js";
export * from "./in-memory-engine.js";
export * from "./key-value-store.js";
export type * from "./key-value-types.js";
export * from "./keyed-mutex.js";
export * from "./keys.js";
export { logged } from "./logged-provider.js";
export * from "./memory-provider.js";
export * from "./migrate.js";
export { describeFilterShape, describeSortShape } from "./operation-filter-shape.js";
export {
  type OperationName,
  type OperationRecord,
  type OperationSink,
  operationErrorCode,
} from "./operation-record.js";
export type * from "./provider.js";
export * from "./provider-factories.js";
export * from "./record-view.js";
export * from "./safe-name-encoding.js";
export * from "./scan-provider-input.js";
export * from "./scan-provider-root.js";
export * from "./scan-storage-provider.js";
export * from "./search-in-memory.js";
export * from "./validation.js";
export * from "./vault.js";
export type * from "./vault-types.js";
export * from "./vector-math.js";
