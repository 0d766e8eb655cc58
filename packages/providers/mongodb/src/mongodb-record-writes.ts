/**
 * The driver calls that write whole records: `put` (an upsert through the pipeline of
 * `putPipeline`), `put` with `ifAbsent`, and the bulk operations of `putMany`. The shapes they
 * send are the pure functions of `mongodb-writes.ts`.
 */

import { ConflictError } from "@agentvault/core";
import type { AnyBulkWriteOperation, ClientSession, Collection, Document } from "mongodb";
import { isDuplicateKeyError, source } from "./mongodb-errors.js";
import type { MongoRecordDocument } from "./mongodb-record-codec.js";
import { expiredKeyFilter, liveKeyFilter, putPipeline } from "./mongodb-writes.js";

/** A stored envelope as the driver types it: keys are strings, not ObjectIds. */
export type EnvelopeDocument = { _id: string } & Document;

/** Where a record is written. */
export interface RecordWriteTarget {
  readonly collection: Collection<EnvelopeDocument>;
  /** The AgentVault collection name, for messages. */
  readonly name: string;
  /** The transaction's session, when inside one. */
  readonly session?: ClientSession | undefined;
}

/**
 * Writes a record, replacing any stored one (see `putPipeline`). Two upserts of one new key can
 * race on the unique `_id`; outside a transaction the loser retries and finds the record.
 */
export async function upsertRecord(
  target: RecordWriteTarget,
  document: MongoRecordDocument,
  now: number,
): Promise<void> {
  const session = target.session === undefined ? {} : { session: target.session };
  for (let attempt = 0; ; attempt++) {
    try {
      await target.collection.updateOne({ _id: document._id }, putPipeline(document, now), {
        upsert: true,
        ...session,
      });
      return;
    } catch (error) {
      if (target.session !== undefined || attempt >= 2 || !isDuplicateKeyError(error)) throw error;
    }
  }
}

/**
 * Writes a record unless a live one holds the key, else fails with `ConflictError`. Outside a
 * transaction this is one conditional upsert (an expired record is replaced; a live one makes
 * the insert hit the duplicate `_id`). Inside one, a duplicate-key error would abort the whole
 * transaction, so it looks first: the snapshot makes the check and the write one unit, and a
 * concurrent insert surfaces as a write conflict the driver retries.
 */
export async function insertRecordIfAbsent(
  target: RecordWriteTarget,
  document: MongoRecordDocument,
  now: number,
): Promise<void> {
  const conflict = (cause?: unknown) =>
    new ConflictError(`A record with this key already exists in ${target.name}`, { source, cause });
  const { collection, session } = target;
  if (session !== undefined) {
    const existing = await collection.findOne(liveKeyFilter(document._id, now), { session });
    if (existing !== null) throw conflict();
    await collection.replaceOne({ _id: document._id }, document, { upsert: true, session });
    return;
  }
  try {
    await collection.replaceOne(expiredKeyFilter(document._id, now), document, { upsert: true });
  } catch (error) {
    if (isDuplicateKeyError(error)) throw conflict(error);
    throw error;
  }
}

/** The ordered bulk operations of `putMany`: one pipeline upsert per record, later ones winning. */
export function putManyOperations(
  documents: readonly MongoRecordDocument[],
  now: number,
): AnyBulkWriteOperation<EnvelopeDocument>[] {
  return documents.map((document) => ({
    updateOne: { filter: { _id: document._id }, update: putPipeline(document, now), upsert: true },
  }));
}
