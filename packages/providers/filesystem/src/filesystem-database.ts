/**
 * The record-level building blocks of one database folder: reading live records, scanning a
 * collection, locked writes and deletes, lazy removal of expired records, and removing folders.
 * `FilesystemProvider` composes these into the provider contract.
 */

import { randomBytes } from "node:crypto";
import { rename, rm, unlink } from "node:fs/promises";
import { join } from "node:path";
import {
  applyRecordUpdate,
  encodeSafeName,
  isExpired,
  type RecordChange,
  type RecordCheck,
  runInBackground,
  type StoredRecord,
} from "@agentvault/core";
import { syncDirectory } from "./atomic-file.js";
import { ensureNamedDirectory, recordFileName, trashPrefix } from "./filesystem-layout.js";
import type { FilesystemRoot } from "./filesystem-options.js";
import { errorCode, readRecordFile, scanRecordFiles } from "./record-files.js";
import { withRecordLocks } from "./record-locks.js";
import { writeRecords } from "./record-writes.js";

/** One database folder of a filesystem provider. */
export class FilesystemDatabase {
  readonly #root: FilesystemRoot;
  readonly #database: string;

  constructor(root: FilesystemRoot, database: string) {
    this.#root = root;
    this.#database = database;
  }

  /** The folder of this database. */
  get directory(): string {
    return join(this.#root.basePath, encodeSafeName(this.#database));
  }

  /** The folder of a collection (it may not exist). */
  collectionDirectory(collection: string): string {
    return join(this.directory, encodeSafeName(collection));
  }

  /** Reads a record; an expired one counts as absent and is deleted in the background. */
  async readLive(collection: string, key: string): Promise<StoredRecord | undefined> {
    const directory = this.collectionDirectory(collection);
    const record = await readRecordFile(directory, encodeSafeName(key), collection);
    // Keys that cannot be encoded exactly (lone surrogates) may share a file with another key.
    if (record === undefined || record.key !== key) return undefined;
    if (!isExpired(record, this.#root.now())) return record;
    this.#sweep(collection, key);
    return undefined;
  }

  /** The live records of a collection; expired ones are deleted in the background. */
  async scanLive(collection: string): Promise<StoredRecord[]> {
    const records = await scanRecordFiles(this.collectionDirectory(collection), collection);
    const now = this.#root.now();
    const live: StoredRecord[] = [];
    for (const record of records) {
      if (isExpired(record, now)) this.#sweep(collection, record.key);
      else live.push(record);
    }
    return live;
  }

  /** Deletes an expired record unless it was rewritten meanwhile. Errors are ignored. */
  #sweep(collection: string, key: string): void {
    const directory = this.collectionDirectory(collection);
    const task = withRecordLocks(directory, [key], this.#root.lock, async () => {
      const record = await readRecordFile(directory, encodeSafeName(key), collection);
      if (record !== undefined && isExpired(record, this.#root.now())) {
        await unlink(join(directory, recordFileName(key)));
      }
    });
    runInBackground(this.#root, task);
  }

  /** Creates the collection folder if needed, then runs `fn` holding the locks of `keys`. */
  async lockedWrite<T>(
    collection: string,
    keys: readonly string[],
    fn: (directory: string) => Promise<T>,
  ): Promise<T> {
    const { basePath, sync } = this.#root;
    const databaseDirectory = await ensureNamedDirectory(basePath, this.#database, sync);
    for (let attempt = 0; ; attempt++) {
      const directory = await ensureNamedDirectory(databaseDirectory, collection, sync);
      try {
        return await withRecordLocks(directory, keys, this.#root.lock, () => fn(directory));
      } catch (error) {
        // The collection was dropped between creating its folder and locking: create it again.
        if (errorCode(error) !== "ENOENT" || attempt > 0) throw error;
      }
    }
  }

  /**
   * Applies `change.changes` to a live record (that passes `change.check`) under its lock and
   * returns the new record, or null when there is none.
   */
  updateRecord(
    collection: string,
    key: string,
    change: RecordChange,
  ): Promise<StoredRecord | null> {
    const { changes, check } = change;
    return this.lockedWrite(collection, [key], async (directory) => {
      const current = await this.readLive(collection, key);
      if (current === undefined || (check !== undefined && !check(current))) return null;
      const updated = applyRecordUpdate(current, changes, this.#root.now());
      await writeRecords(directory, [updated], this.#root);
      return updated;
    });
  }

  /** Deletes a live record (that passes `check`) under its lock; true when one was deleted. */
  deleteRecord(collection: string, key: string, check?: RecordCheck): Promise<boolean> {
    return this.lockedWrite(collection, [key], async (directory) => {
      const current = await this.readLive(collection, key);
      if (current === undefined || (check !== undefined && !check(current))) return false;
      try {
        await unlink(join(directory, recordFileName(key)));
      } catch (error) {
        if (errorCode(error) === "ENOENT") return false;
        throw error;
      }
      if (this.#root.sync) await syncDirectory(directory);
      return true;
    });
  }

  /**
   * Removes a folder by renaming it aside first (atomic), so a crash midway never leaves half a
   * collection visible; the renamed folder is then deleted.
   */
  async removeDirectory(parent: string, directory: string): Promise<void> {
    const trash = join(parent, `${trashPrefix}${randomBytes(8).toString("hex")}`);
    try {
      await rename(directory, trash);
    } catch (error) {
      if (errorCode(error) === "ENOENT") return;
      throw error;
    }
    if (this.#root.sync) await syncDirectory(parent);
    await rm(trash, { recursive: true, force: true });
  }
}
