/**
 * Options of `s3Provider`, and the state an instance shares with its `withDatabase` siblings:
 * the client (created on first use unless one was passed in), and the provider-wide settings.
 */

import {
  createScanProviderRoot,
  type ScanProviderOptions,
  type ScanProviderRoot,
  ValidationError,
} from "@agentvault/core";
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { ObjectTextCache } from "./s3-object-cache.js";

/** Options for `s3Provider`. */
export interface S3ProviderOptions extends ScanProviderOptions {
  /** The bucket holding the records. It must exist. */
  readonly bucket: string;
  /** A key prefix under which everything is stored, for example `agents/prod`. @default "" */
  readonly prefix?: string | undefined;
  /** The database this instance is bound to: a prefix segment. @default "default" */
  readonly database?: string | undefined;
  /** The region. @default process.env.AWS_REGION, else "us-east-1" */
  readonly region?: string | undefined;
  /** An S3-compatible endpoint (MinIO, R2, Ceph, s3rver...), for example `http://localhost:9000`. */
  readonly endpoint?: string | undefined;
  /** Address buckets as `endpoint/bucket` instead of `bucket.endpoint` (most S3-compatible servers). @default false */
  readonly forcePathStyle?: boolean | undefined;
  /** Static credentials; the AWS default chain (environment, profile, instance role) when absent. */
  readonly credentials?: S3ClientConfig["credentials"];
  /**
   * An existing client to use instead of creating one; `region`, `endpoint`, `forcePathStyle`,
   * `credentials` and `timeoutMs` are then ignored, and `close()` leaves the client open.
   */
  readonly client?: S3Client | undefined;
  /**
   * Send `If-Match` / `If-None-Match` with writes, so updates are atomic across processes
   * (retried when another writer got there first). Supported by AWS S3 and most current
   * S3-compatible servers; turn it off for servers that reject these headers. Within one process
   * updates are atomic either way.
   * @default true
   */
  readonly conditionalWrites?: boolean | undefined;
  /** Objects read at once during scans and `getMany`. @default 16 */
  readonly concurrency?: number | undefined;
  /**
   * Memory for caching object texts by ETag, so scans fetch only objects that changed since
   * the last one (a list request still runs every time). 0 disables the cache.
   * @default 67108864 (64 MiB)
   */
  readonly cacheBytes?: number | undefined;
  /** Connection and idle-socket timeout of each request, in milliseconds. @default 10000 */
  readonly timeoutMs?: number | undefined;
}

/** The state shared by a provider and its siblings. */
export interface S3Root extends ScanProviderRoot {
  readonly bucket: string;
  /** `""` or the prefix with one trailing `/`. */
  readonly basePrefix: string;
  readonly conditionalWrites: boolean;
  readonly concurrency: number;
  /** The client, created on first use. */
  client(): S3Client;
  /** Destroys the client if this provider created it. */
  destroyClient(): void;
  /** Object texts by ETag, shared by siblings. */
  readonly cache: ObjectTextCache;
  /** Hashed collection prefixes whose `~name` marker this process has written. */
  readonly markers: Set<string>;
}

const source = "s3";
/** Longest accepted prefix, so that prefix + three encoded names stay under S3's 1,024 bytes. */
const maxPrefixBytes = 300;

function positiveInteger(value: number | undefined, fallback: number, option: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ValidationError(`${option} must be a positive integer`, option, { source });
  }
  return value;
}

function cacheBytes(value: number | undefined): number {
  if (value === undefined) return 64 * 1024 * 1024;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError("cacheBytes must be a non-negative integer", "cacheBytes", {
      source,
    });
  }
  return value;
}

function normalisePrefix(prefix: string | undefined): string {
  if (prefix === undefined || prefix === "") return "";
  if (typeof prefix !== "string" || /[\p{Cc}]/u.test(prefix)) {
    throw new ValidationError("prefix must be a string without control characters", "prefix", {
      source,
    });
  }
  const trimmed = prefix.replace(/^\/+|\/+$/g, "");
  if (Buffer.byteLength(trimmed) > maxPrefixBytes) {
    throw new ValidationError(`prefix must be at most ${maxPrefixBytes} bytes`, "prefix", {
      source,
    });
  }
  return trimmed === "" ? "" : `${trimmed}/`;
}

/** Checks the options and builds the shared state. No request is made. */
export function createS3Root(options: S3ProviderOptions): S3Root {
  if (options === null || typeof options !== "object") {
    throw new ValidationError("Options are required", "options", { source });
  }
  if (typeof options.bucket !== "string" || options.bucket === "") {
    throw new ValidationError('Missing required option "bucket"', "bucket", { source });
  }
  const timeoutMs = positiveInteger(options.timeoutMs, 10_000, "timeoutMs");
  let client = options.client;
  return {
    ...createScanProviderRoot(options),
    bucket: options.bucket,
    basePrefix: normalisePrefix(options.prefix),
    conditionalWrites: options.conditionalWrites ?? true,
    concurrency: positiveInteger(options.concurrency, 16, "concurrency"),
    client() {
      client ??= new S3Client({
        region: options.region ?? process.env.AWS_REGION ?? "us-east-1",
        endpoint: options.endpoint,
        forcePathStyle: options.forcePathStyle ?? false,
        credentials: options.credentials,
        requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
      });
      return client;
    },
    destroyClient() {
      if (options.client === undefined) client?.destroy();
    },
    markers: new Set(),
    cache: new ObjectTextCache(cacheBytes(options.cacheBytes)),
  };
}
