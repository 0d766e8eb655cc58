/**
 * Key-value stores (seeds 002 and 003) over any `StorageProvider`. A store named `settings`
 * keeps its entries as records of the collection `_avkv.settings` (entry key = record key), and
 * a record `settings` in the collection `_avkv` says that the store exists, so opening with
 * `mustExist` can tell "never created" (or dropped) from "empty".
 */

import type { FieldPath, FilterNode, SortSpec, Value } from "@agentvault/query";
import { type Clock, systemClock } from "./clock.js";
import {
  ConflictError,
  NotFoundError,
  UnsupportedCapabilityError,
  ValidationError,
} from "./errors.js";
import type { KeyValueOpenOptions, KeyValueSetOptions, KeyValueStore } from "./key-value-types.js";
import { setOwnField } from "./own-field.js";
import type { StorageProvider, StoredRecord } from "./provider.js";
import { isExpired } from "./record-view.js";
import { validateCollectionName, validateKey, validateValue } from "./validation.js";

/** The collection that records which key-value stores exist. */
export const keyValueRegistryCollection = "_avkv";

/** The collection holding the entries of the store `name`. */
export function keyValueCollection(name: string): string {
  return `${keyValueRegistryCollection}.${name}`;
}

/** Options for `openKeyValueStore`. */
export interface KeyValueStoreOptions extends KeyValueOpenOptions {
  /** The time source for TTLs; pass the provider's clock in tests. @default systemClock */
  readonly clock?: Clock | undefined;
}

const source = "kv";
// Entry collections are `_avkv.<name>` and collection names are at most 120 characters.
const maxNameLength = 120 - keyValueCollection("").length;
const pageSize = 256;
const idPath: FieldPath = { path: "_id", segments: ["_id"] };
const matchAll: FilterNode = { type: "and", children: [] };
const byKey: SortSpec = [{ field: idPath, direction: 1 }];

function checkName(name: unknown): string {
  const checked = validateCollectionName(name, { source });
  if (checked.length > maxNameLength) {
    throw new ValidationError(
      `Key-value store names are at most ${maxNameLength} characters`,
      "name",
      {
        source,
      },
    );
  }
  return checked;
}

function expiryFrom(options: KeyValueSetOptions | undefined, clock: Clock): number | undefined {
  const ttl = options?.ttl;
  if (ttl === undefined) return undefined;
  if (typeof ttl !== "number" || !Number.isFinite(ttl) || ttl <= 0) {
    throw new ValidationError("ttl must be a positive number of seconds", "ttl", { source });
  }
  return clock() + ttl * 1000;
}

/**
 * Opens the key-value store `name` on `provider`, creating it unless `mustExist` is set.
 *
 * @throws NotFoundError when `mustExist` is set and the store was never created (or was dropped).
 * @throws ValidationError when `name` is not a valid collection name of at most 114 characters.
 * @example
 * const settings = await openKeyValueStore(memoryProvider(), "settings");
 * await settings.set("theme", "dark");
 * await settings.get("theme"); // "dark"
 */
export async function openKeyValueStore<V extends Value = Value>(
  provider: StorageProvider,
  name: string,
  options: KeyValueStoreOptions = {},
): Promise<KeyValueStore<V>> {
  const checked = checkName(name);
  const clock = options.clock ?? systemClock;
  const existing = await provider.get(keyValueRegistryCollection, checked);
  if (existing === null) {
    if (options.mustExist === true) {
      throw new NotFoundError(`Key-value store "${checked}" does not exist`, { source });
    }
    try {
      await provider.put(
        keyValueRegistryCollection,
        { key: checked, value: { createdAt: clock() } },
        { ifAbsent: true },
      );
    } catch (error) {
      // Another caller created it at the same moment: that is what we wanted.
      if (!ConflictError.isInstance(error)) throw error;
    }
  }
  return new ProviderKeyValueStore<V>(provider, checked, clock);
}

/** A `KeyValueStore` over a provider. */
class ProviderKeyValueStore<V extends Value> implements KeyValueStore<V> {
  readonly name: string;
  readonly #provider: StorageProvider;
  readonly #collection: string;
  readonly #clock: Clock;
  #dropped = false;

  constructor(provider: StorageProvider, name: string, clock: Clock) {
    this.name = name;
    this.#provider = provider;
    this.#collection = keyValueCollection(name);
    this.#clock = clock;
  }

  /** The provider, once the store is known not to have been dropped through this handle. */
  #live(): StorageProvider {
    if (this.#dropped) {
      throw new NotFoundError(`Key-value store "${this.name}" was dropped`, { source });
    }
    return this.#provider;
  }

  async #record(key: string): Promise<StoredRecord | null> {
    const record = await this.#live().get(this.#collection, validateKey(key, { source }));
    return record === null || isExpired(record, this.#clock()) ? null : record;
  }

  get(key: string): Promise<V | undefined>;
  get<D>(key: string, defaultValue: D): Promise<V | D>;
  async get(key: string, defaultValue?: unknown): Promise<unknown> {
    const record = await this.#record(key);
    return record === null ? defaultValue : record.value;
  }

  async set(key: string, value: V, options?: KeyValueSetOptions): Promise<void> {
    await this.#live().put(this.#collection, this.#entry(key, value, options));
  }

  #entry(key: string, value: V, options: KeyValueSetOptions | undefined): StoredRecord {
    return {
      key: validateKey(key, { source }),
      value: validateValue(value, { source }),
      expiresAt: expiryFrom(options, this.#clock),
    };
  }

  async has(key: string): Promise<boolean> {
    return (await this.#record(key)) !== null;
  }

  async delete(key: string): Promise<boolean> {
    return this.#live().delete(this.#collection, validateKey(key, { source }));
  }

  /** Live entries in key order, read a page at a time so large stores stream. */
  async *#scan(): AsyncGenerator<StoredRecord> {
    let filter = matchAll;
    for (;;) {
      const page = await this.#live().find(this.#collection, {
        filter,
        sort: byKey,
        limit: pageSize,
      });
      const now = this.#clock();
      for (const record of page) if (!isExpired(record, now)) yield record;
      const last = page.at(-1);
      if (last === undefined || page.length < pageSize) return;
      filter = { type: "field", field: idPath, condition: { op: "gt", value: last.key } };
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<[string, V]> {
    for await (const record of this.#scan()) yield [record.key, record.value as V];
  }

  async keys(): Promise<string[]> {
    const keys: string[] = [];
    for await (const record of this.#scan()) keys.push(record.key);
    return keys;
  }

  async values(): Promise<V[]> {
    const values: V[] = [];
    for await (const record of this.#scan()) values.push(record.value as V);
    return values;
  }

  async entries(): Promise<[string, V][]> {
    const entries: [string, V][] = [];
    for await (const entry of this) entries.push(entry);
    return entries;
  }

  size(): Promise<number> {
    return this.#live().count(this.#collection, matchAll);
  }

  clear(): Promise<number> {
    return this.#live().deleteMany(this.#collection, matchAll);
  }

  pop(key: string): Promise<V>;
  pop<D>(key: string, defaultValue: D): Promise<V | D>;
  async pop(key: string, ...rest: [] | [unknown]): Promise<unknown> {
    const record = await this.#record(key);
    // Only the caller whose delete succeeds gets the value: two concurrent pops never both win.
    if (record !== null && (await this.#live().delete(this.#collection, record.key))) {
      return record.value;
    }
    if (rest.length > 0) return rest[0];
    throw new NotFoundError(`Key not found in key-value store "${this.name}"`, { source });
  }

  async popItem(): Promise<[string, V]> {
    // A lost race means another caller removed that entry, so every retry follows someone's
    // progress: keep going until this caller wins an entry or the store is empty.
    for (;;) {
      const [record] = await this.#live().find(this.#collection, {
        filter: matchAll,
        sort: byKey,
        limit: 1,
      });
      if (record === undefined) break;
      if (await this.#live().delete(this.#collection, record.key)) {
        return [record.key, record.value as V];
      }
    }
    throw new NotFoundError(`Key-value store "${this.name}" is empty`, { source });
  }

  async setDefault(key: string, defaultValue: V): Promise<V> {
    const entry = this.#entry(key, defaultValue, undefined);
    for (let attempt = 0; attempt < 8; attempt++) {
      try {
        await this.#live().put(this.#collection, entry, { ifAbsent: true });
        return defaultValue;
      } catch (error) {
        if (!ConflictError.isInstance(error)) throw error;
      }
      const record = await this.#record(key);
      if (record !== null) return record.value as V;
      // Deleted (or expired) between the two calls: try to insert again.
    }
    throw new ConflictError(`setDefault kept racing with other writers on one key`, { source });
  }

  update(entries: { readonly [key: string]: V }): Promise<void> {
    if (typeof entries !== "object" || entries === null || Array.isArray(entries)) {
      throw new ValidationError("update takes a plain object of entries", "entries", { source });
    }
    return this.setMany(Object.entries(entries));
  }

  async setMany(
    entries: Iterable<readonly [string, V]>,
    options?: KeyValueSetOptions,
  ): Promise<void> {
    // Later duplicates win, as with repeated `set`; a batch never holds one key twice.
    const byEntryKey = new Map<string, StoredRecord>();
    for (const [key, value] of entries) {
      const record = this.#entry(key, value, options);
      byEntryKey.delete(record.key);
      byEntryKey.set(record.key, record);
    }
    if (byEntryKey.size > 0) await this.#live().putMany(this.#collection, [...byEntryKey.values()]);
  }

  async snapshot(): Promise<Record<string, V>> {
    const copy: Record<string, V> = {};
    for await (const record of this.#scan()) setOwnField(copy, record.key, record.value as V);
    return copy;
  }

  async drop(): Promise<void> {
    const provider = this.#live();
    await provider.dropCollection(this.#collection);
    await provider.delete(keyValueRegistryCollection, this.name);
    this.#dropped = true;
  }

  async transaction<T>(fn: (store: KeyValueStore<V>) => Promise<T>): Promise<T> {
    const provider = this.#live();
    if (provider.transaction === undefined || !provider.capabilities.transactions) {
      throw new UnsupportedCapabilityError(
        "transactions",
        `The ${provider.name} provider has no transactions; key-value store transactions need one`,
        { source },
      );
    }
    return provider.transaction((tx) =>
      fn(new ProviderKeyValueStore<V>(tx, this.name, this.#clock)),
    );
  }
}
