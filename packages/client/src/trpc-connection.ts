/**
 * The tRPC client under a vault client: typed by the server's `AppRouter` (a type-only import,
 * so no server code is bundled), with these links:
 *
 * 1. `retryLink` retries idempotent calls (see `retry-policy.ts`) with exponential back-off;
 * 2. calls whose encoded input is large travel alone through `httpLink`, the rest are batched
 *    by `httpBatchLink` (at most `maxBatchSize` calls made in the same tick per request), so a
 *    batch stays under both the server's batch size and its body size limits.
 *
 * Every call is a POST (`methodOverride`, which the server allows): query inputs never reach
 * URLs, proxy logs or URL length limits.
 */

import type { AppRouter } from "@agentvault/server";
import {
  createTRPCClient,
  httpBatchLink,
  httpLink,
  retryLink,
  splitLink,
  type TRPCClient,
} from "@trpc/client";
import type { ResolvedClientOptions } from "./client-options.js";
import { retryDelay, shouldRetry } from "./retry-policy.js";
import { encodedSize, wireTransformer } from "./wire-transformer.js";

/** The typed tRPC client of the AgentVault API. */
export type AgentVaultTrpcClient = TRPCClient<AppRouter>;

/** Creates the tRPC client for resolved options. */
export function createTrpcConnection(options: ResolvedClientOptions): AgentVaultTrpcClient {
  const headers = () => ({ ...options.headers, authorization: `Bearer ${options.apiKey}` });
  const http = {
    url: options.endpoint,
    transformer: wireTransformer,
    methodOverride: "POST" as const,
    headers,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  };
  const largestBatchedInput = Math.floor(options.maxBatchBytes / options.maxBatchSize);
  return createTRPCClient<AppRouter>({
    links: [
      retryLink({
        retry: ({ op, error, attempts }) =>
          shouldRetry({
            type: op.type,
            error,
            attempts,
            retries: options.retries,
            signal: op.signal,
          }),
        retryDelayMs: (attempts) => retryDelay(attempts, options.retryDelayMs),
      }),
      splitLink({
        condition: (op) => encodedSize(op.input) > largestBatchedInput,
        true: httpLink(http),
        false: httpBatchLink({ ...http, maxItems: options.maxBatchSize }),
      }),
    ],
  });
}
