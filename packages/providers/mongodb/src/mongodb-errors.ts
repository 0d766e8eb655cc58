/**
 * Maps what the `mongodb` driver throws to AgentVault's error classes. Driver and server
 * messages name hosts, databases and sometimes values, so they stay in `cause`; the message only
 * says what failed and which kind of failure it was.
 *
 * Errors are classified by `name` and `code`, not `instanceof`, so the mapping holds when two
 * copies of the driver are installed and can be tested without a server.
 */

import {
  AgentVaultError,
  ConflictError,
  ProviderUnavailableError,
  ValidationError,
} from "@agentvault/core";

/** The error source, so messages read `[agentvault] [mongodb] ...`. */
export const source = "mongodb";

/** Driver errors meaning "the server cannot be reached or did not answer in time". */
const unavailableNames: ReadonlySet<string> = new Set([
  "MongoServerSelectionError",
  "MongoNetworkError",
  "MongoNetworkTimeoutError",
  "MongoPoolClearedError",
  "MongoTopologyClosedError",
  "MongoNotConnectedError",
  "MongoClientClosedError",
  "MongoServerClosedError",
  "MongoOperationTimeoutError",
  "MongoStalePrimaryError",
]);

/** Driver errors about the caller's input (options, URL, a document the driver cannot encode). */
const invalidInputNames: ReadonlySet<string> = new Set([
  "MongoParseError",
  "MongoInvalidArgumentError",
  "MongoMissingCredentialsError",
  "BSONError",
  "BSONVersionError",
]);

/**
 * Server codes meaning the server is unreachable, shutting down, changing primaries, out of
 * time, or refusing our credentials: HostUnreachable, HostNotFound, AuthenticationFailed,
 * Unauthorized, MaxTimeMSExpired, NetworkTimeout, ShutdownInProgress, PrimarySteppedDown,
 * ExceededTimeLimit, SocketException, NotWritablePrimary, InterruptedAtShutdown,
 * InterruptedDueToReplStateChange, NotPrimaryNoSecondaryOk, NotPrimaryOrSecondary.
 */
const unavailableCodes: ReadonlySet<number> = new Set([
  6, 7, 18, 13, 50, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436,
]);

/**
 * Server codes meaning the request cannot apply to the stored data: BadValue, FailedToParse,
 * TypeMismatch, Overflow, InvalidLength, PathNotViable, ConflictingUpdateOperators,
 * DollarPrefixedFieldName, EmptyFieldName, DottedFieldName, ImmutableField, IndexOptionsConflict,
 * IndexKeySpecsConflict, CannotCreateIndex, BSONObjectTooLarge, document too large after an
 * update, invalid regular expression (PCRE refused a pattern our parser accepted).
 */
const invalidRequestCodes: ReadonlySet<number> = new Set([
  2, 9, 14, 15, 16, 28, 40, 52, 56, 57, 66, 67, 85, 86, 10334, 17419, 51091,
]);

/** The duplicate-key codes: a unique index (or `_id`) already holds the value. */
const duplicateKeyCodes: ReadonlySet<number> = new Set([11000, 11001]);

function errorName(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === "string" ? name : "";
}

/** The numeric server code of a driver error, or of the cause of a mapped one. */
export function serverCode(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  if (AgentVaultError.isInstance(error)) return serverCode(error.cause);
  const code = (error as { code?: unknown }).code;
  return typeof code === "number" ? code : undefined;
}

/** Whether the driver labelled the error as safe to retry the whole transaction. */
export function isTransientTransactionError(error: unknown): boolean {
  const hasErrorLabel = (error as { hasErrorLabel?: unknown } | null)?.hasErrorLabel;
  if (typeof hasErrorLabel !== "function") return false;
  return (
    hasErrorLabel.call(error, "TransientTransactionError") === true ||
    hasErrorLabel.call(error, "UnknownTransactionCommitResult") === true
  );
}

/** Whether the error means the server could not be reached or did not answer in time. */
export function isUnavailableError(error: unknown): boolean {
  if (unavailableNames.has(errorName(error))) return true;
  const code = serverCode(error);
  return code !== undefined && unavailableCodes.has(code);
}

/** Whether the error is a duplicate key (a unique index or `_id` already holds the value). */
export function isDuplicateKeyError(error: unknown): boolean {
  const code = serverCode(error);
  return code !== undefined && duplicateKeyCodes.has(code);
}

/**
 * Converts anything a driver call threw into an AgentVault error (AgentVault errors pass
 * through unchanged).
 * @param action what was being done, for the message: "read", "write", "connect", ...
 */
export function toProviderError(error: unknown, action: string): AgentVaultError {
  if (AgentVaultError.isInstance(error)) return error;
  if (isUnavailableError(error)) {
    return new ProviderUnavailableError(
      `MongoDB is unavailable or did not answer in time (${action})`,
      { source, cause: error },
    );
  }
  if (isDuplicateKeyError(error)) {
    return new ConflictError(`A unique index rejected the ${action}`, { source, cause: error });
  }
  const code = serverCode(error);
  if (
    invalidInputNames.has(errorName(error)) ||
    (code !== undefined && invalidRequestCodes.has(code))
  ) {
    return new ValidationError(
      `MongoDB refused the ${action}${code === undefined ? "" : ` (code ${code})`}`,
      "",
      { source, cause: error },
    );
  }
  return new AgentVaultError("PROVIDER_FAILED", `MongoDB could not complete the ${action}`, {
    source,
    cause: error,
  });
}

/** The error for calls made after `close()`. */
export function closedError(): ProviderUnavailableError {
  return new ProviderUnavailableError("The mongodb provider is closed", { source });
}

/**
 * A short description of a failure for `health()`: the AgentVault message, or the driver
 * error's class and server code, never its text (which names hosts).
 */
export function describeFailure(error: unknown): string {
  if (AgentVaultError.isInstance(error)) return error.message;
  const name = errorName(error) || typeof error;
  const code = serverCode(error);
  return code === undefined
    ? `MongoDB check failed (${name})`
    : `MongoDB check failed (${name} ${code})`;
}
