/**
 * `storageEnabled`: gives an agent its storage. On a plain function it returns a wrapper that
 * passes `{ storage }` after the caller's arguments and exposes the same storage as
 * `fn.storage`; as a standard (TC39) decorator it does the same for a class method.
 *
 * The context is passed right after the declared parameters (missing optional arguments are
 * filled with `undefined`), so declare it last: `(input, context) => ...`, or in methods
 * `handle(input, context?: StorageContext)`.
 */

import { ValidationError } from "@agentvault/core";
import { createAgentStorage } from "./agent-storage.js";
import type { AgentStorage, StorageContext, StorageOptions } from "./agent-storage-types.js";

/** A function with its storage attached. */
export type StorageEnabledFunction<A extends unknown[], R> = ((...args: A) => R) & {
  readonly storage: AgentStorage;
};

/** The decorator `storageEnabled(options)` returns. */
export type StorageMethodDecorator = <This, A extends unknown[], R>(
  method: (this: This, ...args: A) => R,
  context: ClassMethodDecoratorContext<This, (this: This, ...args: A) => R>,
) => (this: This, ...args: A) => R;

const source = "agent";

/** The arguments with the context at index `declared - 1` or after the given ones. */
function withContext(args: readonly unknown[], declared: number, context: StorageContext) {
  const padded = [...args];
  while (padded.length < declared - 1) padded.push(undefined);
  padded.push(context);
  return padded;
}

function attachStorage<T extends object>(target: T, storage: AgentStorage): T {
  Object.defineProperty(target, "storage", { value: storage, enumerable: true });
  return target;
}

function wrap<This, R>(
  fn: (this: This, ...args: unknown[]) => R,
  storage: AgentStorage,
): (this: This, ...args: unknown[]) => R {
  const context: StorageContext = Object.freeze({ storage });
  const wrapped = function (this: This, ...args: unknown[]): R {
    return fn.apply(this, withContext(args, fn.length, context));
  };
  Object.defineProperty(wrapped, "name", { value: fn.name });
  return attachStorage(wrapped, storage);
}

/**
 * Injects storage into an agent function: the wrapper passes `{ storage }` as the argument after
 * the caller's, and `wrapper.storage` is the same storage. Only the declared providers and
 * collections are reachable (with the declared permissions); anything else throws
 * `PermissionDeniedError`.
 *
 * @example
 * const handleData = storageEnabled(
 *   { providers: ["postgresql"], collections: ["results"] },
 *   async (spore: Spore, { storage }: StorageContext) =>
 *     storage.store(process(spore), { provider: "postgresql", collection: "results" }),
 * );
 * await handleData(spore);
 */
export function storageEnabled<A extends unknown[], R>(
  options: StorageOptions,
  fn: (...args: [...A, StorageContext]) => R,
): StorageEnabledFunction<A, R>;
/**
 * The same as a standard class-method decorator. Declare the context as the method's last,
 * optional parameter.
 *
 * @example
 * class Support {
 *   \@storageEnabled({ providers: ["main"], collections: ["customer_memory"] })
 *   async remember(note: string, context?: StorageContext) {
 *     return context!.storage.collection("customer_memory").store({ note });
 *   }
 * }
 */
export function storageEnabled(options: StorageOptions): StorageMethodDecorator;
export function storageEnabled(
  options: StorageOptions,
  fn?: (...args: never[]) => unknown,
): unknown {
  if (fn !== undefined) {
    if (typeof fn !== "function") {
      throw new ValidationError("storageEnabled wraps a function", "fn", { source });
    }
    const storage = createAgentStorage(options, options?.agent ?? (fn.name || "agent"));
    return wrap(fn as (...args: unknown[]) => unknown, storage);
  }
  // Check the declaration when the class is defined, not at the first call.
  createAgentStorage(options);
  return (method: (...args: unknown[]) => unknown, context: ClassMethodDecoratorContext) => {
    if (context?.kind !== "method") {
      throw new ValidationError("storageEnabled decorates methods only", "decorator", { source });
    }
    return wrap(method, createAgentStorage(options, options.agent ?? String(context.name)));
  };
}
