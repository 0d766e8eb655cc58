/**
 * Cross-process record locks: a lock file that exactly one process can create (a hard link of
 * a filled temporary file, which fails when the path exists; `O_EXCL` where links are not
 * supported), holding its owner's pid, host name and a random nonce.
 *
 * Locks are held for one read-modify-write (milliseconds), so a lock is *stale* when its owner
 * is a dead process on this host (a crash or `kill -9`), or when it is older than `staleMs`
 * (owners on other hosts sharing a network folder cannot be checked). A stale lock is moved
 * aside with an atomic rename and deleted only if it is still the one judged stale; in the rare
 * race where a fresh lock was moved instead, it is put back.
 *
 * Hand-written rather than `proper-lockfile` because that library detects staleness by age only
 * (a crashed writer blocks its records for the whole stale period), keeps a timer per lock and
 * installs exit hooks; here a lock left by a killed process is broken at once.
 */

import { randomBytes } from "node:crypto";
import { link, open, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, join } from "node:path";

/** Options for `acquireFileLock`. */
export interface FileLockOptions {
  /** Give up after waiting this long. */
  readonly timeoutMs: number;
  /** A lock older than this is stale whoever owns it. */
  readonly staleMs: number;
}

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly nonce: string;
  readonly at: number;
}

/** Thrown when the lock could not be taken in time. */
export class LockTimeoutError extends Error {
  constructor(path: string) {
    super(`Timed out waiting for lock ${path}`);
    this.name = "LockTimeoutError";
  }
}

const host = hostname();

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return errorCode(error) !== "ESRCH";
  }
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(path, "utf8")) as Partial<LockOwner>;
    if (typeof owner.pid !== "number" || typeof owner.nonce !== "string") return undefined;
    return owner as LockOwner;
  } catch {
    return undefined;
  }
}

async function isStale(path: string, owner: LockOwner | undefined, staleMs: number) {
  if (owner !== undefined) {
    if (owner.host === host && owner.pid !== process.pid && !isProcessAlive(owner.pid)) return true;
    return Date.now() - owner.at > staleMs;
  }
  // Unreadable: its writer may be between creating and filling it, so only age decides.
  try {
    return Date.now() - (await stat(path)).mtimeMs > staleMs;
  } catch {
    return false;
  }
}

async function breakStaleLock(path: string, judged: LockOwner | undefined): Promise<void> {
  const aside = `${path}.${randomBytes(6).toString("hex")}.stale`;
  try {
    await rename(path, aside);
  } catch {
    return; // Already broken or released by someone else.
  }
  const moved = await readOwner(aside);
  if (moved !== undefined && moved.nonce !== judged?.nonce) {
    // A fresh lock replaced the stale one before our rename: give it back to its owner.
    await link(aside, path).catch(() => {});
  }
  await unlink(aside).catch(() => {});
}

/**
 * Creates the lock file with its content in one step: the owner is written to a temporary file
 * that is then hard-linked to the lock path (`link` fails if the path exists). A plain
 * `open("wx")` followed by a write could be killed in between and leave an empty lock that only
 * age could break. Filesystems without hard links fall back to `open("wx")`.
 */
async function tryCreate(path: string, owner: LockOwner): Promise<boolean> {
  const suffix = randomBytes(6).toString("hex");
  const temporary = join(dirname(path), `~tmp-${process.pid}-${suffix}-lock.tmp`);
  await writeFile(temporary, JSON.stringify(owner), { flag: "wx" });
  try {
    await link(temporary, path);
    return true;
  } catch (error) {
    const code = errorCode(error);
    if (code === "EEXIST") return false;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "ENOSYS") throw error;
    return tryCreateExclusive(path, owner);
  } finally {
    await unlink(temporary).catch(() => {});
  }
}

async function tryCreateExclusive(path: string, owner: LockOwner): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "wx");
  } catch (error) {
    if (errorCode(error) === "EEXIST") return false;
    throw error;
  }
  try {
    await handle.writeFile(JSON.stringify(owner), "utf8");
  } finally {
    await handle.close();
  }
  return true;
}

/**
 * Takes the lock file at `path`, waiting with jittered backoff while another process holds it.
 * Returns the function that releases it.
 *
 * @throws LockTimeoutError after `timeoutMs`; other filesystem errors as they are.
 */
export async function acquireFileLock(
  path: string,
  options: FileLockOptions,
): Promise<() => Promise<void>> {
  const owner: LockOwner = {
    pid: process.pid,
    host,
    nonce: randomBytes(8).toString("hex"),
    at: Date.now(),
  };
  const deadline = Date.now() + options.timeoutMs;
  for (let attempt = 0; ; attempt++) {
    if (await tryCreate(path, { ...owner, at: Date.now() })) {
      return async () => {
        // Only remove our own lock: a holder judged stale may have been replaced meanwhile.
        if ((await readOwner(path))?.nonce === owner.nonce) await unlink(path).catch(() => {});
      };
    }
    const current = await readOwner(path);
    if (await isStale(path, current, options.staleMs)) {
      await breakStaleLock(path, current);
      continue;
    }
    if (Date.now() >= deadline) throw new LockTimeoutError(path);
    await sleep(1 + Math.random() * Math.min(50, 2 ** Math.min(attempt, 6)));
  }
}
