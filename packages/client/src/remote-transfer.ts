/**
 * `vault.export()` and `vault.import()` over HTTP (tenant admin keys only), in the core's
 * export format, so a file exported from a server imports into an embedded vault and back.
 *
 * Export: the server answers the header's facts, then each collection's record lines a page at
 * a time (bounded by its result and body limits); the client writes the header, counts the
 * lines, hashes them (SHA-256, as the core does) and writes the trailer. Pages are separate
 * reads: writes made meanwhile may or may not show, and the trailer counts what was sent.
 *
 * Import: the client reads every line and verifies the whole file with the core's own checks
 * (header, counts, checksum, every record) before sending anything, then sends the record lines
 * in pages; the server checks each page fully before writing it, in one transaction when its
 * backend has them. A failure midway (the network, a limit) leaves earlier pages written;
 * importing the same file again is safe, since records are written by key.
 *
 * Only the tenant's collections and key-value stores cross: the server's registry, grants and
 * audit log are never exported, and an import holding them is refused before anything is sent.
 */

import { createHash } from "node:crypto";
import {
  exportFormat,
  exportVersion,
  importRecords,
  LimitExceededError,
  PermissionDeniedError,
  type StorageProvider,
} from "@agentvault/core";
import type { CallRunner } from "./call-runner.js";

const source = "client";
/** Lines asked for per export page; the server may answer fewer. */
const exportPageSize = 1000;
/** Lines and characters sent per import call at first; halved while the server finds it too large. */
const importPageLines = 1000;
const importPageCharacters = 1_000_000;

/** The same rule as the server's: tenant collections and key-value stores, no `_av` bookkeeping. */
function isTransferableCollection(name: string): boolean {
  return !name.startsWith("_av") || name === "_avkv" || name.startsWith("_avkv.");
}

function isTooLargeError(error: unknown): boolean {
  return (
    LimitExceededError.isInstance(error) &&
    (error.limit === "resultSize" || error.limit === "bodySize")
  );
}

/** Streams the tenant's data as export JSON Lines. */
export async function* exportOverHttp(runner: CallRunner): AsyncGenerator<string> {
  const start = await runner.run((trpc, signal) =>
    trpc.transfer.exportStart.query(undefined, { signal }),
  );
  const header = JSON.stringify({
    format: exportFormat,
    version: exportVersion,
    createdAt: start.createdAt,
    database: start.database,
    collections: start.collections,
  });
  const hash = createHash("sha256").update(header);
  yield header;
  let records = 0;
  const exported: Record<string, number> = {};
  for (const collection of Object.keys(start.collections)) {
    let count = 0;
    let after: string | undefined;
    for (;;) {
      const input = { collection, after, limit: exportPageSize };
      const page = await runner.run((trpc, signal) =>
        trpc.transfer.exportPage.query(input, { signal }),
      );
      for (const line of page.lines) {
        hash.update("\n").update(line);
        count++;
        yield line;
      }
      if (page.done || page.last === undefined) break;
      after = page.last;
    }
    records += count;
    Object.defineProperty(exported, collection, {
      value: count,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  yield JSON.stringify({
    trailer: true,
    records,
    collections: exported,
    sha256: hash.digest("hex"),
  });
}

/** The lines of an import as the core reads them: strings, line ends trimmed, blanks dropped. */
async function readLines(lines: Iterable<string> | AsyncIterable<string>): Promise<string[]> {
  const result: string[] = [];
  for await (const line of lines) {
    // The core's check below rejects non-strings with its own IntegrityError.
    const trimmed = typeof line === "string" ? line.replace(/\r?\n$/, "") : line;
    if (trimmed !== "") result.push(trimmed);
  }
  return result;
}

/**
 * Verifies a whole import with the core's `importRecords`, run against a provider that only
 * notes which collections would be written (it is the only provider call an import makes
 * without transactions). Throws the core's `IntegrityError` for a damaged file.
 */
async function verify(lines: readonly string[]): Promise<Set<string>> {
  const collections = new Set<string>();
  const noting = {
    name: "import-check",
    database: "import-check",
    capabilities: { transactions: false },
    putMany: async (collection: string) => {
      collections.add(collection);
    },
  } as unknown as StorageProvider;
  await importRecords(noting, lines, { now: Date.now });
  return collections;
}

/** Verifies and sends an import; returns how many records the server wrote. */
export async function importOverHttp(
  runner: CallRunner,
  lines: Iterable<string> | AsyncIterable<string>,
): Promise<number> {
  const all = await readLines(lines);
  for (const collection of await verify(all)) {
    if (!isTransferableCollection(collection)) {
      throw new PermissionDeniedError(
        `The import writes ${collection}: imports over HTTP write the tenant's collections and key-value stores only`,
        { source },
      );
    }
  }
  const body = all.slice(1, -1);
  let written = 0;
  let maxLines = importPageLines;
  let maxCharacters = importPageCharacters;
  let start = 0;
  while (start < body.length) {
    let end = start;
    let characters = 0;
    while (end < body.length && end - start < maxLines) {
      const length = (body[end] as string).length;
      if (end > start && characters + length > maxCharacters) break;
      characters += length;
      end++;
    }
    const page = body.slice(start, end);
    try {
      written += await runner.run((trpc, signal) =>
        trpc.transfer.importPage.mutate({ lines: page }, { signal }),
      );
    } catch (error) {
      if (!isTooLargeError(error) || page.length === 1) throw error;
      maxLines = Math.max(1, Math.floor(page.length / 2));
      maxCharacters = Math.max(1, Math.floor(characters / 2));
      continue;
    }
    start = end;
  }
  return written;
}
