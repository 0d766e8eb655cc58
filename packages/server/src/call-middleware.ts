/**
 * The middleware every procedure runs inside: it checks who is calling and whether that kind of
 * caller may use the procedure, takes the call from the key's rate budget, bounds the input
 * depth and the call's duration, and then writes the audit entry and metrics for every outcome,
 * allowed, denied or failed. Errors leave it already mapped to their tRPC codes.
 */

import {
  AgentVaultError,
  AuthenticationError,
  LimitExceededError,
  PermissionDeniedError,
} from "@agentvault/core";
import type { AuditDraft, AuditOutcome } from "./audit-chain.js";
import type { AuditLog } from "./audit-log.js";
import { agentVaultCodeOf, toTrpcError } from "./error-mapping.js";
import { describeFilterShape } from "./filter-shape.js";
import { checkInputDepth } from "./limits.js";
import { qualifyCollection } from "./names.js";
import { RevokedKeyError } from "./system-store.js";
import { type ProcedureAccess, type ProcedureMeta, type RequestContext, t } from "./trpc.js";

/** What a call records about itself for the audit entry, filled in as it runs. */
export interface CallRecord {
  collection: string | null;
  /** Set by procedures that parsed the filter already, so it is not parsed again. */
  filterShape?: string | undefined;
}

const source = "server";

function requireAccess(ctx: RequestContext, access: ProcedureAccess): void {
  if (access === "public") return;
  const { identity } = ctx;
  if (identity === undefined) {
    if (AgentVaultError.isInstance(ctx.authError)) throw ctx.authError;
    throw new AuthenticationError(
      "An API key is required: send it as Authorization: Bearer <key>",
      {
        source,
      },
    );
  }
  if (access === "root") {
    if (identity.kind !== "root") {
      throw new PermissionDeniedError("Only the root key administers tenants", { source });
    }
    return;
  }
  if (identity.kind !== "tenant") {
    throw new PermissionDeniedError(
      "The root key administers tenants only; use a key of the tenant for its data",
      { source },
    );
  }
  if (access === "tenantAdmin" && identity.role !== "admin") {
    throw new PermissionDeniedError("This needs a tenant admin key", { source });
  }
}

let lastTime = Number.NaN;
let lastIso = "";

/** `new Date(ms).toISOString()`, reusing the last answer when the millisecond repeats. */
function isoTime(ms: number): string {
  if (ms !== lastTime) {
    lastIso = new Date(ms).toISOString();
    lastTime = ms;
  }
  return lastIso;
}

function outcomeOf(error: unknown): AuditOutcome {
  if (error === undefined) return "allowed";
  const code = agentVaultCodeOf(error);
  if (code === "PERMISSION_DENIED" || code === "UNAUTHENTICATED") return "denied";
  const cause = AgentVaultError.isInstance(error) ? error : (error as { cause?: unknown }).cause;
  if (LimitExceededError.isInstance(cause) && cause.limit === "rate") return "denied";
  return "failed";
}

function countOf(path: string, data: unknown): number | null {
  // `kv.popItem` returns one `[key, value]` pair.
  if (path === "kv.popItem") return Array.isArray(data) ? 1 : 0;
  if (Array.isArray(data)) return data.length;
  if (typeof data === "number") return data;
  if (typeof data === "boolean") return data ? 1 : 0;
  if (typeof data === "string") return 1;
  if (data === null) return 0;
  if (typeof data !== "object" || data === undefined) return null;
  // `kv.get` and `kv.pop` answer `{ found, value? }`.
  const { entries, found } = data as { entries?: unknown; found?: unknown };
  if (typeof found === "boolean") return found ? 1 : 0;
  return Array.isArray(entries) ? entries.length : null;
}

function auditTarget(ctx: RequestContext): { log: AuditLog; principal: string } | undefined {
  const { identity, services } = ctx;
  if (identity?.kind === "tenant") {
    return { log: services.tenants.get(identity.tenant).audit, principal: identity.principal };
  }
  if (identity?.kind === "root") return { log: services.systemAudit, principal: "root" };
  if (ctx.authError instanceof RevokedKeyError) {
    return {
      log: services.tenants.get(ctx.authError.tenant).audit,
      principal: ctx.authError.principal,
    };
  }
  return undefined;
}

function attemptedCollection(raw: unknown, ctx: RequestContext): string | null {
  const name = (raw as { collection?: unknown } | null | undefined)?.collection;
  if (typeof name !== "string") return null;
  const principal = ctx.identity?.kind === "tenant" ? ctx.identity.principal : "anonymous";
  try {
    return qualifyCollection(name, principal);
  } catch {
    return null;
  }
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new LimitExceededError("timeout", `The call took longer than ${timeoutMs} ms`, {
            source,
          }),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What `runCall` reads of tRPC's middleware options. */
export interface CallOptions {
  readonly ctx: RequestContext;
  readonly meta: ProcedureMeta | undefined;
  readonly path: string;
  readonly getRawInput: () => Promise<unknown>;
}

/** The outcome of the rest of the chain, as tRPC's `next()` returns it. */
type ChainResult =
  | { readonly ok: true; readonly data: unknown }
  | { readonly ok: false; readonly error: unknown };

/**
 * The body of the call middleware: `proceed` runs the rest of the chain (with the call record
 * in its context). Shared by `callMiddleware` and the tenant procedures' middleware, which
 * also puts the tenant's scope in the context (one middleware less per call).
 */
export async function runCall<R extends ChainResult>(
  { ctx, meta, path, getRawInput }: CallOptions,
  proceed: (call: CallRecord) => Promise<R>,
): Promise<R> {
  const { services } = ctx;
  const started = performance.now();
  const call: CallRecord = { collection: null };
  let failure: unknown;
  let data: unknown;
  let raw: unknown;
  let result: R | undefined;
  try {
    raw = await getRawInput();
    call.collection = attemptedCollection(raw, ctx);
    const access = meta?.access ?? "tenant";
    // Keyless or bad-key calls spend their address's budget, so guessing keys cannot flood the
    // key store with lookups.
    if (ctx.identity === undefined && access !== "public") {
      await services.rate.consume(`address:${ctx.remoteAddress}`);
    }
    requireAccess(ctx, access);
    checkInputDepth(raw, services.limits.maxInputDepth);
    if (ctx.rateError !== undefined) throw ctx.rateError;
    result = await withTimeout(proceed(call), services.limits.callTimeoutMs);
    if (result.ok) data = result.data;
    else failure = result.error;
  } catch (error) {
    failure = error;
  }
  const outcome = outcomeOf(failure);
  services.metrics.recordCall(path, outcome, (performance.now() - started) / 1000);
  const target = auditTarget(ctx);
  const draft: AuditDraft = {
    time: isoTime(services.now()),
    requestId: ctx.requestId,
    principal: target?.principal ?? "anonymous",
    operation: path,
    collection: call.collection,
    filterShape:
      call.filterShape ??
      describeFilterShape((raw as { filter?: unknown } | null | undefined)?.filter),
    resultCount: failure === undefined ? countOf(path, data) : null,
    outcome,
    errorCode: failure === undefined ? null : agentVaultCodeOf(failure),
  };
  if (target === undefined) {
    // Public calls need no key; anything else reaching here was refused for the lack of one.
    if (outcome === "allowed") return result as R;
    services.logger.warn(
      { requestId: ctx.requestId, operation: path, outcome },
      "unauthenticated call",
    );
  } else {
    try {
      await target.log.append(draft);
    } catch (error) {
      services.logger.error({ requestId: ctx.requestId, err: error }, "audit append failed");
      throw toTrpcError(error);
    }
  }
  if (failure !== undefined) {
    const mapped = toTrpcError(failure);
    if (mapped.code === "INTERNAL_SERVER_ERROR") {
      services.logger.error(
        { requestId: ctx.requestId, operation: path, err: failure },
        "call failed",
      );
    }
    throw mapped;
  }
  return result as R;
}

/** The middleware described at the top of this file. */
export const callMiddleware = t.middleware((options) =>
  runCall(options, (call) => options.next({ ctx: { call } })),
);
