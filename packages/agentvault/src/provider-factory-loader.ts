/**
 * Provider factories for `configureFromEnv`, built from whichever provider packages are
 * installed. The core keeps no dependency on any provider; `agentvault` knows each package's
 * options and maps the configuration read from the environment onto them.
 */

import {
  type ConfigureFromEnvOptions,
  getDataManager,
  type ProviderConfigMap,
  type ProviderFactories,
  type ProviderKind,
  providerKinds,
  providerPackageName,
  type StorageProvider,
} from "@agentvault/core";

type OptionsFor<K extends ProviderKind> = (config: ProviderConfigMap[K]) => object;

/** Each kind's factory export and how an environment configuration becomes its options. */
const adapters: { readonly [K in ProviderKind]: { exportName: string; options: OptionsFor<K> } } = {
  // The URL composed from POSTGRES_HOST/PORT/DB/USER/PASSWORD carries every part, escaped.
  postgres: {
    exportName: "postgresProvider",
    options: (config) => ({ connectionString: config.url }),
  },
  redis: { exportName: "redisProvider", options: (config) => ({ url: config.url }) },
  s3: {
    exportName: "s3Provider",
    options: (config) => ({
      bucket: config.bucket,
      region: config.region,
      endpoint: config.endpoint,
      // S3-compatible servers reached through an endpoint mostly address buckets by path.
      forcePathStyle: config.endpoint !== undefined,
      credentials:
        config.accessKeyId !== undefined && config.secretAccessKey !== undefined
          ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }
          : undefined,
    }),
  },
  qdrant: {
    exportName: "qdrantProvider",
    options: (config) => ({ url: config.url, apiKey: config.apiKey }),
  },
  mongodb: { exportName: "mongodbProvider", options: (config) => ({ url: config.url }) },
  filesystem: {
    exportName: "filesystemProvider",
    options: (config) => ({ basePath: config.basePath }),
  },
  sqlite: { exportName: "sqliteProvider", options: (config) => ({ path: config.path }) },
};

function isModuleNotFound(error: unknown, specifier: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    code === "ERR_MODULE_NOT_FOUND" && typeof message === "string" && message.includes(specifier)
  );
}

/**
 * Factories for every provider package that is installed, keyed by kind. Absent packages are
 * simply missing from the result (so `configureFromEnv` names them); a package that is present
 * but fails to load throws.
 *
 * @param kinds The kinds to look for. @default every kind
 */
export async function loadProviderFactories(
  kinds: readonly ProviderKind[] = providerKinds,
): Promise<ProviderFactories> {
  const factories: Partial<Record<ProviderKind, unknown>> = {};
  await Promise.all(
    kinds.map(async (kind) => {
      const specifier = providerPackageName(kind);
      let module: Record<string, unknown>;
      try {
        module = (await import(/* @vite-ignore */ specifier)) as Record<string, unknown>;
      } catch (error) {
        if (isModuleNotFound(error, specifier)) return;
        throw error;
      }
      const adapter = adapters[kind] as { exportName: string; options: OptionsFor<typeof kind> };
      const create = module[adapter.exportName];
      if (typeof create !== "function") return;
      factories[kind] = (config: ProviderConfigMap[typeof kind]) =>
        create(adapter.options(config)) as StorageProvider | Promise<StorageProvider>;
    }),
  );
  return factories as ProviderFactories;
}

/**
 * Registers on the shared data manager (`getDataManager()`) a provider for every backend the
 * environment configures (POSTGRES_*, REDIS_*, AWS_* / S3, QDRANT_*, MONGODB_URL,
 * AGENTVAULT_FS_PATH, AGENTVAULT_SQLITE_PATH), with the installed provider packages. Returns the
 * names it registered.
 *
 * @example
 * // POSTGRES_URL=postgres://app@db/agents REDIS_URL=redis://cache:6379
 * await configureDataManagerFromEnv(); // ["postgres", "redis"]
 * await getDataManager().store({ user: "alice" }, { provider: "postgres" });
 */
export async function configureDataManagerFromEnv(
  options: ConfigureFromEnvOptions = {},
): Promise<string[]> {
  const installed = await loadProviderFactories();
  return getDataManager().configureFromEnv({
    ...options,
    factories: { ...installed, ...options.factories },
  });
}
