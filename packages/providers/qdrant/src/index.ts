/**
 * `@agentvault/provider-qdrant`: AgentVault on Qdrant, a vector search engine that also serves
 * as a document store.
 */

export {
  type CompiledQdrantFilter,
  compileFilterToQdrant,
  payloadKeys,
  type QdrantCondition,
  type QdrantFilter,
} from "./qdrant-filter-compiler.js";
export {
  type PayloadIndexPlan,
  type PayloadIndexType,
  planPayloadIndexes,
} from "./qdrant-index-specs.js";
export { collectionFromQdrantName, qdrantCollectionName } from "./qdrant-names.js";
export type { QdrantProviderOptions } from "./qdrant-options.js";
export { decodePayload, encodePoint } from "./qdrant-payload-codec.js";
export { pointIdForKey, uuidV5 } from "./qdrant-point-id.js";
export { type QdrantStorageProvider, qdrantProvider } from "./qdrant-provider.js";
