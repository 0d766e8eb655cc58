/**
 * Maps `pg` and PostgreSQL errors to AgentVault's error classes. Messages say what happened in
 * general terms; the server's text (which may quote SQL, names or values) is only kept as
 * `cause`, never shown.
 */

import {
  AgentVaultError,
  ConflictError,
  ProviderUnavailableError,
  ValidationError,
} from "@agentvault/core";

/** The error source, so messages read `[agentvault] [postgres] ...`. */
export const source = "postgres";

const networkCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "EPIPE",
]);

/** The SQLSTATE (or Node error code) of an error, or of the cause of a mapped one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  if (AgentVaultError.isInstance(error)) return errorCode(error.cause);
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

function isUnavailable(error: unknown, code: string | undefined): boolean {
  if (code !== undefined) {
    if (networkCodes.has(code)) return true;
    // Connection exceptions, shutdowns, too many connections, cancelled (statement timeout),
    // unknown database, failed authentication.
    if (/^(08|57P|28)/.test(code) || code === "53300" || code === "57014" || code === "3D000") {
      return true;
    }
  }
  const message = error instanceof Error ? error.message : "";
  return /timeout|terminated|Connection ended|not queryable|ended the pool/i.test(message);
}

/**
 * Converts anything a `pg` call threw into an AgentVault error (AgentVault errors pass through).
 * @param action what was being done, for the message: "read", "write", "connect", ...
 */
export function toProviderError(error: unknown, action: string): AgentVaultError {
  if (AgentVaultError.isInstance(error)) return error;
  const code = errorCode(error);
  if (isUnavailable(error, code)) {
    return new ProviderUnavailableError(
      `PostgreSQL is unavailable or did not answer in time (${action})`,
      { source, cause: error },
    );
  }
  if (code === "23505") {
    return new ConflictError(`A unique index rejected the ${action}`, { source, cause: error });
  }
  if (code !== undefined && /^22/.test(code)) {
    return new ValidationError(`PostgreSQL refused a value (${action})`, "", {
      source,
      cause: error,
    });
  }
  return new AgentVaultError("PROVIDER_FAILED", `PostgreSQL could not complete the ${action}`, {
    source,
    cause: error,
  });
}

/** Whether the error says the table (or its schema) does not exist. */
export function isMissingRelation(error: unknown): boolean {
  const code = errorCode(error);
  return code === "42P01" || code === "3F000";
}
