/**
 * Maps SQLite's errors to AgentVault's classes. Messages never carry SQL, paths or SQLite's own
 * text (a remote caller may see them); the original error is kept as `cause`.
 */

import {
  AgentVaultError,
  ConflictError,
  IntegrityError,
  LimitExceededError,
  ProviderUnavailableError,
} from "@agentvault/core";

const source = "sqlite";

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "";
}

/** Whether the error says a table is gone (another connection dropped a collection). */
export function isMissingTable(error: unknown): boolean {
  return (
    codeOf(error) === "SQLITE_ERROR" &&
    error instanceof Error &&
    error.message.startsWith("no such table")
  );
}

/** Whether the error is a violated unique index (a declared `unique` index). */
export function isUniqueViolation(error: unknown): boolean {
  const code = codeOf(error);
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

/** Turns any error thrown by better-sqlite3 into an AgentVault error; others pass through. */
export function toAgentVaultError(error: unknown): unknown {
  if (AgentVaultError.isInstance(error)) return error;
  const code = codeOf(error);
  if (!code.startsWith("SQLITE_")) return error;
  if (isUniqueViolation(error)) {
    return new ConflictError("A unique index already holds this value", { source, cause: error });
  }
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return new ProviderUnavailableError("The database is locked by another connection; try again", {
      source,
      cause: error,
    });
  }
  if (code.startsWith("SQLITE_CORRUPT") || code.startsWith("SQLITE_NOTADB")) {
    return new IntegrityError("The database file is damaged or not a database", {
      source,
      cause: error,
    });
  }
  if (code.startsWith("SQLITE_TOOBIG")) {
    return new LimitExceededError("valueSize", "The value is too large for SQLite", {
      source,
      cause: error,
    });
  }
  if (
    code.startsWith("SQLITE_IOERR") ||
    code.startsWith("SQLITE_CANTOPEN") ||
    code.startsWith("SQLITE_FULL") ||
    code.startsWith("SQLITE_READONLY") ||
    code.startsWith("SQLITE_PERM") ||
    code.startsWith("SQLITE_NOMEM")
  ) {
    return new ProviderUnavailableError("The database file cannot be read or written", {
      source,
      cause: error,
    });
  }
  return new ProviderUnavailableError("The SQLite operation failed", { source, cause: error });
}
