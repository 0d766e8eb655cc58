/**
 * The registry of provider factories that `configureFromEnv` uses. The core never imports a
 * provider package (that would make every backend driver a dependency of every user); instead
 * an application, or the `agentvault` package, registers the factories it has installed:
 *
 * ```ts
 * import { redisProvider } from "@agentvault/provider-redis";
 * registerProviderFactory("redis", (config) => redisProvider({ url: config.url }));
 * ```
 */

import { AgentVaultError, type AgentVaultErrorOptions, codeGuard } from "@agentvault/query";
import type { StorageProvider } from "./provider.js";

/** The backends `configureFromEnv` knows; each is also the name it registers the provider under. */
export type ProviderKind =
  | "postgres"
  | "redis"
  | "s3"
  | "qdrant"
  | "mongodb"
  | "filesystem"
  | "sqlite";

/** Every kind, in the order `configureFromEnv` registers them. */
export const providerKinds: readonly ProviderKind[] = [
  "postgres",
  "redis",
  "s3",
  "qdrant",
  "mongodb",
  "filesystem",
  "sqlite",
];

/** PostgreSQL settings from `POSTGRES_URL`, or from `POSTGRES_HOST`/`PORT`/`DB`/`USER`/`PASSWORD`. */
export interface PostgresConfig {
  readonly kind: "postgres";
  /** A connection URL: `POSTGRES_URL` as given, or one composed from the parts. */
  readonly url: string;
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  readonly database?: string | undefined;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
}

/** Redis settings from `REDIS_URL`, or from `REDIS_HOST`/`PORT`/`PASSWORD`/`DB`. */
export interface RedisConfig {
  readonly kind: "redis";
  /** A connection URL: `REDIS_URL` as given, or one composed from the parts. */
  readonly url: string;
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  readonly password?: string | undefined;
  readonly db?: number | undefined;
}

/** S3 settings from `AWS_S3_BUCKET`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `S3_ENDPOINT`. */
export interface S3Config {
  readonly kind: "s3";
  readonly bucket: string;
  readonly region?: string | undefined;
  readonly accessKeyId?: string | undefined;
  readonly secretAccessKey?: string | undefined;
  /** A custom endpoint for S3-compatible stores (MinIO, s3rver, ...). */
  readonly endpoint?: string | undefined;
}

/** Qdrant settings from `QDRANT_URL`, `QDRANT_COLLECTION` and `QDRANT_API_KEY`. */
export interface QdrantConfig {
  readonly kind: "qdrant";
  readonly url: string;
  readonly collection?: string | undefined;
  readonly apiKey?: string | undefined;
}

/** MongoDB settings from `MONGODB_URL` (or `MONGODB_URI`). */
export interface MongodbConfig {
  readonly kind: "mongodb";
  readonly url: string;
}

/** Filesystem settings from `AGENTVAULT_FS_PATH`. */
export interface FilesystemConfig {
  readonly kind: "filesystem";
  readonly basePath: string;
}

/** SQLite settings from `AGENTVAULT_SQLITE_PATH`. */
export interface SqliteConfig {
  readonly kind: "sqlite";
  readonly path: string;
}

/** The configuration type of each kind. */
export interface ProviderConfigMap {
  postgres: PostgresConfig;
  redis: RedisConfig;
  s3: S3Config;
  qdrant: QdrantConfig;
  mongodb: MongodbConfig;
  filesystem: FilesystemConfig;
  sqlite: SqliteConfig;
}

/** Any provider configuration read from the environment. */
export type ProviderConfig = ProviderConfigMap[ProviderKind];

/** Builds a provider from its configuration. */
export type ProviderFactory<K extends ProviderKind = ProviderKind> = (
  config: ProviderConfigMap[K],
) => StorageProvider | Promise<StorageProvider>;

/** A map of factories by kind, as `configureFromEnv({ factories })` takes it. */
export type ProviderFactories = { readonly [K in ProviderKind]?: ProviderFactory<K> | undefined };

const factories = new Map<ProviderKind, ProviderFactory<never>>();

function checkKind(kind: string): asserts kind is ProviderKind {
  if (!(providerKinds as readonly string[]).includes(kind)) {
    throw new TypeError(
      `[agentvault] [provider-factories] Unknown provider kind "${kind}" (known: ${providerKinds.join(", ")}).`,
    );
  }
}

/** Registers (or replaces) the factory `configureFromEnv` uses for `kind`. */
export function registerProviderFactory<K extends ProviderKind>(
  kind: K,
  factory: ProviderFactory<K>,
): void {
  checkKind(kind);
  if (typeof factory !== "function") {
    throw new TypeError("[agentvault] [provider-factories] A provider factory must be a function.");
  }
  factories.set(kind, factory as ProviderFactory<never>);
}

/** Removes the factory for `kind`; returns whether there was one. */
export function unregisterProviderFactory(kind: ProviderKind): boolean {
  return factories.delete(kind);
}

/** The registered factory for `kind`, if any. */
export function getProviderFactory<K extends ProviderKind>(
  kind: K,
): ProviderFactory<K> | undefined {
  return factories.get(kind) as ProviderFactory<K> | undefined;
}

/** The npm package that implements `kind`, for example `@agentvault/provider-redis`. */
export function providerPackageName(kind: ProviderKind): string {
  return `@agentvault/provider-${kind}`;
}

/** A feature needs an optional package that is not installed (or not registered). */
export class ProviderPackageMissingError extends AgentVaultError {
  static readonly code = "PROVIDER_PACKAGE_MISSING";
  /** The packages to install, for example `["@agentvault/provider-redis"]`. */
  readonly packages: readonly string[];
  constructor(packages: readonly string[], message: string, options: AgentVaultErrorOptions = {}) {
    super(ProviderPackageMissingError.code, message, options);
    this.packages = [...packages];
  }
  static override isInstance = codeGuard<ProviderPackageMissingError>(
    ProviderPackageMissingError.code,
  );
}
