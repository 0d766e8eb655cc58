/**
 * Turns what ioredis throws into AgentVault errors. Driver messages carry host names and ports,
 * so they stay in `cause`; the message says only what failed and what kind of failure it was.
 */

import { AgentVaultError, IntegrityError, ProviderUnavailableError } from "@agentvault/core";

const source = "redis";

/** A short, safe description of a driver failure: a Redis error code or a failure kind. */
function failureKind(error: unknown): string {
  const message = error instanceof Error ? error.message : "";
  const name = error instanceof Error ? error.name : "";
  if (/timed out/i.test(message)) return "timed out";
  if (name === "MaxRetriesPerRequestError" || /connection is closed/i.test(message)) {
    return "connection lost";
  }
  if (/enableOfflineQueue|stream isn't writeable/i.test(message)) return "not connected";
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return `connection failed (${code})`;
  const replyCode = /^([A-Z]{2,20})\b/.exec(message)?.[1];
  if (name === "ReplyError" && replyCode !== undefined) return `Redis replied ${replyCode}`;
  return "request failed";
}

/**
 * Maps any error from a Redis call to an AgentVault error: AgentVault errors pass through,
 * `WRONGTYPE` (a key of ours holding foreign data) becomes `IntegrityError`, everything else
 * `ProviderUnavailableError`.
 */
export function toAgentVaultError(error: unknown, action: string): AgentVaultError {
  if (AgentVaultError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message : "";
  if (message.startsWith("WRONGTYPE")) {
    return new IntegrityError(
      `A Redis key of this collection holds data of another type (${action})`,
      { source, cause: error },
    );
  }
  return new ProviderUnavailableError(
    `Redis is unavailable: could not ${action} (${failureKind(error)})`,
    {
      source,
      cause: error,
    },
  );
}

/** The error for calls made after `close()`. */
export function closedError(): ProviderUnavailableError {
  return new ProviderUnavailableError("The redis provider is closed", { source });
}
