import { describe, expect, it } from "vitest";
import { parseManifest } from "../src/manifest.js";

const seedManifest = `
kind: "AOLAgent"
apiVersion: "v1"
metadata:
  name: "my-service"
  version: "1.0.0"
spec:
  endpoints: [{ path: /run }]
  dataRequirements:
    enabled: true
    collections:
      - name: "events"
        description: "Application event log"
        schemaHint:
          event_id: "string"
          timestamp: "datetime"
        indexes:
          - fields: ["timestamp"]
            type: "ascending"
          - fields: ["event_type", "timestamp"]
            type: "compound"
    accessRequests:
      - collection: "other-service.shared_data"
        permission: "read"
        reason: "Need to correlate with external events"
`;

describe("parseManifest", () => {
  it("reads a full YAML manifest and ignores spec fields it does not own", () => {
    const parsed = parseManifest(seedManifest);
    expect(parsed.service).toBe("my-service");
    expect(parsed.requirements.collections?.[0]?.indexes?.[1]).toEqual({
      fields: ["event_type", "timestamp"],
      type: "compound",
    });
    expect(parsed.requirements.accessRequests?.[0]?.permission).toBe("read");
  });

  it("reads the requirements given directly as an object", () => {
    const parsed = parseManifest({ collections: [{ name: "metrics" }] });
    expect(parsed.service).toBeUndefined();
    expect(parsed.requirements.collections).toEqual([{ name: "metrics" }]);
  });

  it("rejects unknown fields in the requirements, naming where", () => {
    expect(() =>
      parseManifest({ dataRequirements: { collections: [{ name: "x", indxes: [] }] } }),
    ).toThrow(/dataRequirements\.collections\.0/);
  });

  it("rejects unknown index types and $ paths", () => {
    expect(() =>
      parseManifest({ collections: [{ name: "x", indexes: [{ fields: ["a"], type: "hashed" }] }] }),
    ).toThrow(/Invalid manifest/);
    expect(() =>
      parseManifest({ collections: [{ name: "x", indexes: [{ fields: ["a.$where"] }] }] }),
    ).toThrow(/Invalid manifest/);
  });

  it("rejects malformed YAML and alias bombs without expanding them", () => {
    expect(() => parseManifest("collections: [")).toThrow(/not valid YAML/);
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      ...Array.from({ length: 8 }, (_, index) => {
        const previous = index === 0 ? "a" : `l${index - 1}`;
        return `l${index}: &l${index} [${Array(10).fill(`*${previous}`).join(", ")}]`;
      }),
    ].join("\n");
    expect(() => parseManifest(bomb)).toThrow(/not valid YAML/);
  });

  it("never changes Object.prototype through __proto__ keys", () => {
    expect(() =>
      parseManifest('{"collections":[{"name":"x","__proto__":{"polluted":true}}]}'),
    ).toThrow(/Invalid manifest/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
