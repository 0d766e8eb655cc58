/**
 * Zero-code provider setup from environment variables (the variables Praval users already
 * set). `readProviderEnv` is the pure part: it turns variables into one configuration per
 * backend. `configureFromEnv` builds providers with the registered factories and registers them
 * on a data manager under conventional names.
 *
 * Secrets (passwords, secret keys, API keys, URLs that may embed credentials) are never put in
 * an error message: errors name the variable, not its value.
 */

import { ValidationError } from "./errors.js";
import type { StorageProvider } from "./provider.js";
import {
  getProviderFactory,
  type ProviderConfig,
  type ProviderFactories,
  type ProviderFactory,
  type ProviderKind,
  ProviderPackageMissingError,
  providerPackageName,
} from "./provider-factories.js";

/** Environment variables, like `process.env`. */
export type Environment = { readonly [name: string]: string | undefined };

const source = "configure-from-env";

/** A variable's value, with empty strings read as unset (as shells often leave them). */
function read(env: Environment, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function readInteger(env: Environment, name: string, range: [number, number]): number | undefined {
  const text = read(env, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < range[0] || value > range[1]) {
    throw new ValidationError(`${name} must be an integer from ${range[0]} to ${range[1]}`, name, {
      source,
    });
  }
  return value;
}

function readUrl(env: Environment, name: string, protocols: readonly string[]): string | undefined {
  const text = read(env, name);
  if (text === undefined) return undefined;
  let protocol: string;
  try {
    protocol = new URL(text).protocol;
  } catch {
    // The value is not echoed: connection URLs carry passwords.
    throw new ValidationError(`${name} is not a valid URL`, name, { source });
  }
  if (!protocols.includes(protocol)) {
    throw new ValidationError(
      `${name} must use one of the schemes ${protocols.map((entry) => `${entry}//`).join(", ")}`,
      name,
      { source },
    );
  }
  return text;
}

/** `user:password@` with both parts percent-encoded, or nothing. */
function credentials(user: string | undefined, password: string | undefined): string {
  if (user === undefined && password === undefined) return "";
  const encodedUser = user === undefined ? "" : encodeURIComponent(user);
  const encodedPassword = password === undefined ? "" : `:${encodeURIComponent(password)}`;
  return `${encodedUser}${encodedPassword}@`;
}

function hostPort(host: string, port: number | undefined): string {
  const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return port === undefined ? bracketed : `${bracketed}:${port}`;
}

function readPostgres(env: Environment): ProviderConfig | undefined {
  const url = readUrl(env, "POSTGRES_URL", ["postgres:", "postgresql:"]);
  if (url !== undefined) return { kind: "postgres", url };
  const host = read(env, "POSTGRES_HOST");
  if (host === undefined) return undefined;
  const port = readInteger(env, "POSTGRES_PORT", [1, 65535]);
  const database = read(env, "POSTGRES_DB");
  const user = read(env, "POSTGRES_USER");
  const password = env.POSTGRES_PASSWORD === "" ? undefined : env.POSTGRES_PASSWORD;
  const path = database === undefined ? "" : `/${encodeURIComponent(database)}`;
  return {
    kind: "postgres",
    url: `postgresql://${credentials(user, password)}${hostPort(host, port)}${path}`,
    host,
    port,
    database,
    user,
    password,
  };
}

function readRedis(env: Environment): ProviderConfig | undefined {
  const url = readUrl(env, "REDIS_URL", ["redis:", "rediss:"]);
  if (url !== undefined) return { kind: "redis", url };
  const host = read(env, "REDIS_HOST");
  if (host === undefined) return undefined;
  const port = readInteger(env, "REDIS_PORT", [1, 65535]);
  const db = readInteger(env, "REDIS_DB", [0, 1_000_000]);
  const password = env.REDIS_PASSWORD === "" ? undefined : env.REDIS_PASSWORD;
  const path = db === undefined ? "" : `/${db}`;
  return {
    kind: "redis",
    url: `redis://${credentials(undefined, password)}${hostPort(host, port)}${path}`,
    host,
    port,
    password,
    db,
  };
}

function readS3(env: Environment): ProviderConfig | undefined {
  // Credentials alone are common in cloud environments for other reasons: a bucket is what
  // says "use S3 for storage".
  const bucket = read(env, "AWS_S3_BUCKET") ?? read(env, "S3_BUCKET");
  if (bucket === undefined) return undefined;
  return {
    kind: "s3",
    bucket,
    region: read(env, "AWS_REGION") ?? read(env, "AWS_DEFAULT_REGION"),
    accessKeyId: read(env, "AWS_ACCESS_KEY_ID"),
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY === "" ? undefined : env.AWS_SECRET_ACCESS_KEY,
    endpoint: readUrl(env, "S3_ENDPOINT", ["http:", "https:"]),
  };
}

function readQdrant(env: Environment): ProviderConfig | undefined {
  const url = readUrl(env, "QDRANT_URL", ["http:", "https:"]);
  if (url === undefined) return undefined;
  return {
    kind: "qdrant",
    url,
    collection: read(env, "QDRANT_COLLECTION"),
    apiKey: env.QDRANT_API_KEY === "" ? undefined : env.QDRANT_API_KEY,
  };
}

function readMongodb(env: Environment): ProviderConfig | undefined {
  const protocols = ["mongodb:", "mongodb+srv:"];
  const url = readUrl(env, "MONGODB_URL", protocols) ?? readUrl(env, "MONGODB_URI", protocols);
  return url === undefined ? undefined : { kind: "mongodb", url };
}

/**
 * Reads provider configurations from environment variables: one per backend whose variables
 * are present, in the order postgres, redis, s3, qdrant, mongodb, filesystem, sqlite. Pure: no
 * connection is made and nothing is printed. Throws `ValidationError` naming the variable (never
 * its value) when one is malformed.
 *
 * @param env The variables. @default process.env
 */
export function readProviderEnv(env: Environment = process.env): ProviderConfig[] {
  const configs: (ProviderConfig | undefined)[] = [
    readPostgres(env),
    readRedis(env),
    readS3(env),
    readQdrant(env),
    readMongodb(env),
  ];
  const basePath = read(env, "AGENTVAULT_FS_PATH");
  if (basePath !== undefined) configs.push({ kind: "filesystem", basePath });
  const path = read(env, "AGENTVAULT_SQLITE_PATH");
  if (path !== undefined) configs.push({ kind: "sqlite", path });
  return configs.filter((config): config is ProviderConfig => config !== undefined);
}

const secretFields = new Set(["password", "secretAccessKey", "apiKey"]);

/**
 * A copy of `config` safe to log: secret fields become `"***"` and passwords inside URLs are
 * masked.
 */
export function redactProviderConfig(config: ProviderConfig): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(config)) {
    if (value === undefined) continue;
    if (secretFields.has(field)) copy[field] = "***";
    else if (field === "url" && typeof value === "string") copy[field] = redactUrl(value);
    else copy[field] = value;
  }
  return copy;
}

function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password !== "") url.password = "***";
    return url.toString();
  } catch {
    return "***";
  }
}

/** Where `configureFromEnv` registers providers: a data manager. */
export interface ProviderRegistry {
  registerProvider(name: string, provider: StorageProvider): void;
  providers(): string[];
}

/** Options for `configureFromEnv`. */
export interface ConfigureFromEnvOptions {
  /** The variables to read. @default process.env */
  readonly env?: Environment | undefined;
  /** Factories to use instead of (or besides) the ones from `registerProviderFactory`. */
  readonly factories?: ProviderFactories | undefined;
  /**
   * Skip backends whose variables are set but whose factory is not registered, instead of
   * throwing `ProviderPackageMissingError`.
   * @default false
   */
  readonly skipMissing?: boolean | undefined;
}

/**
 * Builds a provider for every backend configured in the environment and registers it on
 * `registry` under its kind (`postgres`, `redis`, `s3`, `qdrant`, `mongodb`, `filesystem`,
 * `sqlite`). Names already registered are left alone. All or nothing: when a factory fails,
 * the providers built so far are closed and nothing is registered. Returns the names it
 * registered.
 */
export async function configureFromEnv(
  registry: ProviderRegistry,
  options: ConfigureFromEnvOptions = {},
): Promise<string[]> {
  const registered = new Set(registry.providers());
  const configs = readProviderEnv(options.env ?? process.env).filter(
    (config) => !registered.has(config.kind),
  );
  const planned: [ProviderConfig, ProviderFactory<ProviderKind>][] = [];
  const missing: ProviderKind[] = [];
  for (const config of configs) {
    const factory = (options.factories?.[config.kind] ?? getProviderFactory(config.kind)) as
      | ProviderFactory<ProviderKind>
      | undefined;
    if (factory === undefined) missing.push(config.kind);
    else planned.push([config, factory]);
  }
  if (missing.length > 0 && options.skipMissing !== true) {
    const packages = missing.map(providerPackageName);
    const details = missing
      .map(
        (kind) =>
          `${kind}: install ${providerPackageName(kind)} and call registerProviderFactory("${kind}", ...)`,
      )
      .join("; ");
    throw new ProviderPackageMissingError(
      packages,
      `Environment variables configure ${missing.join(", ")} but no provider factory is registered (${details}), or pass { skipMissing: true }.`,
      { source },
    );
  }
  const built: [string, StorageProvider][] = [];
  try {
    for (const [config, factory] of planned) {
      built.push([config.kind, await factory(config as never)]);
    }
  } catch (error) {
    await Promise.allSettled(built.map(([, provider]) => provider.close()));
    throw error;
  }
  for (const [name, provider] of built) registry.registerProvider(name, provider);
  return built.map(([name]) => name);
}
