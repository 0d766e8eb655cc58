/**
 * Reading records: by key (`MGET` in chunks), the whole live collection (`ZSCAN` of the key set,
 * each page fetched with `MGET` while the scan goes on), or the candidates an index plan names.
 * Records expired by the provider's clock are dropped here; Redis has already dropped those
 * its own clock expired. Each record comes with its stored text, whose digest the
 * compare-and-set writes of `update`, `updateMany` and `deleteMany` need.
 */

import { isExpired, type StoredRecord } from "@agentvault/core";
import type { FilterNode } from "@agentvault/query";
import { lookupCandidates } from "./redis-candidate-lookup.js";
import { planCandidates } from "./redis-index-planner.js";
import type { IndexRegistry } from "./redis-index-registry.js";
import type { CollectionKeys } from "./redis-key-layout.js";
import { decodeStoredRecord } from "./redis-record-codec.js";
import type { ScriptedClient } from "./redis-scripts.js";
import { pruneExpired } from "./redis-write-batch.js";

/** Keys per `MGET`. */
const fetchChunk = 500;
/** The `COUNT` hint of each `ZSCAN` call. */
const scanCount = 1000;
/** Lookups retried when the index definitions change under them. */
const maxStaleRetries = 8;

/** A record and the exact text it is stored as. */
export interface LoadedRecord {
  readonly record: StoredRecord;
  readonly text: string;
}

/** Where records are read from. */
export interface ReadTarget {
  readonly client: ScriptedClient;
  readonly keys: CollectionKeys;
  readonly registry: IndexRegistry;
  readonly now: number;
  /** Set by scans and lookups that met a key-set or index member without a live record. */
  readonly stale: { seen: boolean };
}

/** Decodes a stored text; null when missing or expired by `now`. */
export function decodeLive(text: string | null, key: string, now: number): LoadedRecord | null {
  if (text === null) return null;
  const record = decodeStoredRecord(text, key);
  return isExpired(record, now) ? null : { record, text };
}

/** Decodes a stored text into its record alone; null when missing or expired by `now`. */
export function liveRecord(text: string | null, key: string, now: number): StoredRecord | null {
  if (text === null) return null;
  const record = decodeStoredRecord(text, key);
  return isExpired(record, now) ? null : record;
}

/** Reads one record by key; null when missing or expired. */
export async function loadRecord(target: ReadTarget, key: string): Promise<LoadedRecord | null> {
  return decodeLive(await target.client.get(target.keys.record(key)), key, target.now);
}

/** Reads records by key, in the order given; null for missing or expired ones. */
export async function loadRecords(
  target: ReadTarget,
  keys: readonly string[],
): Promise<(LoadedRecord | null)[]> {
  if (keys.length === 0) return [];
  const chunks: Promise<(string | null)[]>[] = [];
  for (let start = 0; start < keys.length; start += fetchChunk) {
    const names = keys.slice(start, start + fetchChunk).map((key) => target.keys.record(key));
    chunks.push(target.client.mget(names));
  }
  const texts = (await Promise.all(chunks)).flat();
  return texts.map((text, index) => decodeLive(text, keys[index]!, target.now));
}

function isLiveScore(score: string, now: number): boolean {
  return score === "inf" || score === "+inf" || Number(score) > now;
}

/** Reads every live record of the collection. */
export async function loadAll(target: ReadTarget): Promise<LoadedRecord[]> {
  const seen = new Set<string>();
  const pages: Promise<(LoadedRecord | null)[]>[] = [];
  let cursor = "0";
  do {
    const [next, flat] = await target.client.zscan(target.keys.keys, cursor, "COUNT", scanCount);
    cursor = next;
    const page: string[] = [];
    for (let index = 0; index < flat.length; index += 2) {
      const key = flat[index]!;
      // ZSCAN may return a member twice when the set is rehashed during the scan.
      if (seen.has(key)) continue;
      seen.add(key);
      if (isLiveScore(flat[index + 1]!, target.now)) page.push(key);
      else target.stale.seen = true;
    }
    if (page.length > 0) pages.push(loadRecords(target, page));
  } while (cursor !== "0");
  const loaded: LoadedRecord[] = [];
  for (const page of await Promise.all(pages)) {
    for (const entry of page) {
      if (entry === null) target.stale.seen = true;
      else loaded.push(entry);
    }
  }
  return loaded;
}

/**
 * Reads the records that may match `filter`: the candidates of the index plan when one
 * applies, else every live record. The caller evaluates the filter on them.
 */
export async function loadCandidates(
  target: ReadTarget,
  filter: FilterNode,
): Promise<LoadedRecord[]> {
  const loaded = await findCandidates(target, filter);
  if (target.stale.seen) await pruneExpired(target);
  return loaded;
}

async function findCandidates(target: ReadTarget, filter: FilterNode): Promise<LoadedRecord[]> {
  let state = await target.registry.current(target.client, target.keys);
  for (let attempt = 0; attempt <= maxStaleRetries; attempt++) {
    const plan = planCandidates(filter, state.indexes);
    if (plan === undefined) return loadAll(target);
    const found = await lookupCandidates(target, state, plan);
    if (found !== "stale") return found;
    state = await target.registry.load(target.client, target.keys);
  }
  return loadAll(target);
}
