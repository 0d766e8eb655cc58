import { ValidationError } from "@agentvault/core";
import { describe, expect, it } from "vitest";
import { decodePayload, encodePoint, payloadRevision } from "../src/qdrant-payload-codec.js";
import { pointIdForKey } from "../src/qdrant-point-id.js";

/** What a point looks like after a JSON round trip through the REST API. */
function overTheWire<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe("payload codec", () => {
  it("round-trips values with dates, binary, unicode and nested arrays exactly", () => {
    const record = {
      key: "k/ü 1",
      value: {
        at: new Date("2024-02-29T12:34:56.789Z"),
        bytes: new Uint8Array([0, 255, 7]),
        text: "日本 😀",
        nested: [{ a: [1, 2.5, null] }, []],
      },
      metadata: { source: "web", seen: new Date(0) },
      expiresAt: 2_000,
      vector: [0.1, -0.2, 1e-300],
      createdAt: 5,
      updatedAt: 6,
    };
    const point = encodePoint(record, { now: 9 });
    expect(point.id).toBe(pointIdForKey("k/ü 1"));
    expect(point.vector).toEqual({ embedding: [0.1, -0.2, 1e-300] });
    expect(decodePayload(overTheWire(point.payload))).toEqual(record);
  });

  it("fills timestamps, keeps a replaced record's createdAt and marks non-document values", () => {
    const point = encodePoint({ key: "a", value: [1, 2] }, { now: 100, createdAt: 40 });
    expect(point.payload._av).toMatchObject({ createdAt: 40, updatedAt: 100, document: false });
    expect(point.vector).toEqual({});
    expect(encodePoint({ key: "b", value: { x: 1 } }, { now: 7 }).payload._av.document).toBe(true);
    expect(encodePoint({ key: "c", value: new Date(0) }, { now: 7 }).payload._av.document).toBe(
      false,
    );
  });

  it("gives every write a new revision", () => {
    const first = encodePoint({ key: "a", value: 1 }, { now: 1 });
    const second = encodePoint({ key: "a", value: 1 }, { now: 1 });
    expect(payloadRevision(first.payload)).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(payloadRevision(first.payload)).not.toBe(payloadRevision(second.payload));
  });

  it("ignores payloads this provider did not write, and refuses records without a key", () => {
    for (const payload of [
      null,
      3,
      {},
      { _id: 1, value: 2, _av: {} },
      { _id: "a", _av: {} },
      { _id: "a", value: 1 },
    ]) {
      expect(decodePayload(payload)).toBeUndefined();
    }
    expect(decodePayload({ _id: "a", value: 1, metadata: [1], _av: {} })).toBeUndefined();
    expect(() => encodePoint({ value: 1 } as never, { now: 1 })).toThrow(ValidationError);
  });

  it("keeps __proto__ keys as data", () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}');
    const decoded = decodePayload(
      overTheWire(encodePoint({ key: "p", value }, { now: 1 }).payload),
    );
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.hasOwn(decoded!.value as object, "__proto__")).toBe(true);
  });
});
