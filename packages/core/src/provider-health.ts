/**
 * A bounded health check: whatever a provider does (answers, throws, hangs), the caller gets a
 * `HealthStatus` within the timeout. Used by `dataManager.health()`.
 */

import { AgentVaultError } from "@agentvault/query";
import type { HealthStatus, StorageProvider } from "./provider.js";

/** Why a check failed, without the error's text (drivers put connection strings in messages). */
function describeFailure(error: unknown): string {
  if (AgentVaultError.isInstance(error)) return error.message;
  const code = (error as { code?: unknown } | null)?.code;
  const name = error instanceof Error ? error.name : typeof error;
  return typeof code === "string" && /^[A-Z0-9_]{1,40}$/.test(code)
    ? `Health check failed (${name} ${code})`
    : `Health check failed (${name})`;
}

/**
 * Runs `provider.health()`, reporting `{ ok: false }` when it throws, returns something that is
 * not a status, or takes longer than `timeoutMs`. Never throws.
 *
 * @param timeoutMs How long to wait. @default 2000
 */
export async function checkProviderHealth(
  provider: StorageProvider,
  timeoutMs = 2000,
): Promise<HealthStatus> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<HealthStatus>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({ ok: false, latencyMs: elapsed(), message: `No answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  const check = Promise.resolve()
    .then(() => provider.health())
    .then(
      (status): HealthStatus => {
        if (typeof status !== "object" || status === null || typeof status.ok !== "boolean") {
          return { ok: false, latencyMs: elapsed(), message: "Health check returned no status" };
        }
        return {
          ok: status.ok,
          latencyMs: status.latencyMs ?? elapsed(),
          ...(status.message === undefined ? {} : { message: status.message }),
        };
      },
      (error: unknown): HealthStatus => ({
        ok: false,
        latencyMs: elapsed(),
        message: describeFailure(error),
      }),
    );
  try {
    return await Promise.race([check, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
