/**
 * Vault export and import as versioned JSON Lines.
 *
 * An export is three parts, one JSON object per line:
 * 1. a header `{ format: "agentvault-export", version: 2, createdAt, database, collections }`
 *    where `collections` maps each collection to its record count when the export started
 *    (writes during the export may change it; the trailer has the exact counts);
 * 2. one line per live record, collection by collection in key order:
 *    `{ c: collection, k: key, v: value, m?: metadata, e?: expiresAt, vec?: vector, ca?, ua? }`
 *    with values in the codec's tagged JSON (`$date`, `$binary`) and expiry absolute (epoch
 *    milliseconds), so a restore keeps each record's deadline;
 * 3. a trailer `{ trailer: true, records, collections, sha256 }`: the number of record lines,
 *    their count per collection, and the hex SHA-256 of every line before the trailer (header
 *    included) joined with `\n`.
 *
 * Import reads everything first and verifies the header, the counts and the checksum, so a
 * truncated, reordered, edited or malformed file is rejected with `IntegrityError` before
 * anything is written. The checksum detects accidents, not an attacker who can recompute it.
 * Version 1 files (no per-collection counts, checksum over the record lines only) still import.
 */

import { createHash } from "node:crypto";
import type { Clock } from "./clock.js";
import { recordFromJson, recordToJson } from "./codec.js";
import { AgentVaultError, IntegrityError } from "./errors.js";
import { recordPages } from "./migrate-record-pages.js";
import type { StorageProvider, StoredRecord } from "./provider.js";
import { isExpired } from "./record-view.js";
import { validateCollectionName, validateKey, validateValue } from "./validation.js";
import { matchAll } from "./vault-inputs.js";

/** The `format` of an export header. */
export const exportFormat = "agentvault-export";
/** The export format version this code writes and reads. */
export const exportVersion = 2;
/** Export versions this code can import. */
const readableVersions: readonly unknown[] = [1, 2];

/** Options for `exportRecords` and `importRecords`. */
export interface ExportImportOptions {
  /** The clock deciding which records have expired. */
  readonly now: Clock;
  /** Records per provider call. @default 500 */
  readonly batchSize?: number | undefined;
}

const source = "export";

/**
 * Streams every live record of the provider's database as JSON Lines (see the module comment).
 * Internal collections (`_av*`, such as key-value stores) are included.
 */
export async function* exportRecords(
  provider: StorageProvider,
  options: ExportImportOptions,
): AsyncGenerator<string> {
  const batchSize = options.batchSize ?? 500;
  const collections = await provider.listCollections();
  const counts: { [collection: string]: number } = Object.create(null);
  for (const collection of collections)
    counts[collection] = await provider.count(collection, matchAll);
  const header = JSON.stringify({
    format: exportFormat,
    version: exportVersion,
    createdAt: new Date(options.now()).toISOString(),
    database: provider.database,
    collections: { ...counts },
  });
  const hash = createHash("sha256").update(header);
  yield header;
  let records = 0;
  const exported: { [collection: string]: number } = Object.create(null);
  for (const collection of collections) {
    exported[collection] = 0;
    for await (const page of recordPages(provider, collection, batchSize)) {
      for (const record of page) {
        if (isExpired(record, options.now())) continue;
        const line = JSON.stringify({ c: collection, ...recordToJson(record) });
        hash.update("\n").update(line);
        records++;
        exported[collection] = (exported[collection] ?? 0) + 1;
        yield line;
      }
    }
  }
  yield JSON.stringify({
    trailer: true,
    records,
    collections: { ...exported },
    sha256: hash.digest("hex"),
  });
}

function parseLine(line: string, index: number): { readonly [field: string]: unknown } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    throw new IntegrityError(`Line ${index + 1} of the import is not valid JSON`, {
      source,
      cause: error,
    });
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new IntegrityError(`Line ${index + 1} of the import is not a JSON object`, { source });
  }
  return json as { readonly [field: string]: unknown };
}

async function readLines(lines: Iterable<string> | AsyncIterable<string>): Promise<string[]> {
  const result: string[] = [];
  for await (const line of lines) {
    if (typeof line !== "string")
      throw new IntegrityError("Import lines must be strings", { source });
    const trimmed = line.replace(/\r?\n$/, "");
    if (trimmed !== "") result.push(trimmed);
  }
  return result;
}

/** What the envelope of an import says, once its lines are known to be intact. */
interface CheckedEnvelope {
  readonly header: { readonly [field: string]: unknown };
  readonly trailer: { readonly [field: string]: unknown };
  readonly body: readonly string[];
}

/** Checks that each collection holds as many records as the trailer says (version 2 and later). */
function checkCounts(envelope: CheckedEnvelope, actual: ReadonlyMap<string, number>): void {
  const { header, trailer } = envelope;
  if (header.version === 1) return;
  const listed = header.collections;
  const expected = trailer.collections;
  if (!isObject(listed) || !isObject(expected)) {
    throw new IntegrityError("The import's header or trailer lacks its collection counts", {
      source,
    });
  }
  for (const collection of new Set([...Object.keys(expected), ...actual.keys()])) {
    if (!Object.hasOwn(listed, collection)) {
      throw new IntegrityError(`The import's header does not list the collection ${collection}`, {
        source,
      });
    }
    const count = actual.get(collection) ?? 0;
    const said = Object.hasOwn(expected, collection) ? expected[collection] : 0;
    if (said !== count) {
      throw new IntegrityError(
        `The import holds ${count} records of ${collection} but its trailer says ${String(said)}`,
        { source },
      );
    }
  }
}

function isObject(value: unknown): value is { readonly [field: string]: unknown } {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function checkEnvelope(lines: readonly string[]): CheckedEnvelope {
  if (lines.length < 2) throw new IntegrityError("The import is empty or truncated", { source });
  const header = parseLine(lines[0]!, 0);
  if (header.format !== exportFormat) {
    throw new IntegrityError("The import does not start with an AgentVault export header", {
      source,
    });
  }
  if (!readableVersions.includes(header.version)) {
    throw new IntegrityError(`Unsupported export version ${String(header.version)}`, { source });
  }
  const trailer = parseLine(lines[lines.length - 1]!, lines.length - 1);
  if (trailer.trailer !== true)
    throw new IntegrityError("The import is truncated (no trailer)", { source });
  const body = lines.slice(1, -1);
  if (trailer.records !== body.length) {
    throw new IntegrityError(
      `The import holds ${body.length} records but its trailer says ${String(trailer.records)}`,
      { source },
    );
  }
  // Version 1 checksummed the records only; later versions cover the header too.
  const covered = header.version === 1 ? body : lines.slice(0, -1);
  const digest = createHash("sha256").update(covered.join("\n")).digest("hex");
  if (trailer.sha256 !== digest) {
    throw new IntegrityError("The import's checksum does not match its records", { source });
  }
  return { header, trailer, body };
}

function decodeLine(line: string, index: number): { collection: string; record: StoredRecord } {
  const json = parseLine(line, index);
  try {
    const collection = validateCollectionName(json.c, { allowReserved: true, source });
    const record = recordFromJson(json);
    validateKey(record.key, { source });
    validateValue(record.value, { source });
    if (record.metadata !== undefined) validateValue(record.metadata, { source, path: "metadata" });
    return { collection, record };
  } catch (error) {
    if (error instanceof IntegrityError || !AgentVaultError.isInstance(error)) throw error;
    throw new IntegrityError(`Line ${index + 1} of the import is not a valid record`, {
      source,
      cause: error,
    });
  }
}

async function writeAll(
  provider: StorageProvider,
  groups: ReadonlyMap<string, StoredRecord[]>,
  batchSize: number,
): Promise<void> {
  for (const [collection, records] of groups) {
    for (let start = 0; start < records.length; start += batchSize) {
      await provider.putMany(collection, records.slice(start, start + batchSize));
    }
  }
}

/**
 * Verifies and restores an export. Existing records with the same keys are overwritten; records
 * that expired since the export are skipped. Writes happen in one transaction when the provider
 * has them.
 * @returns How many records were written.
 * @throws IntegrityError when the input is truncated, reordered, tampered with or malformed.
 */
export async function importRecords(
  provider: StorageProvider,
  lines: Iterable<string> | AsyncIterable<string>,
  options: ExportImportOptions,
): Promise<number> {
  const batchSize = options.batchSize ?? 500;
  const envelope = checkEnvelope(await readLines(lines));
  const groups = new Map<string, StoredRecord[]>();
  const counts = new Map<string, number>();
  const now = options.now();
  let written = 0;
  const decoded = envelope.body.map((line, index) => {
    const entry = decodeLine(line, index + 1);
    counts.set(entry.collection, (counts.get(entry.collection) ?? 0) + 1);
    return entry;
  });
  checkCounts(envelope, counts);
  for (const { collection, record } of decoded) {
    if (isExpired(record, now)) continue;
    let group = groups.get(collection);
    if (group === undefined) {
      group = [];
      groups.set(collection, group);
    }
    group.push(record);
    written++;
  }
  if (provider.transaction !== undefined && provider.capabilities.transactions) {
    await provider.transaction((tx) => writeAll(tx, groups, batchSize));
  } else {
    await writeAll(provider, groups, batchSize);
  }
  return written;
}
