/**
 * The undo log behind the memory provider's transactions. Each transaction remembers, for every
 * key it writes, the record that was there before its first write (or that there was none).
 * Rolling back puts those back; committing a nested transaction hands its entries to the
 * parent, which keeps its own older ones. Writes made outside the transaction to other keys
 * survive a rollback, unlike restoring a whole snapshot.
 */

import type { StoredRecord } from "./provider.js";

/** The records of one database: collection name -> key -> record. */
export type MemoryCollections = Map<string, Map<string, StoredRecord>>;

/** One transaction's undo log. */
export class MemoryJournal {
  readonly #previous = new Map<string, Map<string, StoredRecord | undefined>>();

  /** Records the state of `key` before this transaction's first write to it. */
  remember(collection: string, key: string, previous: StoredRecord | undefined): void {
    let keys = this.#previous.get(collection);
    if (keys === undefined) {
      keys = new Map();
      this.#previous.set(collection, keys);
    }
    if (!keys.has(key)) keys.set(key, previous);
  }

  /** Puts back every remembered record. */
  rollback(collections: MemoryCollections): void {
    for (const [collection, keys] of this.#previous) {
      let records = collections.get(collection);
      for (const [key, previous] of keys) {
        if (previous === undefined) {
          records?.delete(key);
        } else {
          if (records === undefined) {
            records = new Map();
            collections.set(collection, records);
          }
          records.set(key, previous);
        }
      }
      if (records !== undefined && records.size === 0) collections.delete(collection);
    }
    this.#previous.clear();
  }

  /** Hands this (nested, committed) transaction's entries to its parent. */
  mergeInto(parent: MemoryJournal): void {
    for (const [collection, keys] of this.#previous) {
      for (const [key, previous] of keys) parent.remember(collection, key, previous);
    }
    this.#previous.clear();
  }
}
