/**
 * Sends a batch of write operations on one collection to the write script, and interprets its
 * reply. Index entries are computed here, from the index definitions the registry believes in;
 * when the script answers `STALE` the definitions are reloaded and the batch rebuilt.
 */

import { ConflictError, ProviderUnavailableError, ValidationError } from "@agentvault/core";
import { indexEntries } from "./redis-index-entries.js";
import type { IndexRegistry, IndexState } from "./redis-index-registry.js";
import type { CollectionKeys } from "./redis-key-layout.js";
import type { EncodedRecord } from "./redis-record-codec.js";
import type { ScriptedClient } from "./redis-scripts.js";

const source = "redis";

/** Expiry times beyond this (year ~33,600) get no native TTL; the expiry check still applies. */
const maxNativeExpiry = 1e15;
/**
 * One write in `pruneEvery` also removes up to `pruneLimit` expired records (their key-set and
 * index entries; Redis has usually dropped the records themselves). Reads skip expired members
 * anyway, so this only bounds the space they take, at about two per write.
 */
const pruneEvery = 8;
const pruneLimit = "16";
/** Reloads of the index definitions before giving up (they change only on `ensureIndexes`). */
const maxStaleRetries = 8;

/** One operation of the write script (see `redis-write-script.ts` for the kinds). */
export interface WriteOperation {
  readonly kind: "put" | "add" | "cas" | "del" | "cad" | "idx";
  readonly key: string;
  /** The record to write (`put`, `add`, `cas`) or to index (`idx`). */
  readonly encoded?: EncodedRecord | undefined;
  /** SHA-1 of the stored text the operation expects (`cas`, `cad`, `idx`). */
  readonly expected?: string | undefined;
}

/** What a batch did: per operation 1 (changed a live record) or 0, or which digests differed. */
export type WriteOutcome =
  | { readonly status: "ok"; readonly results: readonly number[] }
  | { readonly status: "mismatch"; readonly indices: readonly number[] };

/** Where a batch goes. */
export interface WriteTarget {
  readonly client: ScriptedClient;
  readonly keys: CollectionKeys;
  readonly collection: string;
  /** The change channel, or "" to publish nothing. */
  readonly channel: string;
  /**
   * The database's collection set, which the script adds the collection to when it stores a
   * record; "" on a Cluster, where the set lives in another slot (the caller adds it then).
   */
  readonly collectionsKey: string;
  readonly registry: IndexRegistry;
  readonly now: number;
}

function operationArguments(operation: WriteOperation, state: IndexState, into: string[]): void {
  const encoded = operation.encoded;
  const record = encoded?.record;
  const expiresAt = record?.expiresAt;
  const writesRecord = operation.kind !== "del" && operation.kind !== "cad";
  into.push(
    operation.kind,
    operation.key,
    encoded?.text ?? "",
    operation.expected ?? "",
    expiresAt === undefined ? "" : String(expiresAt),
    expiresAt === undefined || expiresAt > maxNativeExpiry ? "" : String(Math.ceil(expiresAt)),
    writesRecord && record !== undefined ? indexEntries(record, state.indexes) : "",
    String(record?.vector?.length ?? 0),
    String(encoded?.headLength ?? 0),
  );
}

/** Whether the lean put script can run `operations` (see `redis-put-script.ts`). */
function isLeanPut(
  operations: readonly WriteOperation[],
  state: IndexState,
  prune: string,
): boolean {
  if (operations.length !== 1 || state.version !== "" || prune !== "0") return false;
  const [operation] = operations;
  return (
    (operation!.kind === "put" || operation!.kind === "add") &&
    operation!.encoded !== undefined &&
    operation!.encoded.record.vector === undefined
  );
}

function leanArguments(target: WriteTarget, operation: WriteOperation): string[] {
  const encoded = operation.encoded!;
  const expiresAt = encoded.record.expiresAt;
  return [
    target.keys.base,
    "",
    String(target.now),
    target.channel,
    target.collection,
    target.collectionsKey,
    operation.kind,
    operation.key,
    encoded.text,
    expiresAt === undefined ? "" : String(expiresAt),
    expiresAt === undefined || expiresAt > maxNativeExpiry ? "" : String(Math.ceil(expiresAt)),
    String(encoded.headLength),
  ];
}

function buildArguments(
  target: WriteTarget,
  state: IndexState,
  operations: readonly WriteOperation[],
  prune: string,
): string[] {
  const args = [
    target.keys.base,
    state.version,
    String(target.now),
    target.channel,
    target.collection,
    target.collectionsKey,
    prune,
    String(operations.length),
  ];
  for (const operation of operations) operationArguments(operation, state, args);
  return args;
}

/**
 * Runs `operations` atomically: all or none.
 * @throws ConflictError when an `add` meets a live record.
 * @throws ValidationError when a vector's size differs from the collection's.
 */
export async function runWrites(
  target: WriteTarget,
  operations: readonly WriteOperation[],
): Promise<WriteOutcome> {
  if (operations.length === 0) return { status: "ok", results: [] };
  let state = target.registry.assumed(target.keys);
  const prune = Math.random() * pruneEvery < 1 ? pruneLimit : "0";
  for (let attempt = 0; attempt <= maxStaleRetries; attempt++) {
    const reply = isLeanPut(operations, state, prune)
      ? await target.client.avPut(target.keys.meta, ...leanArguments(target, operations[0]!))
      : await target.client.avWrite(
          target.keys.meta,
          ...buildArguments(target, state, operations, prune),
        );
    const [status, ...rest] = reply;
    switch (status) {
      case "OK":
        return { status: "ok", results: rest.map(Number) };
      case "MISMATCH":
        return { status: "mismatch", indices: rest.map(Number) };
      case "CONFLICT":
        throw new ConflictError(`Key already exists in ${target.collection}`, { source });
      case "DIMENSION":
        throw new ValidationError(
          `Vector dimension mismatch: collection ${target.collection} holds ${rest[1]}-dimensional vectors`,
          "vector",
          { source },
        );
      case "STALE":
        state = await target.registry.load(target.client, target.keys);
        break;
      default:
        throw new ProviderUnavailableError("Unexpected reply from the write script", { source });
    }
  }
  throw new ProviderUnavailableError(
    `The index definitions of ${target.collection} kept changing during a write`,
    { source },
  );
}

/** Expired records removed per clean-up call. */
const pruneBatch = "200";

/**
 * Removes up to 200 expired records of a collection (key-set members, index entries, and the
 * record if the provider's clock expired it before Redis did). Reads call it when they meet
 * expired members, so stale entries are dropped when seen.
 */
export async function pruneExpired(
  target: Pick<WriteTarget, "client" | "keys" | "registry" | "now">,
): Promise<void> {
  let state = target.registry.assumed(target.keys);
  for (let attempt = 0; attempt <= maxStaleRetries; attempt++) {
    const args = [target.keys.base, state.version, String(target.now), "", "", "", pruneBatch, "0"];
    const [status] = await target.client.avWrite(target.keys.meta, ...args);
    if (status !== "STALE") return;
    state = await target.registry.load(target.client, target.keys);
  }
}
