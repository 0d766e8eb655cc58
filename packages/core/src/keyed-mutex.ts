/**
 * In-process mutual exclusion per key: callers of one key run one at a time, first come, first
 * served, while different keys run in parallel. Providers use it so one process never races
 * itself on a record (writers in other processes still need the backend's own guard: a lock
 * file, a conditional write, a transaction).
 */

/**
 * A table of async mutexes by key. The table only holds keys that are in use, so keys can be
 * unbounded (file paths, object keys). Share one instance wherever two callers must exclude
 * each other: providers keep one per module, so every instance in the process shares it.
 *
 * @example
 * const records = new KeyedMutex();
 * await records.run("users/alice", () => readModifyWrite());
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every earlier holder of `key` has finished, and returns its result. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release = () => {};
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => current);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      // The last waiter cleans up, so the table only holds keys that are in use.
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  /**
   * Runs `fn` holding every key of `keys` (duplicates count once). Keys are taken in sorted
   * order, so two callers locking overlapping sets can never deadlock.
   */
  runAll<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const acquire = (index: number): Promise<T> => {
      const key = sorted[index];
      if (key === undefined) return fn();
      return this.run(key, () => acquire(index + 1));
    };
    return acquire(0);
  }

  /** How many keys are held or waited for now (0 once every caller has finished). */
  get size(): number {
    return this.#tails.size;
  }
}
