/**
 * The tRPC instance: context and meta types, the wire transformer and the error formatter.
 *
 * The transformer is AgentVault's value codec (`encodeValue` / `decodeValue`: MongoDB Extended
 * JSON tags `$date` and `$binary`), so Dates and binary values cross HTTP exactly. Clients use
 * the same two functions from `@agentvault/core`. Before decoding, the input's depth is checked
 * without recursion, so a 10,000-deep body is a 400, never a stack overflow.
 */

import { decodeValue, encodeValue } from "@agentvault/core";
import type { Value } from "@agentvault/query";
import { initTRPC } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import type { BrokerServices } from "./broker-services.js";
import { publicError, toTrpcError } from "./error-mapping.js";
import { checkInputDepth } from "./limits.js";
import type { Identity } from "./system-store.js";

/** Who may call a procedure. */
export type ProcedureAccess = "public" | "root" | "tenant" | "tenantAdmin";

/** Per-procedure facts the middleware reads. */
export interface ProcedureMeta {
  readonly access: ProcedureAccess;
}

/** The context of one HTTP request (shared by the calls of a batch). */
export interface RequestContext {
  readonly requestId: string;
  readonly services: BrokerServices;
  /** Who the key belongs to; undefined when no valid key was presented. */
  readonly identity: Identity | undefined;
  /** Why the presented key was refused, when it was. */
  readonly authError: unknown;
  /** Why the key's rate budget refused this request, when it did. */
  readonly rateError: unknown;
  /** The client's address, the rate-limit key of calls without a valid key. */
  readonly remoteAddress: string;
}

/** The deepest input the transformer decodes, whatever the configured limit (which is checked later). */
export const hardMaxInputDepth = 256;

/** The wire transformer (also what `@agentvault/client` must use). */
export const agentVaultTransformer = {
  serialize: (value: unknown): unknown =>
    value === undefined ? undefined : encodeValue(value as Value),
  deserialize: (json: unknown): unknown => {
    if (json === undefined) return undefined;
    checkInputDepth(json, hardMaxInputDepth);
    return decodeValue(json);
  },
};

/** The error data every error response carries. */
export interface AgentVaultErrorData {
  readonly code: string;
  readonly httpStatus: number;
  readonly agentVaultCode: string;
  readonly details?: { readonly [field: string]: string } | undefined;
  /** The procedure path. */
  readonly path?: string | undefined;
  /** The request id, to find the call in logs and the audit log. */
  readonly requestId?: string | undefined;
}

/** The tRPC root. */
export const t = initTRPC
  .context<RequestContext>()
  .meta<ProcedureMeta>()
  .create({
    transformer: agentVaultTransformer,
    isDev: false,
    errorFormatter({ error, ctx, path }) {
      const mapped = toTrpcError(
        error.cause !== undefined && error.code === "INTERNAL_SERVER_ERROR" ? error.cause : error,
      );
      const shown = publicError(mapped);
      const data: AgentVaultErrorData = {
        ...shown.data,
        httpStatus: getHTTPStatusCodeFromError(mapped),
        path,
        requestId: ctx?.requestId,
      };
      return { code: TRPC_ERROR_CODES_BY_KEY[mapped.code], message: shown.message, data };
    },
  });
