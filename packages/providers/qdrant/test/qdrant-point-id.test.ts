import { describe, expect, it } from "vitest";
import { pointIdForKey, uuidV5 } from "../src/qdrant-point-id.js";

describe("point ids", () => {
  it("are RFC 9562 version 5 UUIDs (values from Python's uuid.uuid5)", () => {
    expect(uuidV5("python.org", "6ba7b810-9dad-11d1-80b4-00c04fd430c8")).toBe(
      "886313e1-3b8a-5372-9b90-0c9aee199e5d",
    );
    expect(pointIdForKey("notes/1 ü")).toBe("f8ffa66b-0215-50f4-b152-b5e8336f9816");
  });

  it("are deterministic per key and distinct across keys, whatever the characters", () => {
    const keys = ["a", "A", "a ", "__proto__", "😀", "x".repeat(1024), "k/1?x=2#y", ""];
    const ids = keys.map(pointIdForKey);
    expect(new Set(ids).size).toBe(keys.length);
    expect(keys.map(pointIdForKey)).toEqual(ids);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
