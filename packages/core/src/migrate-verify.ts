/**
 * The read-back check of `migrate`: after a page is written, the same keys are read from the
 * target and compared with what was read from the source. Object field order is not compared
 * (PostgreSQL's JSONB, for one, keeps its own order); everything else is: values with their
 * types (a date stays a date, binary stays binary), metadata, vector and absolute expiry.
 */

import type { Value } from "@agentvault/query";
import { encodeValue, type JsonValue } from "./codec.js";
import { IntegrityError } from "./errors.js";
import type { StorageProvider, StoredRecord } from "./provider.js";
import { isExpired } from "./record-view.js";

/** JSON text with object fields sorted, so equal values give equal text whatever their order. */
function canonical(value: JsonValue | undefined): string {
  if (value === undefined) return "undefined";
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const fields = Object.keys(value).sort();
  return `{${fields.map((field) => `${JSON.stringify(field)}:${canonical(value[field])}`).join(",")}}`;
}

/** The parts of a record a migration must keep, as comparable text. */
export function recordFingerprint(record: StoredRecord): string {
  const metadata = record.metadata as Value | undefined;
  // An empty metadata object and no metadata are the same to every reader.
  const hasMetadata =
    metadata !== undefined && metadata !== null && Object.keys(metadata).length > 0;
  return [
    canonical(encodeValue(record.value)),
    hasMetadata ? canonical(encodeValue(metadata)) : "",
    record.vector === undefined ? "" : JSON.stringify(record.vector),
    record.expiresAt === undefined ? "" : String(record.expiresAt),
  ].join("\u0000");
}

/**
 * Reads `page`'s keys from `target` and checks each record arrived unchanged. Records that
 * expired meanwhile (at `now`) are not checked.
 * @throws IntegrityError naming how many records differ, and the first key that does.
 */
export async function verifyCopiedPage(
  target: StorageProvider,
  collection: string,
  page: readonly StoredRecord[],
  now: number,
): Promise<void> {
  const copies = await target.getMany(
    collection,
    page.map((record) => record.key),
  );
  const differing: string[] = [];
  page.forEach((record, index) => {
    if (isExpired(record, now)) return;
    const copy = copies[index];
    if (copy == null || recordFingerprint(copy) !== recordFingerprint(record)) {
      differing.push(record.key);
    }
  });
  if (differing.length > 0) {
    throw new IntegrityError(
      `${differing.length} records of ${collection} differ in the target after copying (first: ${JSON.stringify(differing[0])})`,
      { source: "migrate" },
    );
  }
}
