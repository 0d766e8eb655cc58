/**
 * A persistent dictionary (seeds 002 and 003: get, set, has, delete, keys, snapshot, setDefault,
 * pop, update) kept in a collection, one document `{ value }` per entry. The seeds' stores were
 * written on the collection API, rather than `vault.kv()`, when the server served collections
 * only; each example runs unchanged on an embedded vault and on a remote one.
 */

import type { Vault } from "@agentvault/core";
import type { Value } from "@agentvault/query";

/** A dictionary stored in one collection of a vault. */
export interface DocumentDictionary<V extends Value = Value> {
  get(key: string): Promise<V | undefined>;
  get<D>(key: string, defaultValue: D): Promise<V | D>;
  set(key: string, value: V, options?: { readonly ttl?: number }): Promise<void>;
  has(key: string): Promise<boolean>;
  delete(key: string): Promise<boolean>;
  /** Keys in order. */
  keys(): Promise<string[]>;
  size(): Promise<number>;
  /** A plain-object copy of every entry. */
  snapshot(): Promise<Record<string, V>>;
  /** Sets every entry of the object. */
  update(entries: Readonly<Record<string, V>>): Promise<void>;
  /** The value, storing `defaultValue` first when the key is absent. */
  setDefault(key: string, defaultValue: V): Promise<V>;
  /** Removes and returns the value, or `defaultValue` when absent. */
  pop<D>(key: string, defaultValue: D): Promise<V | D>;
  clear(): Promise<number>;
}

/** Opens the dictionary kept in `collection`. */
export function documentDictionary<V extends Value = Value>(
  vault: Vault,
  collection: string,
): DocumentDictionary<V> {
  const entries = vault.collection<{ value: V }>(collection);

  async function get(key: string, ...rest: [] | [unknown]): Promise<unknown> {
    const entry = await entries.retrieve(key);
    return entry === null ? rest[0] : entry.value;
  }

  const dictionary = {
    get,
    async set(key: string, value: V, options?: { readonly ttl?: number }) {
      await entries.store({ value }, { key, ttl: options?.ttl });
    },
    async has(key: string) {
      return (await entries.retrieve(key)) !== null;
    },
    delete: (key: string) => entries.delete(key),
    async keys() {
      const all = await entries.query({}, { sort: { _id: 1 }, projection: { _id: 1 } });
      return all.map((entry) => entry._id);
    },
    size: () => entries.count(),
    async snapshot() {
      const copy: Record<string, V> = {};
      for (const entry of await entries.query({}, { sort: { _id: 1 } })) {
        Object.defineProperty(copy, entry._id, { value: entry.value, enumerable: true });
      }
      return copy;
    },
    async update(values: Readonly<Record<string, V>>) {
      await Promise.all(Object.entries(values).map(([key, value]) => dictionary.set(key, value)));
    },
    async setDefault(key: string, defaultValue: V) {
      const entry = await entries.retrieve(key);
      if (entry !== null) return entry.value;
      await entries.store({ value: defaultValue }, { key });
      return defaultValue;
    },
    async pop(key: string, defaultValue: unknown) {
      const entry = await entries.retrieve(key);
      // Only the caller whose delete succeeds gets the value.
      return entry !== null && (await entries.delete(key)) ? entry.value : defaultValue;
    },
    clear: () => entries.clear(),
  };
  return dictionary as DocumentDictionary<V>;
}
