/**
 * Options of `mongodbProvider`, and their checks. The server-selection timeout defaults to a few
 * seconds on purpose: an agent should learn quickly that its store is down, not hang.
 */

import { type Clock, systemClock, ValidationError, type VectorMetric } from "@agentvault/core";
import type {
  MongoClient,
  MongoClientOptions,
  ReadConcernLevel,
  WriteConcernSettings,
} from "mongodb";
import { source } from "./mongodb-errors.js";
import { type DatabaseNameAffixes, defaultAffixes, validateAffixes } from "./mongodb-names.js";

/** Options for `mongodbProvider`. Connection settings are used only when `client` is absent. */
export interface MongodbProviderOptions {
  /**
   * A `mongodb://` or `mongodb+srv://` connection string.
   * @default process.env.MONGODB_URL ?? process.env.MONGODB_URI ?? "mongodb://127.0.0.1:27017"
   */
  readonly url?: string | undefined;
  /**
   * An existing `MongoClient` to use instead of creating one. The provider never closes it;
   * its own timeouts, write concern and read concern apply unless set here too.
   */
  readonly client?: MongoClient | undefined;
  /** The AgentVault database (tenant) this instance is bound to. @default "default" */
  readonly database?: string | undefined;
  /** Put before every MongoDB database name (letters, digits, `_`, `-`). @default "agentvault_" */
  readonly databasePrefix?: string | undefined;
  /** Put after every MongoDB database name (letters, digits, `_`, `-`). @default "_vault" */
  readonly databaseSuffix?: string | undefined;
  /**
   * Write concern of every write. The default waits for a majority of the replica set and for
   * the journal, so an acknowledged write survives a crash. With `client`, the client's own
   * write concern applies unless this is set.
   * @default { w: "majority", journal: true }
   */
  readonly writeConcern?: WriteConcernSettings | undefined;
  /** Read concern level of every read outside transactions. @default the server's ("local") */
  readonly readConcern?: ReadConcernLevel | undefined;
  /**
   * Read concern inside `transaction()`. @default "snapshot"
   */
  readonly transactionReadConcern?: ReadConcernLevel | undefined;
  /**
   * How long the driver looks for a usable server before a call fails with
   * `ProviderUnavailableError` (also the connect timeout).
   * @default 5000
   */
  readonly serverSelectionTimeoutMs?: number | undefined;
  /** How long `health()` waits for a ping. @default 2000 */
  readonly healthTimeoutMs?: number | undefined;
  /** More driver options for the client the provider creates (TLS, auth, pool size, ...). @default {} */
  readonly clientOptions?: MongoClientOptions | undefined;
  /** The vector metric of collections without an entry in `vectorMetrics`. @default "cosine" */
  readonly vectorMetric?: VectorMetric | undefined;
  /** Per-collection vector metrics, for example `{ images: "euclidean" }`. @default {} */
  readonly vectorMetrics?: { readonly [collection: string]: VectorMetric } | undefined;
  /**
   * The clock deciding expiry and timestamps. MongoDB's TTL monitor also deletes expired
   * records by the server's clock (about once a minute); a record is hidden as soon as this
   * clock says it expired.
   * @default systemClock
   */
  readonly clock?: Clock | undefined;
}

/** Options with every default filled in. */
export interface ResolvedMongodbOptions {
  readonly url: string | undefined;
  readonly client: MongoClient | undefined;
  readonly database: string;
  readonly affixes: DatabaseNameAffixes;
  readonly writeConcern: WriteConcernSettings | undefined;
  readonly readConcern: ReadConcernLevel | undefined;
  readonly transactionReadConcern: ReadConcernLevel;
  readonly serverSelectionTimeoutMs: number;
  readonly healthTimeoutMs: number;
  readonly clientOptions: MongoClientOptions;
  readonly vectorMetric: VectorMetric;
  readonly vectorMetrics: { readonly [collection: string]: VectorMetric };
  readonly clock: Clock;
}

/** Where the provider connects when neither `url`, `client` nor the environment says. */
export const defaultUrl = "mongodb://127.0.0.1:27017";

const vectorMetrics: ReadonlySet<string> = new Set(["cosine", "dot", "euclidean"]);

function invalid(message: string, option: string): never {
  throw new ValidationError(message, option, { source });
}

function positive(value: number | undefined, fallback: number, option: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    invalid(`${option} must be a positive number`, option);
  }
  return value;
}

function checkMetric(metric: unknown, option: string): VectorMetric {
  if (typeof metric !== "string" || !vectorMetrics.has(metric)) {
    invalid(`${option} must be "cosine", "dot" or "euclidean"`, option);
  }
  return metric as VectorMetric;
}

function resolveUrl(options: MongodbProviderOptions): string | undefined {
  if (options.client !== undefined) return undefined;
  const url = options.url ?? process.env.MONGODB_URL ?? process.env.MONGODB_URI ?? defaultUrl;
  // Never echo the URL: it may carry a password.
  if (typeof url !== "string" || !/^mongodb(\+srv)?:\/\//i.test(url)) {
    invalid("url must be a mongodb:// or mongodb+srv:// connection string", "url");
  }
  return url;
}

/**
 * Checks the options and fills in the defaults.
 * @throws ValidationError naming the offending option.
 */
export function resolveMongodbOptions(
  options: MongodbProviderOptions = {},
): ResolvedMongodbOptions {
  if (options === null || typeof options !== "object")
    invalid("Options must be an object", "options");
  if (
    options.client !== undefined &&
    (typeof options.client !== "object" || options.client === null)
  ) {
    invalid("client must be a MongoClient", "client");
  }
  const database = options.database ?? "default";
  if (typeof database !== "string" || database === "" || database.length > 1024) {
    invalid("database must be 1-1024 characters", "database");
  }
  const metrics = options.vectorMetrics ?? {};
  for (const [collection, metric] of Object.entries(metrics)) {
    checkMetric(metric, `vectorMetrics.${collection}`);
  }
  if (options.clock !== undefined && typeof options.clock !== "function") {
    invalid("clock must be a function returning epoch milliseconds", "clock");
  }
  return {
    url: resolveUrl(options),
    client: options.client,
    database,
    affixes: validateAffixes({
      prefix: options.databasePrefix ?? defaultAffixes.prefix,
      suffix: options.databaseSuffix ?? defaultAffixes.suffix,
    }),
    writeConcern: options.writeConcern,
    readConcern: options.readConcern,
    transactionReadConcern: options.transactionReadConcern ?? "snapshot",
    serverSelectionTimeoutMs: positive(
      options.serverSelectionTimeoutMs,
      5000,
      "serverSelectionTimeoutMs",
    ),
    healthTimeoutMs: positive(options.healthTimeoutMs, 2000, "healthTimeoutMs"),
    clientOptions: options.clientOptions ?? {},
    vectorMetric: checkMetric(options.vectorMetric ?? "cosine", "vectorMetric"),
    vectorMetrics: metrics,
    clock: options.clock ?? systemClock,
  };
}
