/**
 * `filesystemProvider()`: one JSON file per record under `<basePath>/<database>/<collection>/`.
 *
 * - Writes replace files atomically (temporary file, flush, rename, flush the folder).
 * - Every write to a record holds its in-process mutex and its lock file, so read-modify-write
 *   (`update`, `put` keeping `createdAt`, `ifAbsent`) is atomic across processes too.
 * - Queries, counts and vector search read the whole collection and evaluate in memory: a scan,
 *   fine for thousands of records, slow for millions.
 * - Expired records are never returned; they are deleted lazily when a read meets them.
 * - No transactions; `putMany` is all-or-nothing on a best-effort basis (see `putMany`).
 */

import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import {
  AgentVaultError,
  ConflictError,
  type HealthStatus,
  mapWithConcurrency,
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
import { LockTimeoutError } from "./file-lock.js";
import { FilesystemDatabase } from "./filesystem-database.js";
import { readDirectoryName, trashPrefix } from "./filesystem-layout.js";
import {
  createFilesystemRoot,
  type FilesystemProviderOptions,
  type FilesystemRoot,
} from "./filesystem-options.js";
import { checkBaseFolder, checkHealth } from "./filesystem-readiness.js";
import { errorCode, filesystemFailure } from "./record-files.js";
import { writeRecords } from "./record-writes.js";

const source = "filesystem";

/** Records read at once by `getMany` and `putMany`. */
const readConcurrency = 16;

class FilesystemProvider extends ScanStorageProvider {
  readonly #root: FilesystemRoot;
  readonly #files: FilesystemDatabase;

  constructor(root: FilesystemRoot, database: string) {
    const files = new FilesystemDatabase(root, database);
    super({ name: source, database, root, records: files, readConcurrency });
    this.#root = root;
    this.#files = files;
  }

  /** Runs `fn` once the base folder is ready, turning filesystem errors into AgentVault ones. */
  protected override async run<T>(action: string, fn: () => Promise<T>): Promise<T> {
    if (this.#root.closed) {
      throw new ProviderUnavailableError("The filesystem provider is closed", { source });
    }
    try {
      await checkBaseFolder(this.#root);
      return await fn();
    } catch (error) {
      if (AgentVaultError.isInstance(error)) throw error;
      if (error instanceof LockTimeoutError) {
        throw new ProviderUnavailableError(
          `Timed out waiting for a record locked by another process (${action})`,
          { source, cause: error },
        );
      }
      throw filesystemFailure(action, error);
    }
  }

  protected override updateLive(
    collection: string,
    key: string,
    change: RecordChange,
  ): Promise<StoredRecord | null> {
    return this.#files.updateRecord(collection, key, change);
  }

  protected override deleteLive(
    collection: string,
    key: string,
    check: RecordCheck,
  ): Promise<boolean> {
    return this.#files.deleteRecord(collection, key, check);
  }

  override withDatabase(database: string): StorageProvider {
    return new FilesystemProvider(this.#root, validateDatabaseName(database, { source }));
  }

  override put(collection: string, record: StoredRecord, options: PutOptions = {}): Promise<void> {
    return this.run("write a record", async () => {
      const prepared = prepareRecordInput(record, { source });
      await this.checkVectorDimensions(collection, [prepared]);
      await this.#files.lockedWrite(collection, [prepared.key], async (directory) => {
        const existing = await this.#files.readLive(collection, prepared.key);
        if (existing !== undefined && options.ifAbsent) {
          throw new ConflictError(`Key already exists in ${collection}`, { source });
        }
        const stored = stampRecord(prepared, existing, this.#root.now());
        await writeRecords(directory, [stored], this.#root);
      });
    });
  }

  /**
   * Writes every record or none, on a best-effort basis: all records are validated and written
   * to flushed temporary files first, and only then renamed into place. A failure before the
   * renames leaves nothing changed; a crash or I/O error during the renames (microseconds per
   * record) can leave part of the batch written. When a key repeats, the last record wins.
   */
  override putMany(collection: string, records: readonly StoredRecord[]): Promise<void> {
    return this.run("write records", async () => {
      const batch = prepareRecordBatch(records, { source });
      if (batch.length === 0) return;
      await this.checkVectorDimensions(collection, batch);
      const keys = batch.map((record) => record.key);
      await this.#files.lockedWrite(collection, keys, async (directory) => {
        const now = this.#root.now();
        const stored = await mapWithConcurrency(batch, readConcurrency, async (record) =>
          stampRecord(record, await this.#files.readLive(collection, record.key), now),
        );
        await writeRecords(directory, stored, this.#root);
      });
    });
  }

  override delete(collection: string, key: string): Promise<boolean> {
    return this.run("delete a record", async () => {
      // Absent now means absent: no lock is needed to report it.
      if ((await this.#files.readLive(collection, key)) === undefined) return false;
      return this.#files.deleteRecord(collection, key);
    });
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
      // Absent now means absent: no folder or lock is needed to report it.
      if ((await this.#files.readLive(collection, key)) === undefined) return null;
      return this.#files.updateRecord(collection, key, { changes });
    });
  }

  override dropCollection(collection: string): Promise<number> {
    return this.run("drop a collection", async () => {
      const live = (await this.#files.scanLive(collection)).length;
      await this.#files.removeDirectory(
        this.#files.directory,
        this.#files.collectionDirectory(collection),
      );
      return live;
    });
  }

  override listCollections(): Promise<string[]> {
    return this.run("list collections", async () => {
      const parent = this.#files.directory;
      let entries: string[];
      try {
        entries = await readdir(parent);
      } catch (error) {
        if (errorCode(error) === "ENOENT") return [];
        throw error;
      }
      return this.liveCollectionNames(entries, {
        concurrency: 8,
        nameOf: async (entry) => {
          // A folder renamed aside by a drop that crashed before deleting it.
          if (entry.startsWith(trashPrefix)) {
            await rm(join(parent, entry), { recursive: true, force: true });
            return undefined;
          }
          return readDirectoryName(parent, entry);
        },
      });
    });
  }

  override dropDatabase(): Promise<void> {
    return this.run("drop a database", () =>
      this.#files.removeDirectory(this.#root.basePath, this.#files.directory),
    );
  }

  override health(): Promise<HealthStatus> {
    return checkHealth(this.#root);
  }

  override async close(): Promise<void> {
    this.#root.closed = true;
    await Promise.all([...this.#root.background]);
  }
}

/**
 * Creates a filesystem provider: one JSON file per record, under
 * `<basePath>/<database>/<collection>/`.
 *
 * @example
 * const vault = createVault({ provider: filesystemProvider({ basePath: "./data" }) });
 * await vault.store("notes", { text: "hello" }, { key: "greeting" });
 */
export function filesystemProvider(options: FilesystemProviderOptions): StorageProvider {
  const root = createFilesystemRoot(options);
  return new FilesystemProvider(
    root,
    validateDatabaseName(options.database ?? "default", { source }),
  );
}
