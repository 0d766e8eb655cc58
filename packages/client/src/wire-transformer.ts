/**
 * The tRPC transformer of the AgentVault wire format. The server decodes inputs and encodes
 * results with the core's value codec (MongoDB Extended JSON tags `$date` and `$binary`), so
 * the client does the mirror image with the same two functions: Dates and binary values cross
 * HTTP exactly, and no server code is bundled into the client.
 */

import { decodeValue, encodeValue } from "@agentvault/core";
import type { Value } from "@agentvault/query";

/** Encodes inputs and decodes results exactly as `@agentvault/server` expects. */
export const wireTransformer = {
  serialize: (value: unknown): unknown =>
    value === undefined ? undefined : encodeValue(value as Value),
  deserialize: (json: unknown): unknown => (json === undefined ? undefined : decodeValue(json)),
};

/**
 * The size in bytes of an input once encoded, as it will travel in a request body. Used to keep
 * large calls out of batches, so that a batch never grows past the server's body limit.
 */
export function encodedSize(input: unknown): number {
  if (input === undefined) return 0;
  const json = JSON.stringify(encodeValue(input as Value));
  return json === undefined ? 0 : Buffer.byteLength(json);
}
