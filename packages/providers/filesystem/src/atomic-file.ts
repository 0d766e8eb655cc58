/**
 * Crash-safe file replacement: write a temporary file in the target's folder, flush it to disk,
 * rename it over the target (atomic on POSIX filesystems and on NTFS), then flush the folder so
 * the rename itself survives a power loss. A reader sees the old file or the new one, never a
 * partial one.
 *
 * Temporary files are named `~tmp-<pid>-<random>.tmp`: they never end in `.json`, so a scan can
 * never take one for a record, and a crash leaves at most a few of them behind (swept later).
 */

import { randomBytes } from "node:crypto";
import { open, rename, rm, unlink } from "node:fs/promises";
import { join } from "node:path";

/** The suffix of temporary files. */
export const temporaryFileSuffix = ".tmp";

/** Whether a directory entry is a temporary file. */
export function isTemporaryFile(fileName: string): boolean {
  return fileName.startsWith("~tmp-") && fileName.endsWith(temporaryFileSuffix);
}

/** Writes `content` to a new temporary file in `directory` and returns its path. */
export async function writeTemporaryFile(
  directory: string,
  content: string,
  sync: boolean,
): Promise<string> {
  const path = join(
    directory,
    `~tmp-${process.pid}-${randomBytes(8).toString("hex")}${temporaryFileSuffix}`,
  );
  const handle = await open(path, "wx");
  try {
    await handle.writeFile(content, "utf8");
    if (sync) await handle.sync();
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(path, { force: true });
    throw error;
  }
  await handle.close();
  return path;
}

/** Moves a temporary file over `target`, replacing it atomically. */
export async function commitTemporaryFile(temporaryPath: string, target: string): Promise<void> {
  try {
    await rename(temporaryPath, target);
  } catch (error) {
    await rm(temporaryPath, { force: true });
    throw error;
  }
}

/** Removes temporary files that will never be committed; errors are ignored. */
export async function discardTemporaryFiles(paths: readonly string[]): Promise<void> {
  await Promise.all(paths.map((path) => unlink(path).catch(() => {})));
}

/**
 * Flushes a folder's entries (new, renamed and removed files) to disk. Windows cannot open a
 * folder for flushing and NTFS journals renames itself, so there it is a no-op; filesystems that
 * refuse to flush folders are tolerated the same way.
 */
export async function syncDirectory(directory: string): Promise<void> {
  if (process.platform === "win32") return;
  const handle = await open(directory, "r");
  try {
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EINVAL" && code !== "ENOTSUP" && code !== "EISDIR") throw error;
  } finally {
    await handle.close();
  }
}

/** Writes `content` to `target` atomically (see the file comment). */
export async function writeFileAtomic(
  target: string,
  content: string,
  options: { readonly directory: string; readonly sync: boolean },
): Promise<void> {
  const temporary = await writeTemporaryFile(options.directory, content, options.sync);
  await commitTemporaryFile(temporary, target);
  if (options.sync) await syncDirectory(options.directory);
}
