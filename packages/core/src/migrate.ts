/**
 * `migrate({ from, to })`: copies databases between any two providers (SQLite to PostgreSQL,
 * memory to Redis, ...). Every live record keeps its key, value (dates and binary included),
 * metadata, vector, absolute expiry and timestamps. Records are read in key order page by page
 * and written with `putMany`, so memory stays bounded; each page is read back from the target
 * and compared, so a backend that changed anything on the way is caught.
 *
 * Run it while nothing writes to the source: records written after their page was read are not
 * copied. Records already in the target with the same keys are overwritten; others are kept.
 */

import { type Clock, systemClock } from "./clock.js";
import { ValidationError } from "./errors.js";
import { recordPages } from "./migrate-record-pages.js";
import { verifyCopiedPage } from "./migrate-verify.js";
import type { StorageProvider } from "./provider.js";
import { validateCollectionName } from "./validation.js";

/** Options for `migrate`. */
export interface MigrateOptions {
  /** Where records are read. */
  readonly from: StorageProvider;
  /** Where records are written. */
  readonly to: StorageProvider;
  /**
   * The databases (tenants) to copy, each from `from.withDatabase(name)` to
   * `to.withDatabase(name)`. The provider contract cannot list databases, so name them (the
   * hosted server's tenants, for example).
   * @default the source's own database, copied into the target's own database
   */
  readonly databases?: readonly string[] | undefined;
  /** The collections to copy. @default every collection, internal ones (`_av*`) included */
  readonly collections?: readonly string[] | undefined;
  /** Records per read and per `putMany`. @default 500 */
  readonly batchSize?: number | undefined;
  /** Read each page back from the target and compare it with the source. @default true */
  readonly verify?: boolean | undefined;
  /** The clock deciding which records expired while being copied. @default systemClock */
  readonly clock?: Clock | undefined;
  /** Called after each page is written (and verified). */
  readonly onProgress?: ((progress: MigrationProgress) => void) | undefined;
}

/** Where a migration stands. */
export interface MigrationProgress {
  readonly database: string;
  readonly collection: string;
  /** Records of this collection copied so far. */
  readonly copied: number;
}

/** What `migrate` copied. */
export interface MigrationReport {
  /** Per source database: the records copied per collection. */
  readonly databases: readonly {
    readonly database: string;
    readonly collections: { readonly [collection: string]: number };
  }[];
  /** Records copied in total. */
  readonly records: number;
}

const source = "migrate";

function checkOptions(options: MigrateOptions): number {
  if (options === null || typeof options !== "object") {
    throw new ValidationError("migrate needs { from, to }", "options", { source });
  }
  for (const side of ["from", "to"] as const) {
    const provider = options[side];
    if (typeof provider?.find !== "function" || typeof provider.putMany !== "function") {
      throw new ValidationError(`${side} must be a StorageProvider`, side, { source });
    }
  }
  const batchSize = options.batchSize ?? 500;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new ValidationError("batchSize must be a positive integer", "batchSize", { source });
  }
  return batchSize;
}

/**
 * Copies every collection of the chosen databases from one provider to another.
 *
 * @throws IntegrityError when a verified page differs in the target.
 * @example
 * const report = await migrate({
 *   from: sqliteProvider({ directory: "./.agentvault" }),
 *   to: postgresProvider({ connectionString: process.env.POSTGRES_URL }),
 *   databases: ["default", "acme"],
 * });
 */
export async function migrate(options: MigrateOptions): Promise<MigrationReport> {
  const batchSize = checkOptions(options);
  const clock = options.clock ?? systemClock;
  const pairs =
    options.databases === undefined
      ? [{ from: options.from, to: options.to }]
      : options.databases.map((database) => ({
          from: options.from.withDatabase(database),
          to: options.to.withDatabase(database),
        }));
  const wanted = options.collections?.map((name) =>
    validateCollectionName(name, { allowReserved: true, source }),
  );
  const databases: MigrationReport["databases"][number][] = [];
  let records = 0;
  for (const { from, to } of pairs) {
    const collections: { [collection: string]: number } = Object.create(null);
    for (const collection of wanted ?? (await from.listCollections())) {
      let copied = 0;
      for await (const page of recordPages(from, collection, batchSize)) {
        await to.putMany(collection, page);
        if (options.verify ?? true) await verifyCopiedPage(to, collection, page, clock());
        copied += page.length;
        options.onProgress?.({ database: from.database, collection, copied });
      }
      collections[collection] = copied;
      records += copied;
    }
    databases.push({ database: from.database, collections: { ...collections } });
  }
  return { databases, records };
}
