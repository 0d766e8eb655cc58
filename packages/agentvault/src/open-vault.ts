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
  type EmbeddedVault,
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
 * Loads the factory a target (from `parseVaultUrl`) names: the core's `memoryProvider` for
 * `memory:`, otherwise the named export of the target's package, imported on first use.
 *
 * @throws ProviderPackageMissingError naming the package to install when it is absent.
 * @throws ValidationError when the package does not export the factory (a version mismatch).
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
 * The URL schemes whose `openVault` result runs in this process over a storage provider (an
 * `EmbeddedVault`, with `vault.on("operation", ...)`); `http:` and `https:` reach the hosted
 * server instead.
 */
export const embeddedUrlSchemes = [
  "sqlite:",
  "file:",
  "memory:",
  "postgres:",
  "postgresql:",
  "redis:",
  "rediss:",
  "mongodb:",
  "mongodb+srv:",
  "s3:",
  "qdrant:",
  "qdrants:",
] as const;

/**
 * A storage URL `openVault` opens in this process, as a type: it starts with one of
 * `embeddedUrlSchemes` (lower case), so a literal such as `"sqlite:./vault.db"` types
 * `openVault`'s result as an `EmbeddedVault`.
 */
export type EmbeddedVaultUrl = `${(typeof embeddedUrlSchemes)[number]}${string}`;

/** Options for `openProvider`. */
export type OpenProviderOptions = Pick<OpenVaultOptions, "providerOptions" | "cwd">;

/**
 * Opens the storage provider a URL names, bound to the provider's own database (pick others with
 * `withDatabase`). For the tools that work below the vault: `migrate`, `reencrypt`, `encrypted`,
 * `cached`. Creates the folder of a SQLite file. Close it when done.
 *
 * @throws ValidationError for an unknown scheme, a malformed URL, or an `http(s):` URL (a server
 *   is not a storage backend).
 * @throws ProviderPackageMissingError naming the package to install when the URL's package is absent.
 * @example
 * const from = await openProvider("sqlite:./data/vault.db");
 * const to = await openProvider(process.env.POSTGRES_URL);
 * await migrate({ from, to, databases: ["default"] });
 */
export async function openProvider(
  url?: string,
  options: OpenProviderOptions = {},
): Promise<StorageProvider> {
  return openTargetProvider(parseVaultUrl(url, options.cwd ?? process.cwd()), options);
}

async function openTargetProvider(
  target: VaultTarget,
  options: OpenProviderOptions,
): Promise<StorageProvider> {
  if (target.returns !== "provider") {
    throw new ValidationError(
      `${target.scheme} URLs name a hosted server, not a storage backend; use openVault for them`,
      "url",
      { source },
    );
  }
  const factory = await loadVaultFactory(target);
  const path = target.options.path;
  if (typeof path === "string" && path !== ":memory:") {
    await mkdir(dirname(path), { recursive: true });
  }
  return (await factory({ ...target.options, ...options.providerOptions })) as StorageProvider;
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
 * With no URL or a storage URL literal (`EmbeddedVaultUrl`), the result is typed as an
 * `EmbeddedVault`, so `vault.on("operation", listener)` type-checks; any other `string` (an
 * environment variable, say) gives a `Vault`: narrow it with `isEmbeddedVault` from
 * `@agentvault/core`.
 *
 * @throws ProviderPackageMissingError naming the package to install when the URL's package is absent.
 * @throws ValidationError for an unknown scheme or a malformed URL.
 * @example
 * import { openVault } from "agentvault";
 * const vault = await openVault();
 * const key = await vault.store("notes", { text: "Remember to back up weekly" });
 */
export async function openVault(
  url?: EmbeddedVaultUrl,
  options?: OpenVaultOptions,
): Promise<EmbeddedVault>;
export async function openVault(url?: string, options?: OpenVaultOptions): Promise<Vault>;
export async function openVault(url?: string, options: OpenVaultOptions = {}): Promise<Vault> {
  const target = parseVaultUrl(url, options.cwd ?? process.cwd());
  const database = options.database ?? "default";
  if (target.returns === "vault") {
    const factory = await loadVaultFactory(target);
    const apiKey = options.apiKey ?? process.env.AGENTVAULT_API_KEY;
    return (await factory({ ...target.options, apiKey, ...options.providerOptions })) as Vault;
  }
  const provider = await openTargetProvider(target, options);
  try {
    const scoped = provider.database === database ? provider : provider.withDatabase(database);
    return createVault({ provider: scoped });
  } catch (error) {
    await provider.close();
    throw error;
  }
}
