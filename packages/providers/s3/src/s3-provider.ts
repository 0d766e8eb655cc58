/**
 * `s3Provider()`: one JSON object per record at
 * `<prefix>/<database>/<collection>/<encoded key>.json`, in AWS S3 or any S3-compatible store.
 *
 * - The client is created on first use (or passed in); nothing connects before a call.
 * - Queries, counts and vector search list the collection and read every object (at most
 *   `concurrency` at once), then evaluate in memory: a scan, fine for thousands of records.
 * - `update` is atomic within the process (per-record mutex) and, with `conditionalWrites`,
 *   across processes on stores that honour `If-Match` / `If-None-Match`.
 * - Expired records are never returned; they are deleted lazily when a read meets them.
 * - No transactions; `putMany` is all-or-nothing on a best-effort basis (see `writeBatch`).
 */

import {
  applyRecordUpdate,
  ConflictError,
  decodeSafeName,
  type HealthStatus,
  isExpired,
  isHashedSafeName,
  ProviderUnavailableError,
  type PutOptions,
  prepareRecordBatch,
  prepareRecordInput,
  type RecordChange,
  type RecordCheck,
  type RecordUpdate,
  ScanStorageProvider,
  type StorageProvider,
  type StoredRecord,
  stampRecord,
  validateDatabaseName,
} from "@agentvault/core";
import { HeadBucketCommand } from "@aws-sdk/client-s3";
import { writeBatch } from "./s3-batch-write.js";
import { s3Failure } from "./s3-errors.js";
import { listChildNames, listObjects, readObject, removeObjects } from "./s3-objects.js";
import { createS3Root, type S3ProviderOptions, type S3Root } from "./s3-options.js";
import { nameMarker, S3RecordStore } from "./s3-record-store.js";

const source = "s3";

class S3Provider extends ScanStorageProvider {
  readonly #root: S3Root;
  readonly #store: S3RecordStore;

  constructor(root: S3Root, database: string) {
    const store = new S3RecordStore(root, database);
    super({ name: source, database, root, records: store, readConcurrency: root.concurrency });
    this.#root = root;
    this.#store = store;
  }

  /** Runs `fn`, turning S3 failures into AgentVault errors. */
  protected override async run<T>(action: string, fn: () => Promise<T>): Promise<T> {
    if (this.#root.closed) {
      throw new ProviderUnavailableError("The S3 provider is closed", { source });
    }
    try {
      return await fn();
    } catch (error) {
      throw s3Failure(action, error);
    }
  }

  protected override updateLive(
    collection: string,
    key: string,
    change: RecordChange,
  ): Promise<StoredRecord | null> {
    const { changes, check } = change;
    return this.#store.modify(collection, key, (current) => {
      const live = this.#live(current);
      if (live === undefined || (check !== undefined && !check(live))) return { result: null };
      const updated = applyRecordUpdate(live, changes, this.#root.now());
      return { result: updated, write: updated };
    });
  }

  protected override deleteLive(
    collection: string,
    key: string,
    check: RecordCheck,
  ): Promise<boolean> {
    return this.#store.modify(collection, key, (current) => {
      const live = this.#live(current);
      const doomed = live !== undefined && check(live);
      return { result: doomed, remove: doomed };
    });
  }

  #live(record: StoredRecord | undefined): StoredRecord | undefined {
    return record === undefined || isExpired(record, this.#root.now()) ? undefined : record;
  }

  /** The stored form of `record`: `createdAt` kept from the live record it replaces. */
  #stamp(record: StoredRecord, current: StoredRecord | undefined): StoredRecord {
    return stampRecord(record, this.#live(current), this.#root.now());
  }

  override withDatabase(database: string): StorageProvider {
    return new S3Provider(this.#root, validateDatabaseName(database, { source }));
  }

  override put(collection: string, record: StoredRecord, options: PutOptions = {}): Promise<void> {
    return this.run("write a record", async () => {
      const prepared = prepareRecordInput(record, { source });
      await this.checkVectorDimensions(collection, [prepared]);
      await this.#store.modify(collection, prepared.key, (current) => {
        if (options.ifAbsent && this.#live(current) !== undefined) {
          throw new ConflictError(`Key already exists in ${collection}`, { source });
        }
        return { result: undefined, write: this.#stamp(prepared, current) };
      });
    });
  }

  override putMany(collection: string, records: readonly StoredRecord[]): Promise<void> {
    return this.run("write records", async () => {
      const batch = prepareRecordBatch(records, { source });
      if (batch.length === 0) return;
      await this.checkVectorDimensions(collection, batch);
      await writeBatch(this.#root, this.#store, collection, batch, (record, current) =>
        this.#stamp(record, current),
      );
    });
  }

  override delete(collection: string, key: string): Promise<boolean> {
    return this.run("delete a record", () =>
      this.#store.modify(collection, key, (current) => ({
        result: this.#live(current) !== undefined,
        remove: current !== undefined,
      })),
    );
  }

  override update(
    collection: string,
    key: string,
    changes: RecordUpdate,
  ): Promise<StoredRecord | null> {
    return this.run("update a record", async () => {
      if (changes.vector) {
        await this.checkVectorDimensions(collection, [
          { key, value: null, vector: changes.vector },
        ]);
      }
      return this.updateLive(collection, key, { changes });
    });
  }

  override dropCollection(collection: string): Promise<number> {
    return this.run("drop a collection", async () => {
      const live = (await this.#store.scanLive(collection)).length;
      const prefix = this.#store.collectionPrefix(collection);
      await removeObjects(
        this.#root,
        (await listObjects(this.#root, prefix)).map(({ key }) => key),
      );
      this.#root.markers.delete(prefix);
      return live;
    });
  }

  override listCollections(): Promise<string[]> {
    return this.run("list collections", async () =>
      this.liveCollectionNames(await listChildNames(this.#root, this.#store.prefix), {
        concurrency: 4,
        nameOf: (entry) => this.#collectionName(entry),
      }),
    );
  }

  /** The real name behind a collection prefix segment (read from `~name` when hashed). */
  async #collectionName(segment: string): Promise<string | undefined> {
    if (!isHashedSafeName(segment)) return decodeSafeName(segment);
    const marker = await readObject(this.#root, `${this.#store.prefix}${segment}/${nameMarker}`);
    if (marker === undefined) return undefined;
    return this.#store.collectionPrefix(marker.text) === `${this.#store.prefix}${segment}/`
      ? marker.text
      : undefined;
  }

  override dropDatabase(): Promise<void> {
    return this.run("drop a database", async () => {
      const prefix = this.#store.prefix;
      await removeObjects(
        this.#root,
        (await listObjects(this.#root, prefix)).map(({ key }) => key),
      );
      for (const marker of [...this.#root.markers]) {
        if (marker.startsWith(prefix)) this.#root.markers.delete(marker);
      }
    });
  }

  override async health(): Promise<HealthStatus> {
    if (this.#root.closed) return { ok: false, message: "The S3 provider is closed" };
    const started = performance.now();
    try {
      await this.#root.client().send(new HeadBucketCommand({ Bucket: this.#root.bucket }));
      return { ok: true, latencyMs: performance.now() - started };
    } catch (error) {
      const failure = s3Failure("reach the bucket", error);
      const message = failure.message.replace(/^\[agentvault\] \[s3\] /, "");
      return { ok: false, latencyMs: performance.now() - started, message };
    }
  }

  override async close(): Promise<void> {
    if (this.#root.closed) return;
    this.#root.closed = true;
    await Promise.all([...this.#root.background]);
    this.#root.destroyClient();
  }
}

/**
 * Creates an S3 provider. Nothing connects until the first call.
 *
 * @example
 * const vault = createVault({
 *   provider: s3Provider({ bucket: "agent-memory", prefix: "prod", region: "eu-west-1" }),
 * });
 * await vault.store("notes", { text: "hello" }, { key: "greeting" });
 * // -> s3://agent-memory/prod/default/notes/greeting.json
 */
export function s3Provider(options: S3ProviderOptions): StorageProvider {
  const root = createS3Root(options);
  return new S3Provider(root, validateDatabaseName(options.database ?? "default", { source }));
}
