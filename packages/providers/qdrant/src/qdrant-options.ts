/**
 * The options of `qdrantProvider`, their defaults and checks.
 */

import { type Clock, systemClock, ValidationError, type VectorMetric } from "@agentvault/core";
import type { QdrantClient } from "@qdrant/js-client-rest";
import { source } from "./qdrant-errors.js";
import type { PayloadIndexType } from "./qdrant-index-specs.js";
import { checkPrefix } from "./qdrant-names.js";

/** Options of `qdrantProvider`. Connection settings apply only when `client` is absent. */
export interface QdrantProviderOptions {
  /** The Qdrant REST endpoint. @default process.env.QDRANT_URL ?? "http://127.0.0.1:6333" */
  readonly url?: string | undefined;
  /** API key sent with every request. @default process.env.QDRANT_API_KEY */
  readonly apiKey?: string | undefined;
  /** An existing client to use instead of creating one (its own settings apply). */
  readonly client?: QdrantClient | undefined;
  /** The AgentVault database (tenant) this instance is bound to. @default "default" */
  readonly database?: string | undefined;
  /**
   * First part of every Qdrant collection name (`<prefix>--<database>--<collection>`): letters,
   * digits and `_`. @default "agentvault"
   */
  readonly collectionPrefix?: string | undefined;
  /** Metric of collections without an entry in `vectorMetrics`. @default "cosine" */
  readonly vectorMetric?: VectorMetric | undefined;
  /** Per-collection metrics, for example `{ images: "euclidean" }`. @default {} */
  readonly vectorMetrics?: { readonly [collection: string]: VectorMetric } | undefined;
  /**
   * Vector dimensions by collection. A Qdrant collection fixes its vector size when it is
   * created, which happens at its first write: without an entry here, the first vector written
   * decides, and a collection whose first records carry no vector is created without one (it
   * then refuses vectors). @default {}
   */
  readonly dimensions?: { readonly [collection: string]: number } | undefined;
  /**
   * Payload index types by record-view path, for `ensureIndexes` (Qdrant types each payload
   * index), for example `{ "value.price": "float" }`. Other paths get `keyword`. @default {}
   */
  readonly payloadIndexTypes?: { readonly [path: string]: PayloadIndexType } | undefined;
  /**
   * Ask Qdrant for exact (brute-force) search instead of its HNSW index. Results are re-ranked
   * exactly either way; this only decides which candidates come back. @default false
   */
  readonly exactSearch?: boolean | undefined;
  /** Request timeout in milliseconds (a client created here). @default 10000 */
  readonly timeoutMs?: number | undefined;
  /** Points read per scroll page. @default 256 */
  readonly pageSize?: number | undefined;
  /** Attempts of an optimistic read-modify-write before giving up. @default 50 */
  readonly updateAttempts?: number | undefined;
  /** The clock deciding expiry and timestamps; tests pass a fake one. @default systemClock */
  readonly clock?: Clock | undefined;
}

/** Options with defaults filled in (the client is created separately). */
export interface ResolvedQdrantOptions {
  readonly url: string;
  readonly apiKey: string | undefined;
  readonly database: string;
  readonly prefix: string;
  readonly vectorMetric: VectorMetric;
  readonly vectorMetrics: { readonly [collection: string]: VectorMetric };
  readonly dimensions: { readonly [collection: string]: number };
  readonly payloadIndexTypes: { readonly [path: string]: PayloadIndexType };
  readonly exactSearch: boolean;
  readonly timeoutMs: number;
  readonly pageSize: number;
  readonly updateAttempts: number;
  readonly clock: Clock;
}

const metrics: readonly VectorMetric[] = ["cosine", "dot", "euclidean"];

function positiveInteger(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw new ValidationError(`${name} must be a positive integer`, name, { source });
  }
  return value;
}

function checkMetric(metric: unknown, name: string): VectorMetric {
  if (!metrics.includes(metric as VectorMetric)) {
    throw new ValidationError(`${name} must be "cosine", "dot" or "euclidean"`, name, { source });
  }
  return metric as VectorMetric;
}

/** Checks the options and fills in the defaults. */
export function resolveQdrantOptions(
  options: QdrantProviderOptions,
  environment: { readonly [name: string]: string | undefined } = process.env,
): ResolvedQdrantOptions {
  if (options === null || typeof options !== "object") {
    throw new ValidationError("qdrantProvider needs an options object", "options", { source });
  }
  const database = options.database ?? "default";
  if (typeof database !== "string" || database === "") {
    throw new ValidationError("A database name must be a non-empty string", "database", { source });
  }
  const url = options.url ?? environment.QDRANT_URL ?? "http://127.0.0.1:6333";
  try {
    new URL(url);
  } catch (error) {
    throw new ValidationError("url must be an http(s) URL", "url", { source, cause: error });
  }
  const vectorMetrics = options.vectorMetrics ?? {};
  for (const [collection, metric] of Object.entries(vectorMetrics)) {
    checkMetric(metric, `vectorMetrics.${collection}`);
  }
  const dimensions = options.dimensions ?? {};
  for (const [collection, dimension] of Object.entries(dimensions)) {
    positiveInteger(dimension, `dimensions.${collection}`, 1);
  }
  return {
    url,
    apiKey: options.apiKey ?? environment.QDRANT_API_KEY,
    database,
    prefix: checkPrefix(options.collectionPrefix ?? "agentvault"),
    vectorMetric: checkMetric(options.vectorMetric ?? "cosine", "vectorMetric"),
    vectorMetrics,
    dimensions,
    payloadIndexTypes: options.payloadIndexTypes ?? {},
    exactSearch: options.exactSearch === true,
    timeoutMs: positiveInteger(options.timeoutMs, "timeoutMs", 10_000),
    pageSize: positiveInteger(options.pageSize, "pageSize", 256),
    updateAttempts: positiveInteger(options.updateAttempts, "updateAttempts", 50),
    clock: options.clock ?? systemClock,
  };
}

/** The Qdrant distance name of a metric. */
export function qdrantDistance(metric: VectorMetric): "Cosine" | "Dot" | "Euclid" {
  return metric === "cosine" ? "Cosine" : metric === "dot" ? "Dot" : "Euclid";
}
