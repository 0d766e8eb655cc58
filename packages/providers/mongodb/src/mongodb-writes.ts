/**
 * The shapes of single-record writes, as pure functions so they are tested without a server.
 *
 * `put` is one upsert with an update pipeline, atomic on the server: every envelope field is
 * replaced, and `createdAt` is kept from the stored record unless that record has expired (an
 * expired record no longer exists as far as callers can tell, so its replacement starts anew).
 * Values are wrapped in `$literal`: in a pipeline a string like `"$price"` would otherwise read
 * as a field path, and a document would be merged into the stored one instead of replacing it.
 */

import type { Document } from "mongodb";
import { expiryGuard } from "./mongodb-filter-translator.js";
import type { MongoRecordDocument } from "./mongodb-record-codec.js";

/** The filter of one live record: its key, not expired at `now`. */
export function liveKeyFilter(key: string, now: number): Document {
  return { _id: key, ...expiryGuard(now) };
}

/**
 * The filter `put` with `ifAbsent` replaces through: the key, but only while its record has
 * expired. A live record does not match, so the upsert tries to insert and the duplicate `_id`
 * makes it fail; no record, or an expired one, is written.
 */
export function expiredKeyFilter(key: string, now: number): Document {
  return { _id: key, expiresAt: { $lte: new Date(now) } };
}

/** The update pipeline of `put` (see the module comment). */
export function putPipeline(document: MongoRecordDocument, now: number): Document[] {
  const createdAt = { $literal: document.createdAt };
  const storedHasExpired = {
    $and: [{ $gt: ["$expiresAt", null] }, { $lte: ["$expiresAt", new Date(now)] }],
  };
  return [
    {
      $set: {
        value: { $literal: document.value },
        metadata: { $literal: document.metadata },
        expiresAt: { $literal: document.expiresAt },
        vector: { $literal: document.vector },
        createdAt: { $cond: [storedHasExpired, createdAt, { $ifNull: ["$createdAt", createdAt] }] },
        updatedAt: { $literal: document.updatedAt },
      },
    },
  ];
}
