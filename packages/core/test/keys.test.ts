import { describe, expect, it } from "vitest";
import { generateKey, keyPrefix, validateKey } from "../src/index.js";

describe("generateKey", () => {
  it("prefixes with the collection's first four letters and adds 16 URL-safe characters", () => {
    const key = generateKey("products");
    expect(key).toMatch(/^prod_[A-Za-z0-9_-]{16}$/);
    expect(() => validateKey(key)).not.toThrow();
  });

  it("derives prefixes from letters and digits only, falling back to doc_", () => {
    expect(keyPrefix("B-c_D9x")).toBe("bcd9_");
    expect(keyPrefix("...")).toBe("doc_");
    expect(keyPrefix("ab")).toBe("ab_");
  });

  it("uses the last dot-separated part, so a broker's service.collection names read the same", () => {
    expect(keyPrefix("billing.products")).toBe("prod_");
    expect(generateKey("svc.orders")).toMatch(/^orde_[A-Za-z0-9_-]{16}$/);
  });

  it("does not repeat", () => {
    const keys = new Set(Array.from({ length: 2000 }, () => generateKey("x")));
    expect(keys.size).toBe(2000);
  });
});
