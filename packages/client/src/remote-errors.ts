/**
 * Server errors back into the core's error classes. The server puts the AgentVault `code` of
 * every error in the tRPC error's `data.agentVaultCode` (with `details.path`, `limit`,
 * `capability` or `operator` where the class has one), so the client rebuilds the same class:
 * `NotFoundError.isInstance(error)` and `error instanceof NotFoundError` hold for a remote
 * vault exactly as for an embedded one. The server's message is kept word for word, and the
 * tRPC error (with the request id to quote) stays as `cause`.
 */

import {
  AgentVaultError,
  type AgentVaultErrorOptions,
  AuthenticationError,
  ConflictError,
  FilterValidationError,
  IntegrityError,
  LimitExceededError,
  NotFoundError,
  PermissionDeniedError,
  ProviderUnavailableError,
  UnsupportedCapabilityError,
  UnsupportedOperatorError,
  ValidationError,
} from "@agentvault/core";

const source = "client";

type Details = { readonly [field: string]: string | undefined };
type Build = (message: string, details: Details, options: AgentVaultErrorOptions) => Error;

const builders: Readonly<Record<string, Build>> = {
  VALIDATION_FAILED: (message, details, options) =>
    new ValidationError(message, details.path ?? "", options),
  FILTER_INVALID: (message, details, options) =>
    new FilterValidationError(message, details.path ?? "", options),
  UNSUPPORTED_OPERATOR: (message, details, options) =>
    new UnsupportedOperatorError(details.operator ?? "", message, options),
  NOT_FOUND: (message, _details, options) => new NotFoundError(message, options),
  CONFLICT: (message, _details, options) => new ConflictError(message, options),
  PERMISSION_DENIED: (message, _details, options) => new PermissionDeniedError(message, options),
  UNAUTHENTICATED: (message, _details, options) => new AuthenticationError(message, options),
  PROVIDER_UNAVAILABLE: (message, _details, options) =>
    new ProviderUnavailableError(message, options),
  UNSUPPORTED_CAPABILITY: (message, details, options) =>
    new UnsupportedCapabilityError(details.capability ?? "", message, options),
  LIMIT_EXCEEDED: (message, details, options) =>
    new LimitExceededError(details.limit ?? "", message, options),
  INTEGRITY_FAILED: (message, _details, options) => new IntegrityError(message, options),
};

/** What the client reads from a tRPC client error. */
interface RemoteErrorShape {
  readonly message?: unknown;
  readonly data?: {
    readonly agentVaultCode?: unknown;
    readonly httpStatus?: unknown;
    readonly details?: unknown;
  } | null;
  readonly meta?: { readonly response?: { readonly status?: unknown } } | undefined;
}

/** The limit a `LIMIT_EXCEEDED` answer without one refers to, by HTTP status. */
const limitByStatus: Readonly<Record<number, string>> = {
  408: "timeout",
  413: "bodySize",
  429: "rate",
};

/** The HTTP status of a failed call, when the server answered at all. */
export function httpStatusOf(error: unknown): number | undefined {
  const shape = error as RemoteErrorShape | null | undefined;
  const fromData = shape?.data?.httpStatus;
  if (typeof fromData === "number") return fromData;
  const fromResponse = shape?.meta?.response?.status;
  return typeof fromResponse === "number" ? fromResponse : undefined;
}

/** The AgentVault code the server sent, if it sent one. */
export function remoteCodeOf(error: unknown): string | undefined {
  const code = (error as RemoteErrorShape | null | undefined)?.data?.agentVaultCode;
  return typeof code === "string" ? code : undefined;
}

function detailsOf(error: RemoteErrorShape): Details {
  const details = error.data?.details;
  if (details === null || typeof details !== "object") return {};
  const copy: Record<string, string> = Object.create(null);
  for (const [field, value] of Object.entries(details)) {
    if (typeof value === "string") copy[field] = value;
  }
  return copy;
}

/** An answer that is not a tRPC error (a proxy page, a draining server, a wrong URL). */
function fromHttpStatus(status: number | undefined, cause: unknown): Error {
  const options = { source, cause };
  if (status === undefined) {
    const unreadable = (cause as { cause?: unknown } | null)?.cause instanceof SyntaxError;
    return new ProviderUnavailableError(
      unreadable
        ? "The server's answer is not an AgentVault response; check the url"
        : "The AgentVault server could not be reached",
      options,
    );
  }
  if (status === 401) {
    return new AuthenticationError("The server refused the API key (HTTP 401)", options);
  }
  if (status === 403) return new PermissionDeniedError("The server refused the call", options);
  if (status === 413) {
    return new LimitExceededError(
      "bodySize",
      "The request is larger than the server accepts",
      options,
    );
  }
  if (status === 429) {
    return new LimitExceededError("rate", "Too many calls; slow down and retry", options);
  }
  return new ProviderUnavailableError(
    `The server answered HTTP ${status} without an AgentVault error; check the url`,
    options,
  );
}

/**
 * Turns anything a tRPC call threw into the AgentVault error class the server meant. Errors
 * that already are AgentVault errors (thrown by the client itself) pass through.
 */
export function toAgentVaultError(error: unknown): unknown {
  if (AgentVaultError.isInstance(error)) return error;
  const shape = (error ?? {}) as RemoteErrorShape;
  const code = remoteCodeOf(error);
  if (code === undefined) return fromHttpStatus(httpStatusOf(error), error);
  const message = typeof shape.message === "string" ? shape.message : "The call failed";
  const build = builders[code];
  let details = detailsOf(shape);
  if (code === "LIMIT_EXCEEDED" && details.limit === undefined) {
    // tRPC's own limit errors (a body over its size limit) carry no `limit`: take it from the status.
    const limit = limitByStatus[httpStatusOf(error) ?? 0];
    if (limit !== undefined) details = { ...details, limit };
  }
  const rebuilt = build
    ? build(message, details, { cause: error })
    : new AgentVaultError(code, message, { cause: error });
  // The server's message is already prefixed ("[agentvault] [server] ..."): keep it as sent.
  rebuilt.message = message;
  return rebuilt;
}
