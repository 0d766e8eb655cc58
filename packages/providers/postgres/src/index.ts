export {
  type CompiledSqlFilter,
  compileFilterToSql,
  type PostgresFilterCompileOptions,
} from "./postgres-filter-compiler.js";
export { indexNameFor, schemaNameFor, tableNameFor } from "./postgres-identifiers.js";
export { defaultConnectionString, type PostgresProviderOptions } from "./postgres-options.js";
export { type PostgresStorageProvider, postgresProvider } from "./postgres-provider.js";
export { SqlParameters, type SqlParameterType } from "./sql-parameters.js";
