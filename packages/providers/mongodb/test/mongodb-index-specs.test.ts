import { ValidationError } from "@agentvault/core";
import { describe, expect, it } from "vitest";
import { expiryIndex, indexName, toMongoIndexSpecs } from "../src/mongodb-index-specs.js";

describe("toMongoIndexSpecs", () => {
  it("ascending (the default), descending and compound keys", () => {
    expect(
      toMongoIndexSpecs([
        { fields: ["value.timestamp"] },
        { fields: ["value.score"], type: "descending" },
        { fields: ["value.agent", "metadata.at"], type: "compound", name: "by_agent_time" },
      ]),
    ).toEqual([
      { key: { "value.timestamp": 1 }, name: "av_ascending_value.timestamp" },
      { key: { "value.score": -1 }, name: "av_descending_value.score" },
      { key: { "value.agent": 1, "metadata.at": 1 }, name: "by_agent_time" },
    ]);
  });

  it("unique indexes only cover records that have the fields (missing ones never collide)", () => {
    expect(toMongoIndexSpecs([{ fields: ["value.email", "value.org"], type: "unique" }])).toEqual([
      {
        key: { "value.email": 1, "value.org": 1 },
        name: "av_unique_value.email_value.org",
        unique: true,
        partialFilterExpression: {
          "value.email": { $exists: true },
          "value.org": { $exists: true },
        },
      },
    ]);
  });

  it("text indexes", () => {
    expect(toMongoIndexSpecs([{ fields: ["value.title", "value.body"], type: "text" }])).toEqual([
      {
        key: { "value.title": "text", "value.body": "text" },
        name: "av_text_value.title_value.body",
      },
    ]);
  });

  it("keeps the key order of compound indexes", () => {
    const [spec] = toMongoIndexSpecs([{ fields: ["value.b", "value.a", "_id"], type: "compound" }]);
    expect(Object.keys(spec!.key as object)).toEqual(["value.b", "value.a", "_id"]);
  });

  it("derives short, stable names for long field lists", () => {
    const fields = Array.from({ length: 12 }, (_, index) => `value.a_rather_long_field_${index}`);
    const name = indexName({ fields, type: "compound" });
    expect(name.length).toBeLessThanOrEqual(120);
    expect(name).toBe(indexName({ fields, type: "compound" }));
    expect(name).not.toBe(indexName({ fields: [...fields].reverse(), type: "compound" }));
  });

  it("refuses unknown types, empty or foreign paths, duplicates and reserved names", () => {
    const bad: unknown[] = [
      { fields: ["value.a"], type: "hashed" },
      { fields: [] },
      { fields: ["price"] },
      { fields: ["value..a"] },
      { fields: ["value.$x"] },
      { fields: ["value.a", "value.a"] },
      { fields: ["value.a"], name: "agentvault_expiry" },
      { fields: ["value.a"], name: "" },
    ];
    for (const spec of bad) {
      expect(() => toMongoIndexSpecs([spec as never]), JSON.stringify(spec)).toThrow(
        ValidationError,
      );
    }
  });
});

describe("expiryIndex", () => {
  it("is a TTL index on expiresAt that deletes records as soon as they expire", () => {
    expect(expiryIndex).toEqual({
      key: { expiresAt: 1 },
      name: "agentvault_expiry",
      expireAfterSeconds: 0,
    });
  });
});
