/**
 * A bounded cache of object texts keyed by object key and validated by ETag. A scan lists the
 * collection (one request, which returns every object's current ETag) and fetches only objects
 * whose ETag it has not seen, so repeated queries over an unchanged collection cost one list
 * request instead of one request per record. Entries are evicted least recently used first.
 *
 * Texts, not parsed records, are kept: each read parses afresh, so callers can never change
 * what the cache holds.
 */

interface CachedText {
  readonly etag: string;
  readonly text: string;
}

/** The object-text cache of one provider and its siblings. */
export class ObjectTextCache {
  readonly #entries = new Map<string, CachedText>();
  readonly #maxBytes: number;
  #bytes = 0;

  /** @param maxBytes Memory budget (approximate: two bytes per character); 0 disables. */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** The cached text of `key` if its ETag is still `etag`. */
  get(key: string, etag: string | undefined): string | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || etag === undefined || entry.etag !== etag) return undefined;
    // Re-insert to mark it recently used.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.text;
  }

  /** Remembers the text of `key` at version `etag`. */
  set(key: string, etag: string | undefined, text: string): void {
    this.delete(key);
    const size = text.length * 2;
    if (etag === undefined || size > this.#maxBytes / 4) return;
    this.#entries.set(key, { etag, text });
    this.#bytes += size;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.text.length * 2;
    }
  }

  /** Forgets `key`. */
  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= entry.text.length * 2;
  }

  /** Forgets every key starting with `prefix`. */
  deletePrefix(prefix: string): void {
    for (const key of [...this.#entries.keys()]) if (key.startsWith(prefix)) this.delete(key);
  }
}
