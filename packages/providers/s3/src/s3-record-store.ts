/**
 * The record-level building blocks of one database in a bucket: object names, reading live
 * records, scanning a collection, and atomic read-modify-write of one record.
 *
 * Atomicity has two layers: an in-process mutex per object (so one process never races with
 * itself), and, with `conditionalWrites`, `If-Match` / `If-None-Match` on the write, retried
 * with backoff when another process changed the object since it was read.
 */

import {
  decodeSafeName,
  encodeSafeName,
  IntegrityError,
  isExpired,
  isHashedSafeName,
  KeyedMutex,
  mapWithConcurrency,
  ProviderUnavailableError,
  recordFromJson,
  recordToJson,
  runInBackground,
  type StoredRecord,
} from "@agentvault/core";
import {
  listObjects,
  PreconditionFailedError,
  readObject,
  removeObject,
  writeObject,
} from "./s3-objects.js";
import type { S3Root } from "./s3-options.js";

const source = "s3";
const recordSuffix = ".json";
/** The object holding the real name of a collection whose prefix is hashed. */
export const nameMarker = "~name";
/** Attempts of a conditional read-modify-write before giving up. */
const maxAttempts = 12;

/**
 * The in-process layer, shared by every S3 provider instance in the process (keys are
 * `bucket/object key`), so two instances on one bucket still serialise their writes to a record.
 */
export const objectMutex = new KeyedMutex();

/** A record as read, with the ETag a conditional write must match. */
export interface VersionedRecord {
  readonly record: StoredRecord;
  readonly etag: string | undefined;
}

/** What a read-modify-write decided: its result, and the write (a record, or removal). */
export interface Modification<T> {
  readonly result: T;
  readonly write?: StoredRecord | undefined;
  readonly remove?: boolean | undefined;
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** One database of an S3 provider. */
export class S3RecordStore {
  readonly #root: S3Root;
  readonly #database: string;

  constructor(root: S3Root, database: string) {
    this.#root = root;
    this.#database = database;
  }

  /** The key prefix of this database, ending in `/`. */
  get prefix(): string {
    return `${this.#root.basePrefix}${encodeSafeName(this.#database)}/`;
  }

  /** The key prefix of a collection, ending in `/`. */
  collectionPrefix(collection: string): string {
    return `${this.prefix}${encodeSafeName(collection)}/`;
  }

  /** The object key of a record. */
  objectKey(collection: string, key: string): string {
    return `${this.collectionPrefix(collection)}${encodeSafeName(key)}${recordSuffix}`;
  }

  /** Parses an object's text, checking that it is a record stored under its own name. */
  #parse(collection: string, objectKey: string, text: string): StoredRecord {
    let record: StoredRecord;
    try {
      record = recordFromJson(JSON.parse(text));
    } catch (error) {
      throw new IntegrityError(`A record of collection ${collection} is corrupt`, {
        source,
        cause: error,
      });
    }
    if (this.objectKey(collection, record.key) !== objectKey) {
      throw new IntegrityError(
        `A record of collection ${collection} holds a key that does not match its name`,
        { source },
      );
    }
    return record;
  }

  /** Reads a record with its ETag (expired or not); undefined when there is none. */
  async read(collection: string, key: string): Promise<VersionedRecord | undefined> {
    const objectKey = this.objectKey(collection, key);
    const object = await readObject(this.#root, objectKey);
    if (object === undefined) return undefined;
    const record = this.#parse(collection, objectKey, object.text);
    // Keys that cannot be encoded exactly (lone surrogates) may share an object with another key.
    return record.key === key ? { record, etag: object.etag } : undefined;
  }

  /** Reads a live record; an expired one counts as absent and is deleted in the background. */
  async readLive(collection: string, key: string): Promise<StoredRecord | undefined> {
    const current = await this.read(collection, key);
    if (current === undefined) return undefined;
    if (!isExpired(current.record, this.#root.now())) return current.record;
    this.#sweep(collection, key);
    return undefined;
  }

  /**
   * The live records of a collection: one list request, then a get for each object whose ETag
   * is not in the cache. Expired records are swept.
   */
  async scanLive(collection: string): Promise<StoredRecord[]> {
    const prefix = this.collectionPrefix(collection);
    // Only names this provider can have written: foreign objects under the prefix are ignored.
    const objects = (await listObjects(this.#root, prefix)).filter(({ key }) => {
      const name = key.slice(prefix.length);
      if (!name.endsWith(recordSuffix)) return false;
      const stem = name.slice(0, -recordSuffix.length);
      return isHashedSafeName(stem) || decodeSafeName(stem) !== undefined;
    });
    const records = await mapWithConcurrency(objects, this.#root.concurrency, async (listed) => {
      const cached = this.#root.cache.get(listed.key, listed.etag);
      const text = cached ?? (await readObject(this.#root, listed.key))?.text;
      return text === undefined ? undefined : this.#parse(collection, listed.key, text);
    });
    const now = this.#root.now();
    const live: StoredRecord[] = [];
    for (const record of records) {
      if (record === undefined) continue;
      if (isExpired(record, now)) this.#sweep(collection, record.key);
      else live.push(record);
    }
    return live;
  }

  /** Deletes an expired record unless it was rewritten meanwhile. Errors are ignored. */
  #sweep(collection: string, key: string): void {
    const task = this.modify(collection, key, (current) => ({
      result: undefined,
      remove: current !== undefined && isExpired(current, this.#root.now()),
    }));
    runInBackground(this.#root, task);
  }

  /**
   * Atomic read-modify-write of one record: `decide` sees the current record (expired ones
   * included, so callers decide what expiry means) and returns the result and the write.
   * `decide` may run more than once when another process wins a race; a throw aborts.
   */
  modify<T>(
    collection: string,
    key: string,
    decide: (current: StoredRecord | undefined) => Modification<T>,
  ): Promise<T> {
    const objectKey = this.objectKey(collection, key);
    return objectMutex.run(`${this.#root.bucket}/${objectKey}`, async () => {
      for (let attempt = 0; attempt < maxAttempts; attempt++) {
        const current = await this.read(collection, key);
        const decision = decide(current?.record);
        try {
          if (decision.remove && current !== undefined) {
            await removeObject(this.#root, objectKey, current.etag);
          } else if (decision.write !== undefined) {
            await this.ensureNameMarker(collection);
            const text = JSON.stringify(recordToJson(decision.write));
            const condition =
              current === undefined ? { ifAbsent: true } : { ifMatch: current.etag };
            await writeObject(this.#root, objectKey, text, condition);
          }
          return decision.result;
        } catch (error) {
          if (!(error instanceof PreconditionFailedError)) throw error;
          await sleep(Math.random() * Math.min(200, 5 * 2 ** attempt));
        }
      }
      throw new ProviderUnavailableError(
        `Too many concurrent writers on one record of ${collection}; try again`,
        { source },
      );
    });
  }

  /** Writes the `~name` marker of a collection whose prefix is hashed (once per process). */
  async ensureNameMarker(collection: string): Promise<void> {
    const prefix = this.collectionPrefix(collection);
    if (!isHashedSafeName(encodeSafeName(collection)) || this.#root.markers.has(prefix)) return;
    await writeObject(this.#root, `${prefix}${nameMarker}`, collection);
    this.#root.markers.add(prefix);
  }
}
