import { ValidationError } from "@agentvault/core";
import { describe, expect, it } from "vitest";
import { planPayloadIndexes } from "../src/qdrant-index-specs.js";
import { qdrantDistance, resolveQdrantOptions } from "../src/qdrant-options.js";
import { qdrantProvider } from "../src/qdrant-provider.js";

describe("options", () => {
  it("fill defaults, reading QDRANT_URL and QDRANT_API_KEY from the environment", () => {
    const resolved = resolveQdrantOptions({}, { QDRANT_URL: "http://q:6333", QDRANT_API_KEY: "k" });
    expect(resolved).toMatchObject({
      url: "http://q:6333",
      apiKey: "k",
      database: "default",
      prefix: "agentvault",
      vectorMetric: "cosine",
      exactSearch: false,
      pageSize: 256,
    });
    expect(resolveQdrantOptions({}, {}).url).toBe("http://127.0.0.1:6333");
  });

  it("refuse invalid values with ValidationError before any request", () => {
    for (const options of [
      { url: "not a url" },
      { database: "" },
      { vectorMetric: "manhattan" },
      { vectorMetrics: { a: "l1" } },
      { dimensions: { a: 0 } },
      { pageSize: 1.5 },
      { collectionPrefix: "a-b" },
    ]) {
      expect(() => resolveQdrantOptions(options as never, {})).toThrow(ValidationError);
      expect(() => qdrantProvider(options as never)).toThrow(ValidationError);
    }
  });

  it("map metrics to Qdrant distances", () => {
    expect(["cosine", "dot", "euclidean"].map((metric) => qdrantDistance(metric as never))).toEqual(
      ["Cosine", "Dot", "Euclid"],
    );
  });

  it("create a provider without connecting, and report the capabilities it has", async () => {
    const provider = qdrantProvider({ url: "http://127.0.0.1:1", database: "acme" });
    expect(provider.database).toBe("acme");
    expect(provider.capabilities).toMatchObject({
      vectorSearch: true,
      transactions: false,
      indexes: true,
    });
    expect(provider.withDatabase("other").database).toBe("other");
    await provider.close();
    await expect(provider.get("c", "k")).rejects.toThrow(/closed/);
  });
});

describe("payload index specs", () => {
  it("index each field with the configured type, keyword by default, text for text indexes", () => {
    const plan = planPayloadIndexes(
      [
        { fields: ["value.price", "value.city"], type: "compound" },
        { fields: ["value.body"], type: "text" },
        { fields: ["metadata.source"] },
      ],
      { "value.price": "float" },
    );
    expect(plan).toEqual({
      indexes: [
        { field: "value.price", type: "float" },
        { field: "value.city", type: "keyword" },
        { field: "value.body", type: "text" },
        { field: "metadata.source", type: "keyword" },
      ],
      native: true,
    });
  });

  it("report unique specs and unindexable paths as not native", () => {
    expect(planPayloadIndexes([{ fields: ["value.email"], type: "unique" }]).native).toBe(false);
    const odd = planPayloadIndexes([{ fields: ["value.items.0.sku", "value.ok"] }]);
    expect(odd).toEqual({ indexes: [{ field: "value.ok", type: "keyword" }], native: false });
    expect(() => planPayloadIndexes([{ fields: [] }])).toThrow(ValidationError);
    expect(() => planPayloadIndexes("x" as never)).toThrow(ValidationError);
  });
});
