/**
 * `openVault(url?)`: durable storage with no setup. No URL means an embedded SQLite database in
 * `./.agentvault/vault.db`; a URL picks another backend (see `url-schemes.ts`), whose package is
 * loaded only when asked for, so installing `agentvault` never pulls in a database driver you do
 * not use.
 */

import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import {
  createVault,
  memoryProvider,
  ProviderPackageMissingError,
  type StorageProvider,
  ValidationError,
  type Vault,
} from "@agentvault/core";
import { parseVaultUrl, type VaultTarget } from "./url-schemes.js";

/** Options for `openVault`. */
export interface OpenVaultOptions {
  /**
   * The database inside the backend: one isolated scope (SQLite file, PostgreSQL schema, Redis
   * key prefix, MongoDB database, ...). For the hosted server the API key decides instead.
   * @default "default"
   */
  readonly database?: string | undefined;
  /** API key for `http(s)://` URLs (the hosted server). @default process.env.AGENTVAULT_API_KEY */
  readonly apiKey?: string | undefined;
  /** Extra options for the provider factory (pool sizes, timeouts, ...), over those from the URL. */
  readonly providerOptions?: Readonly<Record<string, unknown>> | undefined;
  /** The folder relative paths are resolved against. @default process.cwd() */
  readonly cwd?: string | undefined;
}

const source = "agentvault";

function isModuleNotFound(error: unknown, specifier: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") &&
    typeof message === "string" &&
    message.includes(specifier)
  );
}

/**
 * Loads an optional package. The specifier is a variable on purpose: bundlers and TypeScript
 * then do not require optional peers to be installed.
 */
async function importPackage(target: VaultTarget): Promise<Record<string, unknown>> {
  const specifier = target.packageName;
  try {
    return (await import(/* @vite-ignore */ specifier)) as Record<string, unknown>;
  } catch (error) {
    // Only the package itself being absent is "not installed"; a broken install surfaces as is.
    if (!isModuleNotFound(error, specifier)) throw error;
    throw new ProviderPackageMissingError(
      [specifier],
      `${target.scheme}// storage needs the package ${specifier}, which is not installed. Install it next to agentvault: pnpm add ${specifier} (or npm install ${specifier}).`,
      { source, cause: error },
    );
  }
}

/**
 * Loads the factory a target names (the core's `memoryProvider` for `memory:`).
 * @internal exported for tests
 */
export async function loadVaultFactory(target: VaultTarget): Promise<(options: object) => unknown> {
  const module: Record<string, unknown> =
    target.packageName === "@agentvault/core" ? { memoryProvider } : await importPackage(target);
  const factory = module[target.exportName];
  if (typeof factory !== "function") {
    throw new ValidationError(
      `${target.packageName} does not export ${target.exportName}; install a version matching agentvault`,
      "url",
      { source },
    );
  }
  return factory as (options: object) => unknown;
}

/**
 * Opens a vault.
 *
 * | URL | backend |
 * |---|---|
 * | (none) | SQLite in `./.agentvault/vault.db` |
 * | `sqlite:./data/vault.db`, `sqlite:///abs/vault.db` | SQLite file |
 * | `file:./data` | one JSON file per record |
 * | `memory:` | in-process, lost on exit |
 * | `postgres://…`, `redis://…`, `mongodb://…`, `s3://bucket/prefix`, `qdrant://host:6333` | the matching `@agentvault/provider-*` package |
 * | `https://…` | the hosted server, through `@agentvault/client` |
 *
 * @throws ProviderPackageMissingError naming the package to install when the URL's package is absent.
 * @throws ValidationError for an unknown scheme or a malformed URL.
 * @example
 * import { openVault } from "agentvault";
 * const vault = await openVault();
 * const key = await vault.store("notes", { text: "Remember to back up weekly" });
 */
export async function openVault(url?: string, options: OpenVaultOptions = {}): Promise<Vault> {
  const target = parseVaultUrl(url, options.cwd ?? process.cwd());
  const database = options.database ?? "default";
  const factory = await loadVaultFactory(target);
  if (target.returns === "vault") {
    const apiKey = options.apiKey ?? process.env.AGENTVAULT_API_KEY;
    return (await factory({ ...target.options, apiKey, ...options.providerOptions })) as Vault;
  }
  const path = target.options.path;
  if (typeof path === "string" && path !== ":memory:") {
    await mkdir(dirname(path), { recursive: true });
  }
  const provider = (await factory({
    ...target.options,
    ...options.providerOptions,
  })) as StorageProvider;
  try {
    const scoped = provider.database === database ? provider : provider.withDatabase(database);
    return createVault({ provider: scoped });
  } catch (error) {
    await provider.close();
    throw error;
  }
}
