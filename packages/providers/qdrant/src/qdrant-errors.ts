/**
 * Maps what the Qdrant client throws to AgentVault errors: no answer or a 5xx becomes
 * `ProviderUnavailableError`, a 400/422 (a wrong vector size, a malformed request)
 * `ValidationError`. Messages never carry the server's text (it may echo payloads); it stays in
 * `cause`.
 */

import {
  AgentVaultError,
  ConflictError,
  ProviderUnavailableError,
  ValidationError,
} from "@agentvault/core";

/** The name errors and messages use. */
export const source = "qdrant";

/** The HTTP status of a client error, when it has one. */
export function httpStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === "number") return status;
  const message = error instanceof Error ? error.message : "";
  const match = /Unexpected Response: (\d{3})/.exec(message);
  return match ? Number(match[1]) : undefined;
}

/** Whether the error says the collection (or point) does not exist. */
export function isNotFound(error: unknown): boolean {
  return httpStatus(error) === 404;
}

/** Converts anything the client threw while doing `action` into an AgentVault error. */
export function toAgentVaultError(error: unknown, action: string): AgentVaultError {
  if (AgentVaultError.isInstance(error)) return error;
  const status = httpStatus(error);
  if (status === 400 || status === 422) {
    return new ValidationError(`Qdrant refused to ${action} (HTTP ${status})`, "", {
      source,
      cause: error,
    });
  }
  if (status === 409) {
    return new ConflictError(`Qdrant reported a conflict while trying to ${action}`, {
      source,
      cause: error,
    });
  }
  const detail = status === undefined ? "no answer" : `HTTP ${status}`;
  return new ProviderUnavailableError(`Qdrant could not ${action} (${detail})`, {
    source,
    cause: error,
  });
}
