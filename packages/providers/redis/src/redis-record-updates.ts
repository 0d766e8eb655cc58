/**
 * Read-modify-write on Redis: the update operators run in JavaScript (`applyRecordUpdate`, the
 * same code as every other provider), and the write script stores the result only if the record
 * still has the text that was read (compare-and-set on its SHA-1). A lost race re-reads and
 * re-applies, with jittered backoff, a bounded number of times, then fails with
 * `ConflictError`. So a single-record update is atomic across processes, and concurrent
 * `$inc`s never lose an increment.
 */

import {
  applyRecordUpdate,
  ConflictError,
  compileRecordFilter,
  type RecordUpdate,
  type StoredRecord,
} from "@agentvault/core";
import type { FilterNode } from "@agentvault/query";
import { encodeStoredRecord, prepareRecord, textDigest } from "./redis-record-codec.js";
import {
  type LoadedRecord,
  loadCandidates,
  loadRecord,
  loadRecords,
  type ReadTarget,
} from "./redis-record-reader.js";
import { runWrites, type WriteOperation, type WriteTarget } from "./redis-write-batch.js";

const source = "redis";

/** Compare-and-set attempts before `ConflictError`. */
const maxAttempts = 100;
/** Operations per write script call in `updateMany` / `deleteMany`. */
const batchSize = 500;

/** What the update functions need: a collection to read and write. */
export type UpdateTarget = ReadTarget & WriteTarget;

function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(2 ** attempt, 50);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

function updatedRecord(loaded: LoadedRecord, changes: RecordUpdate, now: number): StoredRecord {
  return prepareRecord(applyRecordUpdate(loaded.record, changes, now), now);
}

/** Updates one record; null when it does not exist or has expired. */
export async function updateOne(
  target: UpdateTarget,
  key: string,
  changes: RecordUpdate,
): Promise<StoredRecord | null> {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const loaded = await loadRecord(target, key);
    if (loaded === null) return null;
    const record = updatedRecord(loaded, changes, target.now);
    const outcome = await runWrites(target, [
      { kind: "cas", key, encoded: encodeStoredRecord(record), expected: textDigest(loaded.text) },
    ]);
    if (outcome.status === "ok") return record;
    await backoff(attempt);
  }
  throw new ConflictError(`The record kept changing during an update in ${target.collection}`, {
    source,
  });
}

/**
 * Applies compare-and-set operations built from `entries` in batches. Entries whose digest no
 * longer matches are re-read; `rebuild` decides whether each still qualifies (returns an
 * operation) or not (undefined). Returns how many operations changed a record.
 */
async function writeChecked(
  target: UpdateTarget,
  entries: readonly LoadedRecord[],
  build: (loaded: LoadedRecord) => WriteOperation | undefined,
): Promise<number> {
  // Every operation is built before anything is written, so an update that fails validation
  // on any record writes nothing.
  const operations = entries.map(build).filter((operation) => operation !== undefined);
  let changed = 0;
  for (let start = 0; start < operations.length; start += batchSize) {
    let batch = operations.slice(start, start + batchSize);
    for (let attempt = 0; ; attempt++) {
      const outcome = await runWrites(target, batch);
      if (outcome.status === "ok") {
        changed += outcome.results.reduce((sum, result) => sum + result, 0);
        break;
      }
      if (attempt + 1 >= maxAttempts) {
        throw new ConflictError(
          `Records kept changing during a bulk write in ${target.collection}`,
          {
            source,
          },
        );
      }
      const stale = new Set(outcome.indices);
      const reread = await loadRecords(
        target,
        batch.filter((_, index) => stale.has(index)).map((operation) => operation.key),
      );
      const fresh = reread.map((loaded) => (loaded === null ? undefined : build(loaded)));
      let next = 0;
      batch = batch
        .map((operation, index) => (stale.has(index) ? fresh[next++] : operation))
        .filter((operation) => operation !== undefined);
      await backoff(attempt);
    }
  }
  return changed;
}

/** Updates every live record matching `filter`; returns how many changed. */
export async function updateMatching(
  target: UpdateTarget,
  filter: FilterNode,
  changes: RecordUpdate,
): Promise<number> {
  const matches = compileRecordFilter(filter);
  const candidates = await loadCandidates(target, filter);
  return writeChecked(
    target,
    candidates.filter((loaded) => matches(loaded.record)),
    (loaded) =>
      matches(loaded.record)
        ? {
            kind: "cas",
            key: loaded.record.key,
            encoded: encodeStoredRecord(updatedRecord(loaded, changes, target.now)),
            expected: textDigest(loaded.text),
          }
        : undefined,
  );
}

/** Deletes every live record matching `filter`; returns how many were deleted. */
export async function deleteMatching(target: UpdateTarget, filter: FilterNode): Promise<number> {
  const matches = compileRecordFilter(filter);
  const candidates = await loadCandidates(target, filter);
  return writeChecked(
    target,
    candidates.filter((loaded) => matches(loaded.record)),
    (loaded) =>
      matches(loaded.record)
        ? { kind: "cad", key: loaded.record.key, expected: textDigest(loaded.text) }
        : undefined,
  );
}
