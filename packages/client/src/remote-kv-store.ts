/**
 * A `KeyValueStore` served by an AgentVault server: the object `vault.kv(name)` returns on a
 * remote vault. Each method is one `kv.<method>` call, except the reads of the whole store
 * (`keys`, `values`, `entries`, `snapshot`, iteration), which read pages in key order, and writes
 * of more entries than one call may carry, which are split.
 *
 * Differences from an embedded store, all on purpose:
 * - `name` is the full name (`service.settings`), as `listCollections` gives full names.
 * - `pop`, `popItem`, `setDefault` and `update` are atomic on the server (one call each).
 *   `setMany` and `update` are atomic per call, and a call carries at most the server's
 *   `maxResultDocuments` entries (1000 by default) and `maxBodyBytes`; larger writes are split
 *   into several calls after every entry is validated locally, so a bad entry fails the write
 *   before anything is sent.
 * - Whole-store reads are several calls, not one snapshot: writes made meanwhile may or may not show.
 * - `transaction(fn)` throws `UnsupportedCapabilityError`: a function cannot be sent to the server.
 * - A store dropped through any handle fails every later call with `NotFoundError`.
 */

import {
  type KeyValueSetOptions,
  type KeyValueStore,
  LimitExceededError,
  NotFoundError,
  UnsupportedCapabilityError,
  ValidationError,
  validateKey,
  validateValue,
} from "@agentvault/core";
import type { Value } from "@agentvault/query";
import type { CallRunner } from "./call-runner.js";

const source = "client";
/** Entries asked for per page (the server may answer fewer) and written per call at most. */
const pageSize = 1000;

/** Whether the server refused a write for carrying too much (entries or bytes). */
function isTooLargeError(error: unknown): boolean {
  return (
    LimitExceededError.isInstance(error) &&
    (error.limit === "resultSize" || error.limit === "bodySize")
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** The remote key-value store described at the top of this file. */
export class RemoteKeyValueStore<V extends Value = Value> implements KeyValueStore<V> {
  /** The store's full name, `service.name`. */
  readonly name: string;
  readonly #runner: CallRunner;

  constructor(runner: CallRunner, name: string) {
    this.#runner = runner;
    this.name = name;
  }

  get(key: string): Promise<V | undefined>;
  get<D>(key: string, defaultValue: D): Promise<V | D>;
  async get(key: string, defaultValue?: unknown): Promise<unknown> {
    const store = this.name;
    const lookup = await this.#runner.run((trpc, signal) =>
      trpc.kv.get.query({ store, key }, { signal }),
    );
    return lookup.found ? lookup.value : defaultValue;
  }

  async set(key: string, value: V, options?: KeyValueSetOptions): Promise<void> {
    const input = { store: this.name, key, value, ttl: options?.ttl };
    await this.#runner.run((trpc, signal) => trpc.kv.set.mutate(input, { signal }));
  }

  has(key: string): Promise<boolean> {
    const store = this.name;
    return this.#runner.run((trpc, signal) => trpc.kv.has.query({ store, key }, { signal }));
  }

  delete(key: string): Promise<boolean> {
    const store = this.name;
    return this.#runner.run((trpc, signal) => trpc.kv.delete.mutate({ store, key }, { signal }));
  }

  /** Live entries in key order, read a page at a time. */
  async *#scan(): AsyncGenerator<[string, V]> {
    let after: string | undefined;
    for (;;) {
      const input = { store: this.name, after, limit: pageSize };
      const page = await this.#runner.run((trpc, signal) =>
        trpc.kv.entries.query(input, { signal }),
      );
      for (const [key, value] of page.entries) yield [key, value as V];
      if (page.done || page.last === undefined) return;
      after = page.last;
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<[string, V]> {
    return this.#scan();
  }

  async keys(): Promise<string[]> {
    const keys: string[] = [];
    for await (const [key] of this.#scan()) keys.push(key);
    return keys;
  }

  async values(): Promise<V[]> {
    const values: V[] = [];
    for await (const [, value] of this.#scan()) values.push(value);
    return values;
  }

  async entries(): Promise<[string, V][]> {
    const entries: [string, V][] = [];
    for await (const entry of this.#scan()) entries.push(entry);
    return entries;
  }

  size(): Promise<number> {
    const store = this.name;
    return this.#runner.run((trpc, signal) => trpc.kv.size.query({ store }, { signal }));
  }

  clear(): Promise<number> {
    const store = this.name;
    return this.#runner.run((trpc, signal) => trpc.kv.clear.mutate({ store }, { signal }));
  }

  pop(key: string): Promise<V>;
  pop<D>(key: string, defaultValue: D): Promise<V | D>;
  async pop(key: string, ...rest: [] | [unknown]): Promise<unknown> {
    const store = this.name;
    const lookup = await this.#runner.run((trpc, signal) =>
      trpc.kv.pop.mutate({ store, key }, { signal }),
    );
    if (lookup.found) return lookup.value;
    if (rest.length > 0) return rest[0];
    throw new NotFoundError(`Key not found in key-value store "${this.name}"`, { source });
  }

  async popItem(): Promise<[string, V]> {
    const store = this.name;
    const [key, value] = await this.#runner.run((trpc, signal) =>
      trpc.kv.popItem.mutate({ store }, { signal }),
    );
    return [key, value as V];
  }

  async setDefault(key: string, defaultValue: V): Promise<V> {
    const input = { store: this.name, key, value: defaultValue };
    const value = await this.#runner.run((trpc, signal) =>
      trpc.kv.setDefault.mutate(input, { signal }),
    );
    return value as V;
  }

  async update(entries: { readonly [key: string]: V }): Promise<void> {
    if (!isPlainObject(entries)) {
      throw new ValidationError("update takes a plain object of entries", "entries", { source });
    }
    const count = Object.keys(entries).length;
    if (count === 0) return;
    if (count > pageSize) return this.setMany(Object.entries(entries));
    const input = { store: this.name, entries: entries as Record<string, unknown> };
    try {
      await this.#runner.run((trpc, signal) => trpc.kv.update.mutate(input, { signal }));
    } catch (error) {
      // Too large for one call (a server with lower limits): split it like setMany.
      if (!isTooLargeError(error) || count === 1) throw error;
      await this.setMany(Object.entries(entries));
    }
  }

  async setMany(
    entries: Iterable<readonly [string, V]>,
    options?: KeyValueSetOptions,
  ): Promise<void> {
    // Validated and deduplicated (later duplicates win) before anything is sent.
    const byKey = new Map<string, [string, V]>();
    for (const [key, value] of entries) {
      const checked = validateKey(key, { source });
      validateValue(value, { source });
      byKey.delete(checked);
      byKey.set(checked, [checked, value]);
    }
    const all = [...byKey.values()];
    let size = pageSize;
    let start = 0;
    while (start < all.length) {
      const chunk = all.slice(start, start + size);
      const input = { store: this.name, entries: chunk, ttl: options?.ttl };
      try {
        await this.#runner.run((trpc, signal) => trpc.kv.setMany.mutate(input, { signal }));
      } catch (error) {
        if (!isTooLargeError(error) || chunk.length === 1) throw error;
        size = Math.max(1, Math.floor(chunk.length / 2));
        continue;
      }
      start += chunk.length;
    }
  }

  async snapshot(): Promise<Record<string, V>> {
    const copy: Record<string, V> = {};
    for await (const [key, value] of this.#scan()) {
      // defineProperty, so a key like `__proto__` is an ordinary entry, never a prototype change.
      Object.defineProperty(copy, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return copy;
  }

  async drop(): Promise<void> {
    const store = this.name;
    await this.#runner.run((trpc, signal) => trpc.kv.drop.mutate({ store }, { signal }));
  }

  /** Always throws `UnsupportedCapabilityError`: a function cannot be sent to the server. */
  async transaction<T>(_fn: (store: KeyValueStore<V>) => Promise<T>): Promise<T> {
    throw new UnsupportedCapabilityError(
      "transactions",
      "Key-value store transactions cannot run over HTTP (a function cannot be sent to the server); pop, popItem, setDefault and update are atomic on their own",
      { source },
    );
  }
}
