/**
 * The two layers that make a record's read-modify-write atomic: an in-process mutex (cheap,
 * fair, and it keeps one process's callers from spinning on the lock file) and a lock file
 * shared with other processes using the same folder.
 */

import { join } from "node:path";
import { KeyedMutex } from "@agentvault/core";
import { acquireFileLock } from "./file-lock.js";
import { lockFileName } from "./filesystem-layout.js";

/** Options for `withRecordLocks`. */
export interface RecordLockOptions {
  /** How long to wait for another process's lock before failing. */
  readonly timeoutMs: number;
  /** Age after which a lock is stale even if its owner cannot be checked. */
  readonly staleMs: number;
}

/**
 * The in-process layer, shared by every filesystem provider instance in the process (keys are
 * absolute lock-file paths), so two instances opened on the same folder still serialise their
 * writes to one record.
 */
const processMutex = new KeyedMutex();

/**
 * Runs `fn` holding the locks of every key in `keys` within the collection folder `directory`.
 * Locks are taken in sorted order, so overlapping batches cannot deadlock.
 *
 * @throws LockTimeoutError when another process holds a lock for longer than `timeoutMs`.
 */
export function withRecordLocks<T>(
  directory: string,
  keys: readonly string[],
  options: RecordLockOptions,
  fn: () => Promise<T>,
): Promise<T> {
  const paths = [...new Set(keys.map((key) => join(directory, lockFileName(key))))].sort();
  return processMutex.runAll(paths, async () => {
    const releases: (() => Promise<void>)[] = [];
    try {
      for (const path of paths) releases.push(await acquireFileLock(path, options));
      return await fn();
    } finally {
      await Promise.all(releases.map((release) => release()));
    }
  });
}
