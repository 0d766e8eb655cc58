/**
 * `requiresStorage`: an agent that cannot work without its storage fails fast. Before the first
 * call runs, every named provider is checked (registered, and healthy within the timeout); if
 * any is not, the call fails with ONE `StorageRequirementError` naming all of them, and the
 * agent's body never runs. Calls that start together share one check; a successful check is
 * kept, a failed one is repeated by the next call (the storage may have come back).
 */

import {
  type AgentVaultErrorOptions,
  ProviderNotRegisteredError,
  ProviderUnavailableError,
  ValidationError,
} from "@agentvault/core";
import type { StorageOptions } from "./agent-storage-types.js";
import { boundedHealth, resolveBackend } from "./storage-backends.js";
import { StorageScope } from "./storage-scope.js";

const source = "agent";

/** What `requiresStorage` needs: the providers and where they are registered. */
export type RequiresStorageOptions = Pick<
  StorageOptions,
  "providers" | "dataManager" | "vault" | "healthTimeoutMs" | "agent"
>;

/** What `requiresStorage(options, fn)` returns: `fn`, async, keeping `fn.storage` if it has one. */
export type RequiredStorageFunction<F extends (...args: never[]) => unknown> = ((
  ...args: Parameters<F>
) => Promise<Awaited<ReturnType<F>>>) &
  (F extends { readonly storage: infer S } ? { readonly storage: S } : unknown);

/** A provider that failed the check. */
export interface UnavailableProvider {
  readonly provider: string;
  /** `missing` (not registered) or `unhealthy`. */
  readonly problem: "missing" | "unhealthy";
  readonly message: string;
}

/** Some required storage is missing or unhealthy. A `ProviderUnavailableError`. */
export class StorageRequirementError extends ProviderUnavailableError {
  /** Every provider that failed, in declaration order. */
  readonly unavailable: readonly UnavailableProvider[];
  constructor(
    agent: string,
    unavailable: readonly UnavailableProvider[],
    options: AgentVaultErrorOptions = {},
  ) {
    const problems = unavailable.map((item) =>
      item.problem === "missing"
        ? `"${item.provider}" is not registered`
        : `"${item.provider}" is unhealthy (${item.message})`,
    );
    super(`Agent "${agent}" cannot start: ${problems.join("; ")}`, { source, ...options });
    this.unavailable = unavailable;
  }
  static override isInstance = (error: unknown): error is StorageRequirementError =>
    ProviderUnavailableError.isInstance(error) &&
    Array.isArray((error as { unavailable?: unknown }).unavailable);
}

/** Checks every provider; resolves when all are fine. @throws StorageRequirementError */
async function checkProviders(options: RequiresStorageOptions, agent: string): Promise<void> {
  const scope = new StorageScope(options, agent);
  const timeoutMs = options.healthTimeoutMs ?? 2000;
  const results = await Promise.all(
    scope.providers.map(async (provider): Promise<UnavailableProvider | undefined> => {
      let backend: ReturnType<typeof resolveBackend>;
      try {
        backend = resolveBackend(options, provider);
      } catch (error) {
        if (!ProviderNotRegisteredError.isInstance(error)) throw error;
        return { provider, problem: "missing", message: error.message };
      }
      const status = await boundedHealth(() => backend.health(), timeoutMs);
      if (status.ok) return undefined;
      return { provider, problem: "unhealthy", message: status.message ?? "not ok" };
    }),
  );
  const unavailable = results.filter((item): item is UnavailableProvider => item !== undefined);
  if (unavailable.length > 0) throw new StorageRequirementError(agent, unavailable);
}

/** A check that runs once successfully, shared by the calls that wait for it. */
function createGate(options: RequiresStorageOptions, agent: string): () => Promise<void> {
  let passed = false;
  let running: Promise<void> | undefined;
  return async () => {
    if (passed) return;
    running ??= checkProviders(options, agent).then(
      () => {
        passed = true;
        running = undefined;
      },
      (error: unknown) => {
        running = undefined;
        throw error;
      },
    );
    await running;
  };
}

function guard<This, R>(
  fn: (this: This, ...args: unknown[]) => R,
  options: RequiresStorageOptions,
  agent: string,
): (this: This, ...args: unknown[]) => Promise<Awaited<R>> {
  const ready = createGate(options, agent);
  const guarded = async function (this: This, ...args: unknown[]): Promise<Awaited<R>> {
    await ready();
    return await fn.apply(this, args);
  };
  Object.defineProperty(guarded, "name", { value: fn.name });
  // Keep what `storageEnabled` attached, whichever order the two wrap in.
  const storage = (fn as { storage?: unknown }).storage;
  if (storage !== undefined) Object.defineProperty(guarded, "storage", { value: storage });
  // Matches the declared length, so a `storageEnabled` around this still places its context right.
  Object.defineProperty(guarded, "length", { value: fn.length });
  return guarded;
}

/** Checks the declaration when the agent is defined, not at its first call. */
function checkOptions(options: RequiresStorageOptions, agent: string): void {
  new StorageScope(options, agent);
}

/**
 * Wraps an agent function so that it fails before its body runs when any named provider is not
 * registered or not healthy, with one error naming every such provider.
 *
 * @example
 * const critical = requiresStorage({ providers: ["postgresql", "redis"] }, async (spore: Spore) => work(spore));
 * await critical(spore); // StorageRequirementError: "redis" is unhealthy (...) when Redis is down
 */
export function requiresStorage<F extends (...args: never[]) => unknown>(
  options: RequiresStorageOptions,
  fn: F,
): RequiredStorageFunction<F>;
/** The same as a standard decorator of an async class method. */
export function requiresStorage(
  options: RequiresStorageOptions,
): <This, A extends unknown[], R>(
  method: (this: This, ...args: A) => Promise<R>,
  context: ClassMethodDecoratorContext<This, (this: This, ...args: A) => Promise<R>>,
) => (this: This, ...args: A) => Promise<R>;
export function requiresStorage(
  options: RequiresStorageOptions,
  fn?: (...args: never[]) => unknown,
): unknown {
  if (fn !== undefined) {
    if (typeof fn !== "function") {
      throw new ValidationError("requiresStorage wraps a function", "fn", { source });
    }
    const agent = options?.agent ?? (fn.name || "agent");
    checkOptions(options, agent);
    return guard(fn as (...args: unknown[]) => unknown, options, agent);
  }
  checkOptions(options, "agent");
  return (method: (...args: unknown[]) => unknown, context: ClassMethodDecoratorContext) => {
    if (context?.kind !== "method") {
      throw new ValidationError("requiresStorage decorates methods only", "decorator", { source });
    }
    return guard(method, options, options.agent ?? String(context.name));
  };
}
