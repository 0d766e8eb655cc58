/**
 * Ranking rules every provider shares, so a search returns the same hits in the same order
 * everywhere: best score first, ties broken by key (ascending code-unit order, as
 * `Array.prototype.sort` compares strings), `minScore` inclusive, `limit` defaulting to 10.
 * `TopVectorHits` keeps only the best `limit` while scanning, so an exact search over a large
 * collection holds `limit` hits, not one per record.
 */

import { ValidationError } from "./errors.js";
import type { StoredRecord, VectorHit } from "./provider.js";

/** The number of hits a search returns when the query gives no `limit`. */
export const defaultSearchLimit = 10;

/** Something ranked: a score and the key that breaks ties. */
export interface RankedKey {
  readonly key: string;
  readonly score: number;
}

/**
 * Orders two ranked entries: higher score first, then smaller key first. Use it to sort hits so
 * that equal scores come back in the same order from every provider.
 */
export function compareRanked(left: RankedKey, right: RankedKey): number {
  if (left.score !== right.score) return right.score - left.score;
  if (left.key === right.key) return 0;
  return left.key < right.key ? -1 : 1;
}

/** `compareRanked` for `VectorHit`s, which carry their key in `record`. */
export function compareVectorHits(left: VectorHit, right: VectorHit): number {
  return compareRanked(
    { key: left.record.key, score: left.score },
    { key: right.record.key, score: right.score },
  );
}

/**
 * Keeps the best `limit` entries offered to it (a binary min-heap on `compareRanked`, so the
 * worst kept entry is at the root and each offer costs O(log limit)).
 *
 * @example
 * const top = new TopVectorHits<string>(10);
 * for (const [key, vector] of rows) top.offer(key, vectorScore("cosine", query, vector), key);
 * const best = top.sorted(); // best first
 */
export class TopVectorHits<T> {
  readonly #limit: number;
  readonly #minScore: number | undefined;
  readonly #heap: { key: string; score: number; item: T }[] = [];

  /**
   * @param limit How many entries to keep.
   * @param minScore Entries scoring below this are refused. @default undefined (no floor)
   */
  constructor(limit: number, minScore?: number) {
    this.#limit = limit;
    this.#minScore = minScore;
  }

  /** How many entries are kept now. */
  get size(): number {
    return this.#heap.length;
  }

  /** The score an entry must beat (or tie with a smaller key) to be kept, once full. */
  get threshold(): number {
    return this.#heap.length < this.#limit ? Number.NEGATIVE_INFINITY : this.#heap[0]!.score;
  }

  /** Offers one entry; returns whether it was kept. */
  offer(key: string, score: number, item: T): boolean {
    if (this.#limit <= 0 || Number.isNaN(score)) return false;
    if (this.#minScore !== undefined && score < this.#minScore) return false;
    const heap = this.#heap;
    const entry = { key, score, item };
    if (heap.length < this.#limit) {
      heap.push(entry);
      this.#siftUp(heap.length - 1);
      return true;
    }
    // The root is the worst kept entry: replace it only with something ranked before it.
    if (compareRanked(entry, heap[0]!) >= 0) return false;
    heap[0] = entry;
    this.#siftDown(0);
    return true;
  }

  /** The kept entries, best first. */
  sorted(): { key: string; score: number; item: T }[] {
    return [...this.#heap].sort(compareRanked);
  }

  /** Worse means "ranked later": the heap keeps the worst entry at the root. */
  #worse(left: number, right: number): boolean {
    return compareRanked(this.#heap[left]!, this.#heap[right]!) > 0;
  }

  #swap(left: number, right: number): void {
    const heap = this.#heap;
    const held = heap[left]!;
    heap[left] = heap[right]!;
    heap[right] = held;
  }

  #siftUp(start: number): void {
    let index = start;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.#worse(index, parent)) return;
      this.#swap(index, parent);
      index = parent;
    }
  }

  #siftDown(start: number): void {
    const length = this.#heap.length;
    let index = start;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let worst = index;
      if (left < length && this.#worse(left, worst)) worst = left;
      if (right < length && this.#worse(right, worst)) worst = right;
      if (worst === index) return;
      this.#swap(index, worst);
      index = worst;
    }
  }
}

/**
 * Ranks scored records the shared way: drops those under `minScore`, sorts best first with ties
 * by key, and keeps `limit` (default 10).
 */
export function rankVectorHits(
  hits: Iterable<VectorHit>,
  options: { readonly limit?: number | undefined; readonly minScore?: number | undefined } = {},
): VectorHit[] {
  const top = new TopVectorHits<StoredRecord>(
    options.limit ?? defaultSearchLimit,
    options.minScore,
  );
  for (const hit of hits) top.offer(hit.record.key, hit.score, hit.record);
  return top.sorted().map((entry) => ({ record: entry.item, score: entry.score }));
}

/**
 * Checks a query vector against the dimension a collection's vectors have (the first vector
 * stored fixes it), so a wrong-sized query fails clearly even when a filter leaves nothing to
 * score. `dimension` undefined means the collection holds no vector yet: any query is fine.
 * @throws ValidationError when the dimensions differ.
 */
export function checkQueryDimension(
  query: readonly number[],
  dimension: number | undefined,
  options: { readonly source: string; readonly collection?: string | undefined },
): void {
  if (dimension === undefined || query.length === dimension) return;
  const where = options.collection === undefined ? "the collection" : options.collection;
  throw new ValidationError(
    `Vector dimension mismatch: ${where} holds ${dimension}-dimensional vectors, the query has ${query.length}`,
    "vector",
    { source: options.source },
  );
}
