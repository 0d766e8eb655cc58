/**
 * The options of `createVaultClient`, their defaults and their checks. Checks run once, when the
 * client is created, so a misconfigured client fails at startup rather than on its first call.
 */

import { ValidationError } from "@agentvault/core";

/** A `fetch` implementation: the global one, or one from a library, a test or a proxy agent. */
export type FetchFunction = (
  input: string | URL | Request,
  init?: RequestInit,
) => Promise<Response>;

/** Options of `createVaultClient`. */
export interface VaultClientOptions {
  /**
   * The server's base URL, for example `https://vault.example.com` or
   * `http://localhost:8787/agentvault`. `/trpc` is appended unless the URL already ends with it.
   */
  readonly url: string;
  /** The API key, sent as `Authorization: Bearer <key>`. @default process.env.AGENTVAULT_API_KEY */
  readonly apiKey?: string | undefined;
  /** The `fetch` to use. @default globalThis.fetch */
  readonly fetch?: FetchFunction | undefined;
  /**
   * How long one call may take, retries and back-off included, before it fails with
   * `ProviderUnavailableError`. @default 30_000
   */
  readonly timeoutMs?: number | undefined;
  /**
   * How many times an idempotent call (retrieve, query, count, listCollections, search and the
   * admin listings) is retried after a network failure, a 503 or a 429. Writes are never
   * retried: a write whose answer was lost may have happened. @default 3
   */
  readonly retries?: number | undefined;
  /** The first retry's delay; each next one doubles, with jitter, up to 5 s. @default 100 */
  readonly retryDelayMs?: number | undefined;
  /**
   * The most calls sent in one HTTP request. Keep it at or below the server's `maxBatchSize`.
   * @default 50 (the server accepts 100 by default)
   */
  readonly maxBatchSize?: number | undefined;
  /**
   * The largest batched request body in bytes. Calls bigger than
   * `maxBatchBytes / maxBatchSize` travel alone, so a batch stays under the server's body limit.
   * @default 2_097_152 (the server accepts 4 MiB by default)
   */
  readonly maxBatchBytes?: number | undefined;
  /** Extra headers for every request. `Authorization` is always the API key's. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** Options of one group of calls: `client.withOptions({ signal, timeoutMs })`. */
export interface CallOptions {
  /** Aborts the calls: they reject with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
  /** Overrides the client's `timeoutMs` for these calls. */
  readonly timeoutMs?: number | undefined;
}

/** Options with every default filled in. */
export interface ResolvedClientOptions {
  readonly endpoint: string;
  readonly apiKey: string;
  readonly fetch: FetchFunction | undefined;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly maxBatchSize: number;
  readonly maxBatchBytes: number;
  readonly headers: Readonly<Record<string, string>>;
}

const source = "client";

function invalid(message: string, path: string): never {
  throw new ValidationError(message, path, { source });
}

function integer(value: unknown, name: string, fallback: number, minimum: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < minimum) {
    invalid(`${name} must be an integer of at least ${minimum}`, name);
  }
  return value;
}

/** The tRPC endpoint of a base URL. The URL is never echoed: it may carry secrets. */
export function endpointOf(url: unknown): string {
  if (typeof url !== "string" || url === "") invalid("createVaultClient needs a url", "url");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new ValidationError("The server url is not a valid URL", "url", { source, cause: error });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    invalid("The server url must start with http:// or https://", "url");
  }
  if (parsed.username !== "" || parsed.password !== "") {
    invalid("Put the API key in the apiKey option, never in the url", "url");
  }
  if (parsed.search !== "" || parsed.hash !== "") {
    invalid("The server url takes no query string or fragment", "url");
  }
  const path = parsed.pathname.replace(/\/+$/, "");
  parsed.pathname = path.endsWith("/trpc") ? path : `${path}/trpc`;
  return parsed.toString();
}

function environmentApiKey(): string | undefined {
  const environment = (globalThis as { process?: { env?: Record<string, string | undefined> } })
    .process?.env;
  return environment?.AGENTVAULT_API_KEY;
}

/** Checks the options and fills in defaults. @throws ValidationError */
export function resolveClientOptions(options: VaultClientOptions): ResolvedClientOptions {
  if (options === null || typeof options !== "object") {
    invalid("createVaultClient needs an options object with a url", "options");
  }
  const apiKey = options.apiKey ?? environmentApiKey();
  if (typeof apiKey !== "string" || apiKey === "" || /[\s]/.test(apiKey)) {
    invalid(
      "createVaultClient needs an apiKey (or AGENTVAULT_API_KEY) without whitespace",
      "apiKey",
    );
  }
  if (options.fetch !== undefined && typeof options.fetch !== "function") {
    invalid("fetch must be a function", "fetch");
  }
  const headers: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (typeof value !== "string") invalid(`Header "${name}" must be a string`, "headers");
    if (name.toLowerCase() !== "authorization") headers[name] = value;
  }
  return {
    endpoint: endpointOf(options.url),
    apiKey,
    fetch: options.fetch,
    timeoutMs: integer(options.timeoutMs, "timeoutMs", 30_000, 1),
    retries: integer(options.retries, "retries", 3, 0),
    retryDelayMs: integer(options.retryDelayMs, "retryDelayMs", 100, 0),
    maxBatchSize: integer(options.maxBatchSize, "maxBatchSize", 50, 1),
    maxBatchBytes: integer(options.maxBatchBytes, "maxBatchBytes", 2 * 1024 * 1024, 1024),
    headers,
  };
}

/** Checks per-call options. @throws ValidationError */
export function checkCallOptions(options: CallOptions): CallOptions {
  if (options === null || typeof options !== "object") invalid("Expected options", "options");
  const { signal, timeoutMs } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    invalid("signal must be an AbortSignal", "signal");
  }
  if (timeoutMs !== undefined) integer(timeoutMs, "timeoutMs", 0, 1);
  return { signal, timeoutMs };
}
