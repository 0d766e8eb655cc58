/**
 * Seeds 003 and 004: a read-through cache. A value is fetched once, kept with a TTL, served from
 * the cache while fresh and fetched again once it has expired; hits and misses are counted.
 */

import type { Value } from "@agentvault/query";
import type { Example, ExampleEnvironment } from "./example-environment.js";

interface CacheEntry {
  value: Value;
  cachedAt: Date;
}

/** A cache over the collection `cache`, with its statistics. */
export function readThroughCache(environment: ExampleEnvironment, ttlSeconds: number) {
  const entries = environment.vault.collection<CacheEntry>("cache");
  const statistics = { hits: 0, misses: 0 };
  async function getWithCache(key: string, fetchValue: () => Promise<Value>): Promise<Value> {
    const cached = await entries.retrieve(key);
    if (cached !== null) {
      statistics.hits++;
      return cached.value;
    }
    statistics.misses++;
    const value = await fetchValue();
    await entries.store({ value, cachedAt: environment.now() }, { key, ttl: ttlSeconds });
    return value;
  }
  return { getWithCache, statistics, entries };
}

/** Serves repeated lookups from the cache until the entries expire. */
export async function cacheStoreExample(environment: ExampleEnvironment) {
  const cache = readThroughCache(environment, 1);
  await cache.entries.clear();
  const fetched: string[] = [];
  const exchangeRate = (currency: string, rate: number) => async () => {
    fetched.push(currency);
    return { currency, rate };
  };
  const lookups = [
    await cache.getWithCache("rate:EUR", exchangeRate("EUR", 1.08)),
    await cache.getWithCache("rate:EUR", exchangeRate("EUR", 9.99)),
    await cache.getWithCache("rate:GBP", exchangeRate("GBP", 1.27)),
    await cache.getWithCache("rate:EUR", exchangeRate("EUR", 9.99)),
  ];
  const cachedBefore = await cache.entries.count();
  await environment.sleep(1500);
  const cachedAfter = await cache.entries.count();
  lookups.push(await cache.getWithCache("rate:EUR", exchangeRate("EUR", 1.09)));
  return {
    lookups,
    fetched,
    statistics: { ...cache.statistics },
    cachedBefore,
    cachedAfter,
    cachedNow: await cache.entries.count(),
  };
}

/** The example, for `main.ts` and the tests. */
export const cacheStore: Example = { name: "cache-store", seed: "003", run: cacheStoreExample };
