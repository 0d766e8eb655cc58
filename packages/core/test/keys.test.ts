import { afterEach, describe, expect, it, vi } from "vitest";
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

  describe("clock part", () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it("sorts keys of later milliseconds after earlier ones, as strings and as bytes", () => {
      vi.useFakeTimers({ toFake: ["Date"] });
      const keys: string[] = [];
      // Steps that change each of the four clock characters, and digits on both sides of "_".
      for (const ms of [
        1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_064, 1_700_000_004_096,
        1_700_000_262_144,
      ]) {
        vi.setSystemTime(ms);
        keys.push(generateKey("products"));
      }
      const asBytes = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      expect(asBytes).toEqual(keys);
      expect([...keys].sort()).toEqual(keys);
    });

    it("keeps keys of one millisecond distinct through their random part", () => {
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(1_700_000_000_000);
      const keys = Array.from({ length: 1000 }, () => generateKey("orders"));
      expect(new Set(keys.map((key) => key.slice(0, 9))).size).toBe(1);
      expect(new Set(keys).size).toBe(1000);
    });
  });

  it("does not repeat", () => {
    const keys = new Set(Array.from({ length: 2000 }, () => generateKey("x")));
    expect(keys.size).toBe(2000);
  });
});
