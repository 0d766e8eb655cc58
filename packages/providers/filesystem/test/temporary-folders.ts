/** Temporary folders for tests, and a listing of everything inside one. */

import { mkdtemp, readdir, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

/** Creates a fresh folder under the OS temp folder (resolved, without symlinks). */
export async function createTemporaryFolder(label: string): Promise<string> {
  return realpath(await mkdtemp(join(tmpdir(), `agentvault-fs-${label}-`)));
}

/** Removes a folder made by `createTemporaryFolder`. */
export async function removeTemporaryFolder(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

/** Every file and folder below `root`, as paths relative to it (`/`-separated), sorted. */
export async function listTree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true });
  return entries.map((entry) => relative(root, join(root, entry)).split("\\").join("/")).sort();
}
