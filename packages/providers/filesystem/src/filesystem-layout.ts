/**
 * Where things live on disk:
 *
 * ```
 * <basePath>/<database>/<collection>/<key>.json   one record each
 *                                    <key>.lock   held during a write (cross-process lock)
 *                                    ~tmp-*.tmp   a write in progress
 *                                    ~name        real name of a folder whose name is hashed
 * ```
 *
 * Every name segment goes through `encodeSafeName`, so nothing a caller passes can leave
 * `basePath`. Anything else found in these folders is ignored.
 */

import { mkdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { decodeSafeName, encodeSafeName, isHashedSafeName } from "@agentvault/core";
import { syncDirectory, writeFileAtomic } from "./atomic-file.js";

/** The suffix of record files. */
export const recordFileSuffix = ".json";
/** The suffix of lock files. */
export const lockFileSuffix = ".lock";
/** The file holding the real name of a folder whose name is hashed. */
export const nameMarkerFile = "~name";
/** Folders being deleted are renamed to this prefix first, so a crash cannot leave half a collection. */
export const trashPrefix = "~trash-";

/** The record file of a key, as a file name. */
export function recordFileName(key: string): string {
  return encodeSafeName(key) + recordFileSuffix;
}

/** The lock file guarding a key's record file. */
export function lockFileName(key: string): string {
  return encodeSafeName(key) + lockFileSuffix;
}

/** What a directory entry of a collection folder is. */
export type CollectionEntry =
  | { readonly kind: "record"; readonly stem: string; readonly key: string | undefined }
  | { readonly kind: "other" };

/**
 * Classifies a collection folder entry. A record's key is known from its name unless the name
 * is hashed (then `key` is undefined and the file holds it).
 */
export function classifyEntry(fileName: string): CollectionEntry {
  if (!fileName.endsWith(recordFileSuffix)) return { kind: "other" };
  const stem = fileName.slice(0, -recordFileSuffix.length);
  if (isHashedSafeName(stem)) return { kind: "record", stem, key: undefined };
  const key = decodeSafeName(stem);
  return key === undefined ? { kind: "other" } : { kind: "record", stem, key };
}

/**
 * Creates the folder for `name` inside `parent` (and `parent` itself) if needed and returns its
 * path. A new folder's parent is flushed when `sync` is set, so it survives a power loss; a
 * hashed folder gets a `~name` marker holding its real name.
 */
export async function ensureNamedDirectory(
  parent: string,
  name: string,
  sync: boolean,
): Promise<string> {
  const directory = join(parent, encodeSafeName(name));
  const created = await mkdir(directory, { recursive: true });
  if (created === undefined) return directory;
  if (isHashedSafeName(encodeSafeName(name))) {
    await writeFileAtomic(join(directory, nameMarkerFile), name, { directory, sync });
  }
  if (sync) {
    // Flush every folder that gained an entry, from the new folder's parent upwards.
    let current = directory;
    while (current.length >= created.length) {
      current = dirname(current);
      await syncDirectory(current);
    }
  }
  return directory;
}

/**
 * The real name of a folder entry made by `ensureNamedDirectory`, or undefined when the entry
 * is not one (trash, temporary files, foreign files) or its marker is missing.
 */
export async function readDirectoryName(
  parent: string,
  entryName: string,
): Promise<string | undefined> {
  if (!isHashedSafeName(entryName)) return decodeSafeName(entryName);
  try {
    const name = await readFile(join(parent, entryName, nameMarkerFile), "utf8");
    return encodeSafeName(name) === entryName ? name : undefined;
  } catch {
    return undefined;
  }
}
