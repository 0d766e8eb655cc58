/**
 * Exact vector search over any MongoDB deployment: the filter runs natively, only keys and
 * vectors travel, every vector is scored here with the core's `vectorScore`, and the best
 * `limit` are kept in a small sorted buffer. Atlas-only `$vectorSearch` indexes are not used, so
 * results are the same on a laptop and in production; the cost grows with the number of
 * candidate records.
 */

import { type VectorMetric, vectorScore } from "@agentvault/core";
import type { ClientSession, Collection, Document } from "mongodb";

/** One scored key. */
export interface ScoredKey {
  readonly key: string;
  readonly score: number;
}

/**
 * Keeps the `limit` best scores seen, best first; equal scores in key order, so results are
 * deterministic. Scores below `minScore` are never kept.
 */
export class TopScores {
  readonly #limit: number;
  readonly #minScore: number | undefined;
  readonly #best: ScoredKey[] = [];

  constructor(limit: number, minScore?: number) {
    this.#limit = limit;
    this.#minScore = minScore;
  }

  /** Offers one candidate. */
  offer(key: string, score: number): void {
    if (this.#limit <= 0 || Number.isNaN(score)) return;
    if (this.#minScore !== undefined && score < this.#minScore) return;
    const best = this.#best;
    const last = best[best.length - 1];
    if (best.length >= this.#limit && last !== undefined && !ranksBefore(key, score, last)) return;
    let index = best.length;
    while (index > 0 && ranksBefore(key, score, best[index - 1]!)) index--;
    best.splice(index, 0, { key, score });
    if (best.length > this.#limit) best.pop();
  }

  /** The kept candidates, best first. */
  results(): ScoredKey[] {
    return [...this.#best];
  }
}

function ranksBefore(key: string, score: number, other: ScoredKey): boolean {
  return score > other.score || (score === other.score && key < other.key);
}

/** What `scoreCollection` needs besides the collection. */
export interface VectorScan {
  readonly vector: readonly number[];
  /** The MongoDB filter candidates must match (already guarded against expiry). */
  readonly filter: Document;
  readonly metric: VectorMetric;
  readonly limit: number;
  readonly minScore?: number | undefined;
  readonly session?: ClientSession | undefined;
}

/**
 * Scores every record of `collection` that matches the filter and has a vector; returns the
 * best keys with their scores, best first.
 * @throws ValidationError when a stored vector's dimension differs from the query's.
 */
export async function scoreCollection(
  collection: Collection<Document>,
  scan: VectorScan,
): Promise<ScoredKey[]> {
  const top = new TopScores(scan.limit, scan.minScore);
  const cursor = collection.find(
    { $and: [scan.filter, { vector: { $type: "array" } }] },
    { projection: { _id: 1, vector: 1 }, ...(scan.session ? { session: scan.session } : {}) },
  );
  try {
    for await (const document of cursor) {
      const key = document._id as unknown;
      const vector = document.vector as unknown;
      if (typeof key !== "string" || !Array.isArray(vector)) continue;
      top.offer(key, vectorScore(scan.metric, scan.vector, vector as number[]));
    }
  } finally {
    await cursor.close();
  }
  return top.results();
}
