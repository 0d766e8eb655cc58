/**
 * `@agentvault/provider-sqlite`: AgentVault's embedded default, on better-sqlite3.
 */

export { type ArrayShapes, noArrayShapes, unknownShapes } from "./sqlite-array-shapes.js";
export { databaseFileName } from "./sqlite-database-file.js";
export {
  type CompiledSqlFilter,
  compileFilterToSql,
  type SqlFilterContext,
} from "./sqlite-filter-compiler.js";
export { registerSqlFunctions } from "./sqlite-functions.js";
export type { SqliteQueryExplanation, SqliteStorageProvider } from "./sqlite-provider.js";
export { sqliteProvider } from "./sqlite-provider-factory.js";
export type {
  SqliteCommonOptions,
  SqliteConnectionOptions,
  SqliteDurability,
  SqliteFileOptions,
  SqliteGroupCommit,
  SqliteProviderOptions,
} from "./sqlite-provider-options.js";
