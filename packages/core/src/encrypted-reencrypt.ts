/**
 * Key rotation for `encrypted()`: rewrites every record not sealed with the first key of the
 * ring, so the old keys can then be dropped from the ring (and destroyed).
 */

import { type Clock, systemClock } from "./clock.js";
import {
  createKeyRing,
  type EncryptionKey,
  isSealedValue,
  type SealedValue,
  sealRecord,
} from "./encrypted-envelope.js";
import { KeyLocks } from "./encrypted-key-locks.js";
import { EncryptedRecordWriter } from "./encrypted-record-writer.js";
import { ValidationError } from "./errors.js";
import { recordPages } from "./migrate-record-pages.js";
import type { StorageProvider } from "./provider.js";
import { validateCollectionName } from "./validation.js";

/** Options for `reencrypt`. */
export interface ReencryptOptions {
  /** The key ring: the first key seals every rewritten record; the others must open the rest. */
  readonly keys: readonly EncryptionKey[];
  /**
   * Also encrypt records found in plaintext, to turn encryption on for an existing store. Run it
   * while nothing else writes: a plaintext record is replaced without a version check.
   * @default false
   */
  readonly encryptPlaintext?: boolean | undefined;
  /** The collections to rewrite. @default every collection of the database, internal ones included */
  readonly collections?: readonly string[] | undefined;
  /** Records read per provider call. @default 200 */
  readonly batchSize?: number | undefined;
  /** The clock for the rewritten records' `updatedAt`. @default systemClock */
  readonly clock?: Clock | undefined;
}

/** What `reencrypt` did. */
export interface ReencryptReport {
  readonly collections: number;
  /** Live records read. */
  readonly records: number;
  /** Records rewritten with the first key. */
  readonly rewritten: number;
  /** Records encrypted for the first time (`encryptPlaintext`). */
  readonly encrypted: number;
}

const source = "encrypted";

/**
 * Re-encrypts every record of `provider`'s database that the first key of `keys` did not seal.
 * `provider` is the backend itself, the one `encrypted()` wraps, not the wrapper. Updates made
 * meanwhile are kept (each rewrite is a compare-and-swap where the backend runs filters
 * natively, see `encrypted`).
 *
 * @throws IntegrityError when a record does not decrypt with any key of the ring, or is in
 *   plaintext without `encryptPlaintext`.
 * @example
 * await reencrypt(sqliteProvider({ path: "agent.db" }), { keys: [newKey, oldKey] });
 * // from now on: encrypted(provider, { keys: [newKey] })
 */
export async function reencrypt(
  provider: StorageProvider,
  options: ReencryptOptions,
): Promise<ReencryptReport> {
  const ring = createKeyRing(options?.keys);
  const batchSize = options.batchSize ?? 200;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new ValidationError("batchSize must be a positive integer", "batchSize", { source });
  }
  const clock = options.clock ?? systemClock;
  const writer = new EncryptedRecordWriter(provider, ring, {
    clock,
    locks: new KeyLocks(),
    crossProcess: true,
  });
  const collections =
    options.collections?.map((name) =>
      validateCollectionName(name, { allowReserved: true, source }),
    ) ?? (await provider.listCollections());
  let records = 0;
  let rewritten = 0;
  let encrypted = 0;
  for (const collection of collections) {
    const scope = { database: provider.database, collection };
    for await (const page of recordPages(provider, collection, batchSize)) {
      for (const stored of page) {
        records++;
        const sealed = isSealedValue(stored.value);
        if (!sealed && options.encryptPlaintext) {
          await provider.put(collection, sealRecord(ring, scope, stored));
          encrypted++;
          continue;
        }
        if (sealed && (stored.value as unknown as SealedValue).kid === ring.current.id) continue;
        // An empty change re-seals the record with the current key, through the same
        // compare-and-swap as any update; it also fails loudly on undecryptable records.
        if ((await writer.update(scope, stored.key, {})) !== null) rewritten++;
      }
    }
  }
  return { collections: collections.length, records, rewritten, encrypted };
}
