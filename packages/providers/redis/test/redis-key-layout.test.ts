import { describe, expect, it } from "vitest";
import { databaseKeys, decodeName, encodeName } from "../src/redis-key-layout.js";

/** The part of a key Redis Cluster hashes: between the first `{` and the next `}`. */
function hashTag(key: string): string {
  const open = key.indexOf("{");
  const close = key.indexOf("}", open + 1);
  return key.slice(open + 1, close);
}

describe("key layout", () => {
  it("escapes names reversibly, leaving no brace or colon", () => {
    for (const name of ["plain", "a:b", "{x}", "%7B", "50%", "a%3Ab", "::{}}{%", "日本"]) {
      const encoded = encodeName(name);
      expect(encoded).not.toMatch(/[{}:]/);
      expect(decodeName(encoded)).toBe(name);
    }
  });

  it("gives distinct names distinct keys, even names that look like escapes", () => {
    const databases = ["a:b", "a%3Ab", "a", "a:b:c"];
    const collections = new Set(
      databases.flatMap((database) =>
        ["b", "b:c"].map((collection) => databaseKeys("av", database).collection(collection).keys),
      ),
    );
    expect(collections.size).toBe(databases.length * 2);
  });

  it("puts every key of a collection under one hash tag, whatever the record key", () => {
    const keys = databaseKeys("av", "tenant:{1}").collection("orders");
    const tag = hashTag(keys.keys);
    expect(tag).toBe("tenant%3A%7B1%7D:orders");
    for (const recordKey of ["plain", "{evil}", "}{", "a:b", "x".repeat(1024)]) {
      expect(hashTag(keys.record(recordKey))).toBe(tag);
    }
    expect(hashTag(keys.meta)).toBe(tag);
  });

  it("keeps databases apart: their tags, collection sets and channels differ", () => {
    const one = databaseKeys("av", "one");
    const two = databaseKeys("av", "two");
    expect(one.collections).not.toBe(two.collections);
    expect(one.channel).not.toBe(two.channel);
    expect(hashTag(one.collection("c").keys)).not.toBe(hashTag(two.collection("c").keys));
  });
});
