import { memoryProvider } from "@agentvault/core";
import { describe, expect, it } from "vitest";
import {
  apiKeyMatches,
  containsApiKey,
  generateApiKey,
  hashApiKey,
  parseApiKey,
  readBearerToken,
} from "../src/api-keys.js";
import { RevokedKeyError, SystemStore } from "../src/system-store.js";

describe("API keys", () => {
  it("are random, carry at least 32 bytes of secret and parse back to their id", () => {
    const first = generateApiKey();
    const second = generateApiKey();
    expect(first.apiKey).not.toBe(second.apiKey);
    expect(first.id).not.toBe(second.id);
    const secret = first.apiKey.slice(`avk_${first.id}_`.length);
    expect(Buffer.from(secret, "base64url").length).toBeGreaterThanOrEqual(32);
    expect(parseApiKey(first.apiKey)).toEqual({ id: first.id });
  });

  it("store only a hash that does not contain the key", () => {
    const key = generateApiKey();
    expect(key.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(key.hash).not.toContain(key.apiKey);
    expect(key.hash).toBe(hashApiKey(key.apiKey));
  });

  it("match only the exact key", () => {
    const key = generateApiKey();
    expect(apiKeyMatches(key.apiKey, key.hash)).toBe(true);
    const altered = `${key.apiKey.slice(0, -1)}${key.apiKey.endsWith("A") ? "B" : "A"}`;
    expect(apiKeyMatches(altered, key.hash)).toBe(false);
    expect(apiKeyMatches(key.apiKey, "abcd")).toBe(false);
  });

  it("reject strings that are not shaped like keys", () => {
    expect(parseApiKey("avk_short_x")).toBeUndefined();
    expect(parseApiKey(`${generateApiKey().apiKey} `)).toBeUndefined();
    expect(parseApiKey("")).toBeUndefined();
  });

  it("are read from Bearer headers only", () => {
    const { apiKey } = generateApiKey();
    expect(readBearerToken(`Bearer ${apiKey}`)).toBe(apiKey);
    expect(readBearerToken(`bearer  ${apiKey}`)).toBe(apiKey);
    expect(readBearerToken(`Basic ${apiKey}`)).toBeUndefined();
    expect(readBearerToken(undefined)).toBeUndefined();
  });

  it("are recognised inside URLs", () => {
    const { apiKey } = generateApiKey();
    expect(containsApiKey(`/trpc/vault.query?apiKey=${apiKey}`)).toBe(true);
    expect(containsApiKey("/trpc/vault.query?input=%7B%7D")).toBe(false);
  });
});

describe("root key generation", () => {
  it("happens once even when several instances start together, and only the winner's key works", async () => {
    const provider = memoryProvider().withDatabase("agentvault_system");
    const stores = Array.from({ length: 5 }, () => new SystemStore(provider, undefined, Date.now));
    const generated = (await Promise.all(stores.map((store) => store.ensureRootKey()))).filter(
      (key) => key !== undefined,
    );
    expect(generated).toHaveLength(1);
    const [rootKey] = generated as [string];
    expect(await stores[3]?.authenticate(rootKey)).toMatchObject({ kind: "root" });
    expect(await stores[0]?.ensureRootKey()).toBeUndefined();
    const keys = await provider.find("_av_keys", { filter: { type: "and", children: [] } });
    expect(keys).toHaveLength(1);
  });
});

describe("verified-key cache", () => {
  async function storeWithKey(keyCacheMs?: number) {
    const provider = memoryProvider().withDatabase("agentvault_system");
    const store = new SystemStore(provider, undefined, Date.now, keyCacheMs);
    await store.createTenant("acme");
    const { id, apiKey } = await store.createKey("acme", "svc", "service");
    return { provider, store, id, apiKey };
  }

  it("refuses a revoked key at once on the instance that revoked it, even right after a use", async () => {
    const { store, id, apiKey } = await storeWithKey();
    expect(await store.authenticate(apiKey)).toMatchObject({ kind: "tenant", principal: "svc" });
    expect(await store.revokeKey("acme", id)).toBe(true);
    await expect(store.authenticate(apiKey)).rejects.toBeInstanceOf(RevokedKeyError);
  });

  it("never accepts a wrong secret for a cached key id", async () => {
    const { store, apiKey } = await storeWithKey();
    await store.authenticate(apiKey);
    const forged = `${apiKey.slice(0, -1)}${apiKey.endsWith("A") ? "B" : "A"}`;
    await expect(store.authenticate(forged)).rejects.toThrow("Invalid API key");
  });

  it("lets another instance refuse a revoked key once its cache time has passed", async () => {
    const { provider, store, id, apiKey } = await storeWithKey();
    const uncached = new SystemStore(provider, undefined, Date.now, 0);
    const cached = new SystemStore(provider, undefined, Date.now, 50);
    await uncached.authenticate(apiKey);
    await cached.authenticate(apiKey);
    await store.revokeKey("acme", id);
    await expect(uncached.authenticate(apiKey)).rejects.toBeInstanceOf(RevokedKeyError);
    await new Promise((resolve) => setTimeout(resolve, 60));
    await expect(cached.authenticate(apiKey)).rejects.toBeInstanceOf(RevokedKeyError);
  });
});
