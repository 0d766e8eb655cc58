/**
 * `@agentvault/provider-mongodb`: AgentVault storage on MongoDB, with native filters, updates,
 * sorting, TTL and indexes, one database per tenant.
 */

export {
  type BsonDocument,
  type BsonValue,
  fromBson,
  toBson,
  toBsonNumber,
} from "./mongodb-bson.js";
export { defaultWriteConcern, supportsTransactions } from "./mongodb-connection.js";
export { toProviderError } from "./mongodb-errors.js";
export {
  expiryGuard,
  matchNothing,
  translateElementConditions,
  translateFilter,
  translateRelativeFilter,
  withExpiryGuard,
} from "./mongodb-filter-translator.js";
export { toMongoFindOptions, toMongoProjection, toMongoSort } from "./mongodb-find-options.js";
export {
  expiryIndex,
  expiryIndexName,
  indexName,
  toMongoIndexSpecs,
} from "./mongodb-index-specs.js";
export {
  type DatabaseNameAffixes,
  defaultAffixes,
  fromMongoCollectionName,
  maxDatabaseNameBytes,
  toMongoCollectionName,
  toMongoDatabaseName,
} from "./mongodb-names.js";
export {
  defaultUrl,
  type MongodbProviderOptions,
  type ResolvedMongodbOptions,
  resolveMongodbOptions,
} from "./mongodb-options.js";
export {
  type MongodbProviderExtras,
  type MongodbStorageProvider,
  mongodbProvider,
} from "./mongodb-provider.js";
export {
  fromMongoDocument,
  type MongoRecordDocument,
  toMongoDocument,
} from "./mongodb-record-codec.js";
export { translateUpdate } from "./mongodb-update-translator.js";
export { type ScoredKey, TopScores } from "./mongodb-vector-search.js";
export { expiredKeyFilter, liveKeyFilter, putPipeline } from "./mongodb-writes.js";
