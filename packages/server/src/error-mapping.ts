/**
 * The one place where AgentVault errors become tRPC errors. Each AgentVault `code` maps to one
 * tRPC code (and so one HTTP status); the original `code` travels in the error's `data` as
 * `agentVaultCode`, with `path`, `limit`, `capability` or `operator` when the class has one, so
 * `@agentvault/client` can rebuild the same class. Errors that are not AgentVault errors never
 * show their message: a caller sees "Internal server error" and the request id to quote.
 */

import { AgentVaultError } from "@agentvault/core";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { TRPCError } from "@trpc/server";

/** AgentVault code -> tRPC code. `LIMIT_EXCEEDED` is refined by its `limit` below. */
export const agentVaultToTrpcCode: Readonly<Record<string, TRPC_ERROR_CODE_KEY>> = {
  VALIDATION_FAILED: "BAD_REQUEST",
  FILTER_INVALID: "BAD_REQUEST",
  UNSUPPORTED_OPERATOR: "BAD_REQUEST",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PERMISSION_DENIED: "FORBIDDEN",
  UNAUTHENTICATED: "UNAUTHORIZED",
  PROVIDER_UNAVAILABLE: "SERVICE_UNAVAILABLE",
  UNSUPPORTED_CAPABILITY: "NOT_IMPLEMENTED",
  INTEGRITY_FAILED: "UNPROCESSABLE_CONTENT",
  LIMIT_EXCEEDED: "BAD_REQUEST",
};

/** `LimitExceededError.limit` -> tRPC code, for limits with a more telling status than 400. */
const limitToTrpcCode: Readonly<Record<string, TRPC_ERROR_CODE_KEY>> = {
  rate: "TOO_MANY_REQUESTS",
  bodySize: "PAYLOAD_TOO_LARGE",
  timeout: "TIMEOUT",
};

/** tRPC's own errors (bad JSON, batch too large, ...) -> the AgentVault code a client sees. */
const trpcToAgentVaultCode: Readonly<Partial<Record<TRPC_ERROR_CODE_KEY, string>>> = {
  PARSE_ERROR: "VALIDATION_FAILED",
  BAD_REQUEST: "VALIDATION_FAILED",
  UNAUTHORIZED: "UNAUTHENTICATED",
  FORBIDDEN: "PERMISSION_DENIED",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PAYLOAD_TOO_LARGE: "LIMIT_EXCEEDED",
  TOO_MANY_REQUESTS: "LIMIT_EXCEEDED",
  TIMEOUT: "LIMIT_EXCEEDED",
  METHOD_NOT_SUPPORTED: "VALIDATION_FAILED",
  UNSUPPORTED_MEDIA_TYPE: "VALIDATION_FAILED",
  SERVICE_UNAVAILABLE: "PROVIDER_UNAVAILABLE",
};

/** The code used for errors nobody threw on purpose. */
export const internalErrorCode = "INTERNAL";

/** What a remote caller may learn about an error. */
export interface PublicErrorData {
  /** The tRPC code, for example `FORBIDDEN`. */
  readonly code: TRPC_ERROR_CODE_KEY;
  /** The AgentVault code, for example `PERMISSION_DENIED`; `INTERNAL` for unexpected errors. */
  readonly agentVaultCode: string;
  /** Extra fields of the AgentVault error class (`path`, `limit`, `capability`, `operator`). */
  readonly details?: { readonly [field: string]: string };
}

const detailFields = ["path", "limit", "capability", "operator"] as const;

function agentVaultCause(error: unknown): AgentVaultError | undefined {
  if (AgentVaultError.isInstance(error)) return error;
  if (error instanceof TRPCError && AgentVaultError.isInstance(error.cause)) return error.cause;
  return undefined;
}

/** The tRPC code of an AgentVault error. */
export function trpcCodeFor(error: AgentVaultError): TRPC_ERROR_CODE_KEY {
  const limit = (error as { limit?: unknown }).limit;
  if (error.code === "LIMIT_EXCEEDED" && typeof limit === "string") {
    return limitToTrpcCode[limit] ?? "BAD_REQUEST";
  }
  return agentVaultToTrpcCode[error.code] ?? "INTERNAL_SERVER_ERROR";
}

/** Turns anything thrown into a `TRPCError` with the right code, keeping the original as `cause`. */
export function toTrpcError(error: unknown): TRPCError {
  const cause = agentVaultCause(error);
  if (cause !== undefined) {
    if (error instanceof TRPCError && error.code === trpcCodeFor(cause)) return error;
    return new TRPCError({ code: trpcCodeFor(cause), message: cause.message, cause });
  }
  if (error instanceof TRPCError) return error;
  return new TRPCError({
    code: "INTERNAL_SERVER_ERROR",
    message: "Internal server error",
    cause: error,
  });
}

/** The AgentVault code of any error, as a client will see it. */
export function agentVaultCodeOf(error: unknown): string {
  const cause = agentVaultCause(error);
  if (cause !== undefined) return cause.code;
  if (error instanceof TRPCError) return trpcToAgentVaultCode[error.code] ?? internalErrorCode;
  return internalErrorCode;
}

/**
 * The message and data a remote caller sees. AgentVault messages are written to be shown (they
 * never hold SQL, stacks or file paths: those stay in `cause`); anything else is replaced.
 */
export function publicError(error: TRPCError): { message: string; data: PublicErrorData } {
  const mapped = toTrpcError(error);
  const cause = agentVaultCause(mapped);
  const agentVaultCode = agentVaultCodeOf(mapped);
  if (cause !== undefined) {
    const details: Record<string, string> = {};
    for (const field of detailFields) {
      const value = (cause as unknown as Record<string, unknown>)[field];
      if (typeof value === "string" && value !== "") details[field] = value;
    }
    return { message: cause.message, data: { code: mapped.code, agentVaultCode, details } };
  }
  const internal = mapped.code === "INTERNAL_SERVER_ERROR";
  return {
    message: internal ? "Internal server error" : mapped.message,
    data: { code: mapped.code, agentVaultCode },
  };
}
