/**
 * `sqliteProvider`: resolves where each database's file lives and creates the provider. See
 * `sqlite-provider.ts` for the provider itself and its concurrency model.
 */

import { isAbsolute, resolve } from "node:path";
import { ValidationError } from "@agentvault/core";
import {
  adoptSqliteConnection,
  openSqliteConnection,
  type SqliteConnection,
} from "./sqlite-connection.js";
import { databaseFilePath } from "./sqlite-database-file.js";
import { SqliteProvider, type SqliteRoot, type SqliteStorageProvider } from "./sqlite-provider.js";
import { resolveSqliteOptions, type SqliteProviderOptions } from "./sqlite-provider-options.js";
import { resolveApproximateOptions, type SqliteVectorOptions } from "./sqlite-vector-options.js";
import { SqliteVectorPlanner } from "./sqlite-vector-planner.js";

const source = "sqlite";

function defaultDirectory(): string {
  return resolve(".agentvault");
}

/**
 * Creates the SQLite provider.
 *
 * @example
 * import { createVault } from "@agentvault/core";
 * import { sqliteProvider } from "@agentvault/provider-sqlite";
 *
 * const vault = createVault({ provider: sqliteProvider({ directory: "./data" }) });
 * await vault.store("notes", { text: "hello" });
 * // Another database (for example a tenant) in the same folder: ./data/acme.db
 * const acme = createVault({ provider: sqliteProvider({ directory: "./data" }).withDatabase("acme") });
 */
export function sqliteProvider(
  options: SqliteProviderOptions & SqliteVectorOptions = {},
): SqliteStorageProvider {
  if (options === null || typeof options !== "object") {
    throw new ValidationError("sqliteProvider needs an options object", "options", { source });
  }
  const resolved = resolveSqliteOptions(options);
  const database = options.database ?? "default";
  if (typeof database !== "string" || database === "") {
    throw new ValidationError("A database name must be a non-empty string", "database", { source });
  }
  let open: () => SqliteConnection;
  let directory: string | undefined;
  let file: string | undefined;
  if (options.db !== undefined) {
    const db = options.db;
    open = () => adoptSqliteConnection(db, resolved);
    file = db.memory ? undefined : resolve(db.name);
    directory = db.memory ? undefined : resolve(db.name, "..");
  } else if (options.path !== undefined) {
    const path = options.path;
    if (typeof path !== "string" || path === "") {
      throw new ValidationError("path must be a non-empty string", "path", { source });
    }
    open = () => openSqliteConnection(path, resolved);
    file = path === ":memory:" ? undefined : resolve(path);
    directory = path === ":memory:" ? undefined : resolve(path, "..");
  } else {
    const folder = options.directory ?? defaultDirectory();
    if (typeof folder !== "string" || folder === "") {
      throw new ValidationError("directory must be a non-empty string", "directory", { source });
    }
    directory = isAbsolute(folder) ? folder : resolve(folder);
    const home = databaseFilePath(directory, database);
    file = home;
    open = () => openSqliteConnection(home, resolved);
  }
  const root: SqliteRoot = {
    options: resolved,
    vectors: new SqliteVectorPlanner(resolveApproximateOptions(options)),
    connections: new Map(),
    home: { database, file, open },
    directory,
    closed: false,
  };
  return new SqliteProvider(root, database);
}
