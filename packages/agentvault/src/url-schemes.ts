/**
 * Which backend a storage URL names: the scheme -> package table of `openVault`, and the pure
 * parsing of each URL form into the options of the package's factory. No package is loaded
 * here, so the table is testable without any provider installed.
 */

import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ValidationError } from "@agentvault/core";

/** Where `openVault()` keeps data when given no URL, relative to the working directory. */
export const defaultVaultPath = ".agentvault/vault.db";

/** One row of the scheme table. */
export interface UrlScheme {
  /** URL schemes with their colon, for example `["redis:", "rediss:"]`. */
  readonly schemes: readonly string[];
  /** The package to load. */
  readonly packageName: string;
  /** The factory the package exports. */
  readonly exportName: string;
  /** `provider`: the factory returns a `StorageProvider`; `vault`: it returns a `Vault`. */
  readonly returns: "provider" | "vault";
  /** Whether the package ships with `agentvault` (otherwise it is an optional peer). */
  readonly bundled: boolean;
}

/** The scheme table, in the order the README documents it. */
export const urlSchemes: readonly UrlScheme[] = [
  row(["sqlite:"], "@agentvault/provider-sqlite", "sqliteProvider", "provider", true),
  row(["file:"], "@agentvault/provider-filesystem", "filesystemProvider", "provider", true),
  row(["memory:"], "@agentvault/core", "memoryProvider", "provider", true),
  row(["postgres:", "postgresql:"], "@agentvault/provider-postgres", "postgresProvider"),
  row(["redis:", "rediss:"], "@agentvault/provider-redis", "redisProvider"),
  row(["mongodb:", "mongodb+srv:"], "@agentvault/provider-mongodb", "mongodbProvider"),
  row(["s3:"], "@agentvault/provider-s3", "s3Provider"),
  row(["qdrant:", "qdrants:"], "@agentvault/provider-qdrant", "qdrantProvider"),
  row(["http:", "https:"], "@agentvault/client", "createVaultClient", "vault"),
];

function row(
  schemes: string[],
  packageName: string,
  exportName: string,
  returns: "provider" | "vault" = "provider",
  bundled = false,
): UrlScheme {
  return { schemes, packageName, exportName, returns, bundled };
}

/** What a URL resolves to: the table row and the options for its factory. */
export interface VaultTarget extends UrlScheme {
  /** The URL's scheme, with its colon. */
  readonly scheme: string;
  /** The options object passed to the factory. */
  readonly options: Readonly<Record<string, unknown>>;
}

const source = "agentvault";

function invalid(message: string): never {
  // Never echo the URL: it may carry a password.
  throw new ValidationError(message, "url", { source });
}

/** `sqlite:relative`, `sqlite:/abs`, `sqlite:///abs` (percent-decoded), `sqlite::memory:`. */
function sqlitePath(rest: string, cwd: string): string {
  if (rest.startsWith("///")) return decodePath(rest.slice(2));
  if (rest.startsWith("//")) {
    invalid("sqlite URLs have no host: use sqlite:relative/path.db or sqlite:///absolute/path.db");
  }
  if (rest === "") invalid("A sqlite URL needs a path, for example sqlite:./data/vault.db");
  return rest === ":memory:" ? rest : resolve(cwd, rest);
}

/** `file:relative/dir`, `file:/abs/dir`, `file:///abs/dir` (as `pathToFileURL` writes it). */
function filesystemPath(url: string, rest: string, cwd: string): string {
  if (rest.startsWith("//")) {
    try {
      return fileURLToPath(url);
    } catch (error) {
      throw new ValidationError("file URLs need a local absolute path: file:///dir", "url", {
        source,
        cause: error,
      });
    }
  }
  if (rest === "") invalid("A file URL needs a folder, for example file:./data");
  return resolve(cwd, rest);
}

function decodePath(path: string): string {
  try {
    const decoded = decodeURIComponent(path);
    // `sqlite:///C:/data/x.db` on Windows: drop the slash before the drive letter.
    return /^\/[A-Za-z]:[/\\]/.test(decoded) && isAbsolute(decoded.slice(1))
      ? decoded.slice(1)
      : decoded;
  } catch (error) {
    throw new ValidationError("The URL's path has a malformed %-escape", "url", {
      source,
      cause: error,
    });
  }
}

function parseStandardUrl(url: string, scheme: string): URL {
  try {
    return new URL(url);
  } catch (error) {
    throw new ValidationError(`Not a valid ${scheme}// URL`, "url", { source, cause: error });
  }
}

/** `s3://bucket/optional/prefix?region=...&endpoint=...&forcePathStyle=true`. */
function s3Options(url: URL): Record<string, unknown> {
  if (url.hostname === "") invalid("An s3 URL names the bucket: s3://bucket/optional/prefix");
  const options: Record<string, unknown> = { bucket: url.hostname };
  const prefix = decodePath(url.pathname).replace(/^\/+|\/+$/g, "");
  if (prefix !== "") options.prefix = prefix;
  for (const [name, value] of url.searchParams) {
    if (name === "region" || name === "endpoint") options[name] = value;
    else if (name === "forcePathStyle" && (value === "true" || value === "false")) {
      options[name] = value === "true";
    } else {
      invalid(
        `Unknown s3 URL parameter "${name}" (known: region, endpoint, forcePathStyle=true|false)`,
      );
    }
  }
  return options;
}

/** `qdrant://host:6333` -> `http://host:6333`; `qdrants://` -> `https://`. */
function qdrantOptions(url: URL): Record<string, unknown> {
  if (url.hostname === "") invalid("A qdrant URL names the server: qdrant://host:6333");
  const http = new URL(url.toString().replace(/^qdrant(s?):/i, "http$1:"));
  const collection = http.searchParams.get("collection");
  http.search = "";
  const options: Record<string, unknown> = { url: http.toString().replace(/\/$/, "") };
  if (collection !== null) options.collection = collection;
  return options;
}

/**
 * Resolves a storage URL to the package, factory and options `openVault` uses. No URL means
 * the embedded SQLite database at `./.agentvault/vault.db`. Relative paths are resolved against
 * `cwd`. Throws `ValidationError` for an unknown scheme or a malformed URL, never echoing the
 * URL itself (it may hold credentials).
 *
 * @param cwd The folder relative paths are resolved against. @default process.cwd()
 */
export function parseVaultUrl(url?: string, cwd: string = process.cwd()): VaultTarget {
  if (url === undefined) {
    return target(urlSchemes[0]!, "sqlite:", { path: resolve(cwd, defaultVaultPath) });
  }
  if (typeof url !== "string") invalid("A storage URL must be a string");
  const match = /^([A-Za-z][A-Za-z0-9+.-]*:)(.*)$/s.exec(url.trim());
  const scheme = match?.[1]?.toLowerCase();
  const entry = urlSchemes.find((candidate) => candidate.schemes.includes(scheme ?? ""));
  if (match === null || entry === undefined || scheme === undefined || scheme.length === 2) {
    const known = urlSchemes.flatMap((candidate) => candidate.schemes).join(" ");
    invalid(
      `Unsupported storage URL: expected one of the schemes ${known} (a plain path needs a prefix: sqlite:./vault.db or file:./data)`,
    );
  }
  const rest = match[2] ?? "";
  const text = url.trim();
  switch (entry.packageName) {
    case "@agentvault/provider-sqlite":
      return target(entry, scheme, { path: sqlitePath(rest, cwd) });
    case "@agentvault/provider-filesystem":
      return target(entry, scheme, { basePath: filesystemPath(text, rest, cwd) });
    case "@agentvault/core":
      if (rest !== "" && rest !== "//") invalid("A memory URL takes nothing after the scheme");
      return target(entry, scheme, {});
    case "@agentvault/provider-s3":
      return target(entry, scheme, s3Options(parseStandardUrl(text, scheme)));
    case "@agentvault/provider-qdrant":
      return target(entry, scheme, qdrantOptions(parseStandardUrl(text, scheme)));
    case "@agentvault/provider-postgres":
      parseStandardUrl(text, scheme);
      return target(entry, scheme, { connectionString: text });
    default:
      // Database and client URLs go to their driver unchanged (their parameters are the driver's).
      parseStandardUrl(text, scheme);
      return target(entry, scheme, { url: text });
  }
}

function target(
  entry: UrlScheme,
  scheme: string,
  options: Readonly<Record<string, unknown>>,
): VaultTarget {
  return { ...entry, scheme, options };
}
