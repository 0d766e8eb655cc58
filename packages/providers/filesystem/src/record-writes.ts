/**
 * Writing records: each record goes to a flushed temporary file, and only when every file of the batch is written are they renamed into place, followed
 * by one flush of the folder.
 */

import { join } from "node:path";
import { mapWithConcurrency, type StoredRecord } from "@agentvault/core";
import {
  commitTemporaryFile,
  discardTemporaryFiles,
  syncDirectory,
  writeTemporaryFile,
} from "./atomic-file.js";
import { recordFileName } from "./filesystem-layout.js";
import { serializeRecord } from "./record-files.js";

/** Temporary files written at once by a batch. */
const writeConcurrency = 16;

/**
 * Writes `records` into the collection folder `directory`. The caller holds their locks.
 * Encoding errors surface before anything is written.
 */
export async function writeRecords(
  directory: string,
  records: readonly StoredRecord[],
  options: { readonly prettyJson: boolean; readonly sync: boolean },
): Promise<void> {
  const texts = records.map((record) => serializeRecord(record, options.prettyJson));
  const written: string[] = [];
  let temporaries: string[];
  try {
    temporaries = await mapWithConcurrency(texts, writeConcurrency, async (text) => {
      const path = await writeTemporaryFile(directory, text, options.sync);
      written.push(path);
      return path;
    });
  } catch (error) {
    await discardTemporaryFiles(written);
    throw error;
  }
  for (let index = 0; index < records.length; index++) {
    const target = join(directory, recordFileName((records[index] as StoredRecord).key));
    try {
      await commitTemporaryFile(temporaries[index] as string, target);
    } catch (error) {
      await discardTemporaryFiles(temporaries.slice(index + 1));
      throw error;
    }
  }
  if (options.sync) await syncDirectory(directory);
}
