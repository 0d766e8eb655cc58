/**
 * The base folder: created on first use (`autoCreate`), or required to exist; and the health
 * check, which proves the folder is writable.
 */

import { constants } from "node:fs";
import { access, mkdir, stat } from "node:fs/promises";
import { dirname } from "node:path";
import type { HealthStatus } from "@agentvault/core";
import { NotFoundError, ValidationError } from "@agentvault/core";
import { syncDirectory } from "./atomic-file.js";
import type { FilesystemRoot } from "./filesystem-options.js";
import { errorCode } from "./record-files.js";

const source = "filesystem";

async function prepareBaseFolder(root: FilesystemRoot): Promise<void> {
  if (root.autoCreate) {
    const created = await mkdir(root.basePath, { recursive: true });
    if (created !== undefined && root.sync) await syncDirectory(dirname(created));
  }
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(root.basePath)).isDirectory();
  } catch (error) {
    if (errorCode(error) === "ENOENT") {
      throw new NotFoundError("The base folder does not exist and autoCreate is false", {
        source,
        cause: error,
      });
    }
    throw error;
  }
  if (!isDirectory) {
    throw new ValidationError("basePath is not a folder", "basePath", { source });
  }
}

/**
 * Resolves once the base folder exists (creating it when `autoCreate` is set). A failure is not
 * remembered, so a folder created later is picked up by the next call.
 *
 * @throws NotFoundError when the folder is missing and `autoCreate` is false.
 */
export async function checkBaseFolder(root: FilesystemRoot): Promise<void> {
  if (root.ready === undefined) {
    const ready = prepareBaseFolder(root);
    root.ready = ready;
    ready.catch(() => {
      if (root.ready === ready) root.ready = undefined;
    });
  }
  await root.ready;
}

/** Health: the base folder exists (or can be created) and is writable. */
export async function checkHealth(root: FilesystemRoot): Promise<HealthStatus> {
  if (root.closed) return { ok: false, message: "The filesystem provider is closed" };
  const started = performance.now();
  try {
    await checkBaseFolder(root);
    await access(root.basePath, constants.R_OK | constants.W_OK);
    return { ok: true, latencyMs: performance.now() - started };
  } catch (error) {
    const code = errorCode(error);
    const message =
      code === "EACCES" || code === "EPERM"
        ? "The base folder is not writable"
        : error instanceof NotFoundError
          ? "The base folder does not exist"
          : "The base folder is not usable";
    return { ok: false, latencyMs: performance.now() - started, message };
  }
}
