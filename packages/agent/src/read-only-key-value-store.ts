/**
 * A key-value store an agent may only read: the reading methods pass through, every method that
 * changes the store fails with `PermissionDeniedError` before touching it.
 */

import type { KeyValueStore } from "@agentvault/core";
import { PermissionDeniedError } from "@agentvault/core";
import type { Value } from "@agentvault/query";
import type { StorageScope } from "./storage-scope.js";

const writingMethods = [
  "set",
  "delete",
  "clear",
  "pop",
  "popItem",
  "setDefault",
  "update",
  "setMany",
  "drop",
  "transaction",
] as const;

/** Wraps `store` so that only its reading methods work. */
export function readOnlyKeyValueStore<V extends Value>(
  store: KeyValueStore<V>,
  scope: StorageScope,
): KeyValueStore<V> {
  const refuse = (method: string) => () =>
    Promise.reject(
      new PermissionDeniedError(
        `Agent "${scope.agent}" may only read the key-value store "${store.name}" (${method} writes)`,
        { source: "agent" },
      ),
    );
  const readOnly = {
    name: store.name,
    get: (key: string, ...rest: unknown[]) =>
      rest.length === 0 ? store.get(key) : store.get(key, rest[0]),
    has: (key: string) => store.has(key),
    keys: () => store.keys(),
    values: () => store.values(),
    entries: () => store.entries(),
    size: () => store.size(),
    snapshot: () => store.snapshot(),
    [Symbol.asyncIterator]: () => store[Symbol.asyncIterator](),
  } as Record<string | symbol, unknown>;
  for (const method of writingMethods) readOnly[method] = refuse(method);
  return readOnly as unknown as KeyValueStore<V>;
}
