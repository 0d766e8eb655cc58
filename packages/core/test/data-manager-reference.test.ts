import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDataReference, toDataReferenceUri, ValidationError } from "../src/index.js";

describe("data reference URIs", () => {
  it("have the documented form", () => {
    expect(
      toDataReferenceUri({ provider: "postgres", collection: "events", key: "event_001" }),
    ).toBe("agentvault://postgres/events/event_001");
  });

  it("escape slashes, spaces, ?, #, % and unicode in keys", () => {
    const location = { provider: "s3", collection: "data", key: "reports/2025 Q1?#100%é🙂" };
    const uri = toDataReferenceUri(location);
    expect(uri.split("/")).toHaveLength(5);
    expect(uri).not.toMatch(/[ ?#é]/);
    expect(parseDataReference(uri)).toEqual(location);
  });

  it("keep dot-segment keys intact", () => {
    for (const key of [".", ".."]) {
      const uri = toDataReferenceUri({ provider: "fs", collection: "data", key });
      expect(uri.endsWith("/data/.") || uri.endsWith("/data/..")).toBe(false);
      expect(parseDataReference(uri).key).toBe(key);
    }
  });

  it("round-trip any printable key", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 60, unit: "grapheme" }), (key) => {
        const location = { provider: "redis", collection: "sessions", key };
        expect(parseDataReference(toDataReferenceUri(location))).toEqual(location);
      }),
      { numRuns: 300 },
    );
  });

  it("accept the scheme in any case", () => {
    expect(parseDataReference("AgentVault://redis/c/k")).toEqual({
      provider: "redis",
      collection: "c",
      key: "k",
    });
  });

  it("reject malformed URIs with a ValidationError", () => {
    const bad = [
      "https://redis/c/k",
      "agentvault:redis/c/k",
      "agentvault://redis/c",
      "agentvault://redis/c/k/extra",
      "agentvault://redis//k",
      "agentvault://redis/c/k?x=1",
      "agentvault://redis/c/k#frag",
      "agentvault://redis/c/%E0%A4%A",
      "",
    ];
    for (const uri of bad) {
      expect(() => parseDataReference(uri), uri).toThrow(ValidationError);
    }
  });

  it("refuse to build a URI from an empty coordinate", () => {
    expect(() => toDataReferenceUri({ provider: "p", collection: "c", key: "" })).toThrow(
      /non-empty key/,
    );
  });
});
