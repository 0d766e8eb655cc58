/**
 * The key-value store API (seeds 002 and 003): a persistent, Map-like dictionary opened with
 * `vault.kv(name)`. Values are any AgentVault value (JSON plus Date and binary).
 */

import type { Value } from "@agentvault/query";

/** Options for `vault.kv(name, options)`. */
export interface KeyValueOpenOptions {
  /** Fail with `NotFoundError` when the store was never created, instead of creating it. @default false */
  readonly mustExist?: boolean | undefined;
}

/** Options for one write. */
export interface KeyValueSetOptions {
  /** Time to live in seconds; the entry disappears after it. */
  readonly ttl?: number | undefined;
}

/** A persistent dictionary. Every method is async because the store may be remote. */
export interface KeyValueStore<V extends Value = Value> extends AsyncIterable<[string, V]> {
  readonly name: string;
  /** The value, or `defaultValue` (undefined when not given) if absent or expired. */
  get(key: string): Promise<V | undefined>;
  get<D>(key: string, defaultValue: D): Promise<V | D>;
  set(key: string, value: V, options?: KeyValueSetOptions): Promise<void>;
  has(key: string): Promise<boolean>;
  /** Returns whether the key existed. */
  delete(key: string): Promise<boolean>;
  keys(): Promise<string[]>;
  values(): Promise<V[]>;
  entries(): Promise<[string, V][]>;
  size(): Promise<number>;
  /** Removes every entry (the store itself remains); returns how many. */
  clear(): Promise<number>;
  /** Removes and returns the value; throws `NotFoundError` when absent and no default is given. */
  pop(key: string): Promise<V>;
  pop<D>(key: string, defaultValue: D): Promise<V | D>;
  /** Removes and returns some entry; throws `NotFoundError` when the store is empty. */
  popItem(): Promise<[string, V]>;
  /** Returns the value, storing `defaultValue` first when the key is absent. */
  setDefault(key: string, defaultValue: V): Promise<V>;
  /** Sets every entry of the object (like `dict.update`), atomically where the backend can. */
  update(entries: { readonly [key: string]: V }): Promise<void>;
  /** Sets many entries at once, atomically where the backend can. */
  setMany(entries: Iterable<readonly [string, V]>, options?: KeyValueSetOptions): Promise<void>;
  /** A plain-object copy of every live entry. */
  snapshot(): Promise<Record<string, V>>;
  /** Deletes the store and all its entries; a later `kv(name, { mustExist: true })` fails. */
  drop(): Promise<void>;
  /** Runs `fn` atomically against this store (needs a provider with transactions). */
  transaction<T>(fn: (store: KeyValueStore<V>) => Promise<T>): Promise<T>;
}
