/**
 * Per-key locks inside one process. `encrypted()` reads, decrypts, changes, re-encrypts and
 * writes a record to update it; these locks make concurrent updates of one key in this process
 * run one after another, so none is lost (and so compare-and-swap retries stay rare).
 */

/** Named locks, acquired in sorted order so two holders of several names never deadlock. */
export class KeyLocks {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `fn` while holding every lock in `names`. */
  async run<T>(names: readonly string[], fn: () => Promise<T>): Promise<T> {
    const unique = [...new Set(names)].sort();
    const releases: (() => void)[] = [];
    try {
      for (const name of unique) releases.push(await this.#acquire(name));
      return await fn();
    } finally {
      for (const release of releases) release();
    }
  }

  async #acquire(name: string): Promise<() => void> {
    const previous = this.#tails.get(name) ?? Promise.resolve();
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => held);
    this.#tails.set(name, tail);
    await previous;
    return () => {
      release();
      // The last holder cleans up, so the map only keeps names that are in use.
      if (this.#tails.get(name) === tail) this.#tails.delete(name);
    };
  }
}
