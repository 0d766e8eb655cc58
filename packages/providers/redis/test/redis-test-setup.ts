/**
 * What every service-backed test file of this package shares: the probe of `REDIS_URL`, a
 * random key prefix per file (other engineers use the same server), and the removal of every
 * key under that prefix afterwards.
 */

import { randomBytes } from "node:crypto";
import { probeService } from "@agentvault/conformance";
import { Redis } from "ioredis";

/** The probe of the Redis server; throws when it is absent and services are required. */
export const redisProbe = await probeService("REDIS_URL");

/** The server's URL (the probe's default when `REDIS_URL` is unset). */
export const redisUrl = redisProbe.url ?? "redis://127.0.0.1:6379";

/** A suite title that says why it is skipped, when it is. */
export function serviceTitle(title: string): string {
  return redisProbe.available ? title : `${title} (${redisProbe.skipReason})`;
}

/** A key prefix no other test run uses. */
export function randomPrefix(label: string): string {
  return `avtest-${label}-${randomBytes(6).toString("hex")}`;
}

/** A plain client for inspecting what the provider wrote. */
export function rawClient(): Redis {
  return new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
}

/** Every key under `prefix`, sorted. */
export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== "0");
  return [...new Set(found)].sort();
}

/** Deletes every key under `prefix`. */
export async function deleteKeysUnder(prefix: string): Promise<void> {
  const client = rawClient();
  try {
    const keys = await keysUnder(client, prefix);
    for (let start = 0; start < keys.length; start += 500) {
      await client.unlink(...keys.slice(start, start + 500));
    }
  } finally {
    client.disconnect();
  }
}
