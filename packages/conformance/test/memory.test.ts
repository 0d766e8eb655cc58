import { memoryProvider, type StorageProvider } from "@agentvault/core";
import * as vitest from "vitest";
import { runConformance } from "../src/index.js";

runConformance({
  ...vitest,
  name: "memory",
  createProvider: async ({ clock, database }) => memoryProvider({ clock, database }),
});

/**
 * The memory provider as a backend lacking transactions and vector search would look, on the
 * real clock: runs the other branch of the capability-dependent areas and the real-time TTL path.
 */
function withoutOptionalCapabilities(provider: StorageProvider): StorageProvider {
  return new Proxy(provider, {
    get(target, property) {
      if (property === "transaction" || property === "search") return undefined;
      if (property === "capabilities") {
        return { ...target.capabilities, transactions: false, vectorSearch: false };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

runConformance({
  ...vitest,
  name: "memory without transactions or vector search, real-time TTL",
  createProvider: async ({ database }) => withoutOptionalCapabilities(memoryProvider({ database })),
  areas: Object.fromEntries(
    ["crud", "filters", "sort-projection-pagination", "updates", "concurrency", "keys", "codecs"]
      .concat(["bulk", "errors", "collections", "key-value"])
      .map((area) => [area, false]),
  ),
  limits: { ttl: "real" },
});
