/**
 * Reading and writing record files: the JSON form of a record (`recordToJson` from the core
 * codec), one file each, checked against its name when read back.
 */

import { readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  encodeSafeName,
  IntegrityError,
  mapWithConcurrency,
  ProviderUnavailableError,
  recordFromJson,
  recordToJson,
  type StoredRecord,
} from "@agentvault/core";
import { isTemporaryFile } from "./atomic-file.js";
import { classifyEntry } from "./filesystem-layout.js";

const source = "filesystem";

/** Files read at once during a scan. */
const readConcurrency = 32;

/** A temporary file older than this is debris from a crash and is removed during scans. */
const temporaryFileMaxAgeMs = 10 * 60 * 1000;

/** The error code of a Node filesystem error. */
export function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Wraps a filesystem failure. The message names the operation and the error code, never the
 * path (which stays in `cause`).
 */
export function filesystemFailure(action: string, error: unknown): Error {
  if (error instanceof Error && "code" in error && typeof error.code === "string") {
    if (error.code.startsWith("E")) {
      return new ProviderUnavailableError(`Could not ${action} (${error.code})`, {
        source,
        cause: error,
      });
    }
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Serialises a record, indented when `pretty`. */
export function serializeRecord(record: StoredRecord, pretty: boolean): string {
  return JSON.stringify(recordToJson(record), null, pretty ? 2 : undefined);
}

/**
 * Parses a record file's text and checks that it belongs under `stem` (its key encodes to the
 * file name). A mismatch means the file was copied or edited by hand.
 *
 * @throws IntegrityError when the text is not a record of that name.
 */
export function parseRecordFile(text: string, stem: string, collection: string): StoredRecord {
  let record: StoredRecord;
  try {
    record = recordFromJson(JSON.parse(text));
  } catch (error) {
    throw new IntegrityError(`A record file of collection ${collection} is corrupt`, {
      source,
      cause: error,
    });
  }
  if (encodeSafeName(record.key) !== stem) {
    throw new IntegrityError(
      `A record file of collection ${collection} holds a key that does not match its name`,
      { source },
    );
  }
  return record;
}

/** Reads one record file; undefined when it does not exist. */
export async function readRecordFile(
  directory: string,
  stem: string,
  collection: string,
): Promise<StoredRecord | undefined> {
  let text: string;
  try {
    text = await readFile(join(directory, `${stem}.json`), "utf8");
  } catch (error) {
    const code = errorCode(error);
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw filesystemFailure("read a record", error);
  }
  return parseRecordFile(text, stem, collection);
}

async function removeOldTemporaryFile(path: string): Promise<void> {
  try {
    if (Date.now() - (await stat(path)).mtimeMs > temporaryFileMaxAgeMs) {
      await rm(path, { force: true });
    }
  } catch {
    // Committed or removed meanwhile: nothing to do.
  }
}

/**
 * Reads every record file of a collection folder (a missing folder holds none). Files that
 * vanish during the scan were deleted concurrently and are skipped; old temporary files are
 * removed.
 */
export async function scanRecordFiles(
  directory: string,
  collection: string,
): Promise<StoredRecord[]> {
  let entries: string[];
  try {
    entries = await readdir(directory);
  } catch (error) {
    const code = errorCode(error);
    if (code === "ENOENT" || code === "ENOTDIR") return [];
    throw filesystemFailure("list a collection", error);
  }
  const stems: string[] = [];
  for (const entry of entries) {
    const kind = classifyEntry(entry);
    if (kind.kind === "record") stems.push(kind.stem);
    else if (isTemporaryFile(entry)) void removeOldTemporaryFile(join(directory, entry));
  }
  const records = await mapWithConcurrency(stems, readConcurrency, (stem) =>
    readRecordFile(directory, stem, collection),
  );
  return records.filter((record): record is StoredRecord => record !== undefined);
}
