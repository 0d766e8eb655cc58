/**
 * Options of `filesystemProvider`, and the state that an instance shares with its
 * `withDatabase` siblings.
 */

import { resolve } from "node:path";
import {
  createScanProviderRoot,
  type ScanProviderOptions,
  type ScanProviderRoot,
  ValidationError,
} from "@agentvault/core";

/** Options for `filesystemProvider`. */
export interface FilesystemProviderOptions extends ScanProviderOptions {
  /** The folder holding every database. Relative paths resolve against the working directory. */
  readonly basePath: string;
  /** The database this instance is bound to: a sub-folder of `basePath`. @default "default" */
  readonly database?: string | undefined;
  /** Indent record files (2 spaces) so they are easy to read and diff. @default false */
  readonly prettyJson?: boolean | undefined;
  /**
   * Create `basePath` when it is missing. When false, a missing base folder fails every call
   * with `NotFoundError` (database and collection folders inside it are always created).
   * @default true
   */
  readonly autoCreate?: boolean | undefined;
  /**
   * Flush each written file and its folder to disk before a write resolves, so acknowledged
   * writes survive a power loss or kernel crash (a process crash never loses them either way).
   * Costs one or two disk flushes per write: often 1-10 ms each on SSDs, more on network disks.
   * @default true
   */
  readonly fsync?: boolean | undefined;
  /**
   * How long a write waits for a record locked by another process before failing with
   * `ProviderUnavailableError`.
   * @default 10000
   */
  readonly lockTimeoutMs?: number | undefined;
  /**
   * A lock older than this is broken even if its owner cannot be checked (owners on other hosts
   * sharing a network folder). Locks of dead processes on this host are broken at once.
   * @default 30000
   */
  readonly staleLockMs?: number | undefined;
}

/** The state shared by a provider and its siblings. */
export interface FilesystemRoot extends ScanProviderRoot {
  readonly basePath: string;
  readonly prettyJson: boolean;
  readonly autoCreate: boolean;
  readonly sync: boolean;
  readonly lock: { readonly timeoutMs: number; readonly staleMs: number };
  /** Set once the base folder is known to exist. */
  ready: Promise<void> | undefined;
}

const source = "filesystem";

function positive(value: number | undefined, fallback: number, option: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value > 0)) {
    throw new ValidationError(`${option} must be a positive number`, option, { source });
  }
  return value;
}

/** Checks the options and builds the shared state. */
export function createFilesystemRoot(options: FilesystemProviderOptions): FilesystemRoot {
  if (options === null || typeof options !== "object") {
    throw new ValidationError("Options are required", "options", { source });
  }
  if (typeof options.basePath !== "string" || options.basePath.trim() === "") {
    throw new ValidationError('Missing required option "basePath"', "basePath", { source });
  }
  if (options.basePath.includes("\u0000")) {
    throw new ValidationError("basePath cannot contain NUL", "basePath", { source });
  }
  return {
    ...createScanProviderRoot(options),
    basePath: resolve(options.basePath),
    prettyJson: options.prettyJson ?? false,
    autoCreate: options.autoCreate ?? true,
    sync: options.fsync ?? true,
    lock: {
      timeoutMs: positive(options.lockTimeoutMs, 10_000, "lockTimeoutMs"),
      staleMs: positive(options.staleLockMs, 30_000, "staleLockMs"),
    },
    ready: undefined,
  };
}
