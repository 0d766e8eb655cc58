import { ValidationError } from "@agentvault/core";
import { describe, expect, it } from "vitest";
import { endpointOf, resolveClientOptions } from "../src/client-options.js";
import { createVaultClient } from "../src/index.js";

describe("client options", () => {
  it("finds the tRPC endpoint under the base url", () => {
    expect(endpointOf("http://localhost:8787")).toBe("http://localhost:8787/trpc");
    expect(endpointOf("https://vault.example.com/agentvault/")).toBe(
      "https://vault.example.com/agentvault/trpc",
    );
    expect(endpointOf("http://localhost:8787/trpc")).toBe("http://localhost:8787/trpc");
  });

  it("refuses urls that would leak or mislead, without echoing them", () => {
    for (const url of [
      "ftp://host",
      "http://user:secret@host",
      "http://host/?apiKey=secret",
      "not a url",
      "",
    ]) {
      const error = (() => {
        try {
          endpointOf(url);
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).not.toContain("secret");
    }
  });

  it("needs an API key, from the options or AGENTVAULT_API_KEY", () => {
    const saved = process.env.AGENTVAULT_API_KEY;
    try {
      delete process.env.AGENTVAULT_API_KEY;
      expect(() => createVaultClient({ url: "http://localhost:1" })).toThrow(ValidationError);
      process.env.AGENTVAULT_API_KEY = "avk_from_env";
      expect(resolveClientOptions({ url: "http://localhost:1" }).apiKey).toBe("avk_from_env");
    } finally {
      if (saved === undefined) delete process.env.AGENTVAULT_API_KEY;
      else process.env.AGENTVAULT_API_KEY = saved;
    }
  });

  it("fills defaults and checks numbers; Authorization cannot be overridden by headers", () => {
    const resolved = resolveClientOptions({
      url: "http://localhost:1",
      apiKey: "k",
      headers: { "x-team": "search", Authorization: "Bearer other" },
    });
    expect(resolved).toMatchObject({ timeoutMs: 30_000, retries: 3, maxBatchSize: 50 });
    expect({ ...resolved.headers }).toEqual({ "x-team": "search" });
    expect(() => createVaultClient({ url: "http://h", apiKey: "k", maxBatchSize: 0 })).toThrow(
      ValidationError,
    );
    expect(() => createVaultClient({ url: "http://h", apiKey: "k", timeoutMs: 1.5 })).toThrow(
      ValidationError,
    );
    const client = createVaultClient({ url: "http://h", apiKey: "k" });
    expect(() => client.withOptions({ timeoutMs: -1 })).toThrow(ValidationError);
  });
});
