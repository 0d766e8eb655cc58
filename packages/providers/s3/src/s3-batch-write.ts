/**
 * `putMany` for S3, which has no multi-object write: all or nothing on a best-effort basis.
 * Every record is validated and encoded before the first request; the current versions are
 * read, then all records are written (conditionally on those versions); if any write fails,
 * the records already written are put back as they were (or deleted when they were new), each
 * only if nobody changed it meanwhile. A lost race retries the whole batch.
 */

import {
  mapWithConcurrency,
  ProviderUnavailableError,
  recordToJson,
  type StoredRecord,
} from "@agentvault/core";
import { PreconditionFailedError, removeObject, writeObject } from "./s3-objects.js";
import type { S3Root } from "./s3-options.js";
import { objectMutex, type S3RecordStore, type VersionedRecord } from "./s3-record-store.js";

const maxAttempts = 5;

/** Gives a record its timestamps from the record it replaces (expired ones count as absent). */
export type RecordStamper = (
  record: StoredRecord,
  current: StoredRecord | undefined,
) => StoredRecord;

interface Written {
  readonly index: number;
  readonly etag: string | undefined;
}

async function rollBack(
  root: S3Root,
  objectKeys: readonly string[],
  previous: readonly (VersionedRecord | undefined)[],
  written: readonly Written[],
): Promise<void> {
  await mapWithConcurrency(written, root.concurrency, async ({ index, etag }) => {
    const objectKey = objectKeys[index] as string;
    const before = previous[index];
    try {
      if (before === undefined) await removeObject(root, objectKey, etag);
      else {
        const text = JSON.stringify(recordToJson(before.record));
        await writeObject(root, objectKey, text, { ifMatch: etag });
      }
    } catch {
      // Best effort: a record changed by someone else since is theirs now.
    }
  });
}

/** Writes `records` (validated, one per key) into `collection`. */
export function writeBatch(
  root: S3Root,
  store: S3RecordStore,
  collection: string,
  records: readonly StoredRecord[],
  stamp: RecordStamper,
): Promise<void> {
  const objectKeys = records.map((record) => store.objectKey(collection, record.key));
  const texts: string[] = [];
  const mutexNames = objectKeys.map((objectKey) => `${root.bucket}/${objectKey}`);
  return objectMutex.runAll(mutexNames, async () => {
    await store.ensureNameMarker(collection);
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const previous = await mapWithConcurrency(records, root.concurrency, (record) =>
        store.read(collection, record.key),
      );
      texts.length = 0;
      for (const [index, record] of records.entries()) {
        texts.push(JSON.stringify(recordToJson(stamp(record, previous[index]?.record))));
      }
      const written: Written[] = [];
      try {
        await mapWithConcurrency(texts, root.concurrency, async (text, index) => {
          const before = previous[index];
          const condition = before === undefined ? { ifAbsent: true } : { ifMatch: before.etag };
          const etag = await writeObject(root, objectKeys[index] as string, text, condition);
          written.push({ index, etag });
        });
        return;
      } catch (error) {
        await rollBack(root, objectKeys, previous, written);
        if (!(error instanceof PreconditionFailedError)) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** attempt));
      }
    }
    throw new ProviderUnavailableError(
      `Too many concurrent writers on records of ${collection}; try again`,
      { source: "s3" },
    );
  });
}
