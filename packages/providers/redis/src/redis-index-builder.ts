/**
 * `ensureIndexes`: declares index definitions, indexes the records already stored, then marks
 * the indexes ready for queries. Sound with concurrent writers and other processes:
 * 1. the definitions are added (not ready) with a new version, so from then on every write,
 *    from any process, maintains them (a writer still on the old version is refused as `STALE`
 *    and retries with the new definitions);
 * 2. every record present is re-indexed, each only if it still has the text that was read (a
 *    record changed meanwhile was indexed by its writer);
 * 3. the indexes are marked ready, again under a new version so cached definitions refresh.
 * A process that dies between 1 and 3 leaves the indexes unused (not ready) until the next
 * `ensureIndexes`, never wrong.
 */

import { type IndexSpec, ValidationError } from "@agentvault/core";
import type { IndexDefinition } from "./redis-index-entries.js";
import type { IndexState } from "./redis-index-registry.js";
import { textDigest } from "./redis-record-codec.js";
import { loadAll } from "./redis-record-reader.js";
import type { UpdateTarget } from "./redis-record-updates.js";
import { runWrites, type WriteOperation } from "./redis-write-batch.js";

const source = "redis";
/** Records re-indexed per write script call. */
const batchSize = 500;
/** Attempts at replacing the definitions while other processes change them too. */
const maxAttempts = 20;

/** The record-view paths the specs name, without `_id` (records are found by key already). */
export function indexedPaths(specs: readonly IndexSpec[]): string[] {
  if (!Array.isArray(specs)) {
    throw new ValidationError("Indexes must be an array of index specs", "indexes", { source });
  }
  const paths = new Set<string>();
  for (const spec of specs) {
    const fields = (spec as IndexSpec | null)?.fields;
    if (!Array.isArray(fields) || fields.length === 0) {
      throw new ValidationError("An index names at least one field", "indexes.fields", { source });
    }
    for (const field of fields) {
      if (typeof field !== "string" || field === "" || /\p{Cc}/u.test(field)) {
        throw new ValidationError("Index fields are non-empty paths", "indexes.fields", { source });
      }
      if (field !== "_id") paths.add(field);
    }
  }
  return [...paths];
}

async function changeDefinitions(
  target: UpdateTarget,
  change: (indexes: readonly IndexDefinition[]) => IndexDefinition[] | undefined,
): Promise<IndexState> {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const state = await target.registry.load(target.client, target.keys);
    const next = change(state.indexes);
    if (next === undefined) return state;
    const replaced = await target.registry.replace(target.client, target.keys, state.version, next);
    if (replaced !== undefined) return replaced;
  }
  throw new ValidationError("The index definitions kept changing; try again", "indexes", {
    source,
  });
}

async function reindexAll(target: UpdateTarget): Promise<void> {
  const loaded = await loadAll(target);
  for (let start = 0; start < loaded.length; start += batchSize) {
    const operations: WriteOperation[] = loaded.slice(start, start + batchSize).map((entry) => ({
      kind: "idx",
      key: entry.record.key,
      encoded: { record: entry.record, text: "", headLength: 0 },
      expected: textDigest(entry.text),
    }));
    await runWrites(target, operations);
  }
}

/** Creates (or completes) indexes on `paths`; resolves once queries can use them. */
export async function ensurePathIndexes(
  target: UpdateTarget,
  paths: readonly string[],
): Promise<void> {
  if (paths.length === 0) return;
  const declared = await changeDefinitions(target, (indexes) => {
    const known = new Set(indexes.map((index) => index.path));
    const missing = paths.filter((path) => !known.has(path));
    if (missing.length === 0) return undefined;
    let nextId = indexes.reduce((highest, index) => Math.max(highest, Number(index.id) + 1), 0);
    return [...indexes, ...missing.map((path) => ({ id: String(nextId++), path, ready: false }))];
  });
  const wanted = declared.indexes.filter((index) => paths.includes(index.path));
  if (wanted.every((index) => index.ready)) return;
  await reindexAll(target);
  const built = new Set(wanted.map((index) => `${index.id}\u0000${index.path}`));
  await changeDefinitions(target, (indexes) => {
    const pending = indexes.filter(
      (index) => !index.ready && built.has(`${index.id}\u0000${index.path}`),
    );
    if (pending.length === 0) return undefined;
    return indexes.map((index) => (pending.includes(index) ? { ...index, ready: true } : index));
  });
}
