import { describe, expect, it } from "vitest";
import {
  cloneValue,
  hasLoneSurrogate,
  ValidationError,
  validateCollectionName,
  validateDocument,
  validateKey,
  validateValue,
  validateVector,
} from "../src/index.js";

function pathOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(ValidationError.isInstance(error)).toBe(true);
    return (error as ValidationError).path;
  }
  throw new Error("expected a ValidationError");
}

class Point {
  x = 1;
}

describe("validateValue", () => {
  it("reports the path of each kind of invalid value", () => {
    expect(pathOf(() => validateDocument({ a: { $set: 1 } }))).toBe("a.$set");
    expect(pathOf(() => validateDocument({ a: [1, Number.NaN] }))).toBe("a.1");
    expect(pathOf(() => validateDocument({ a: Number.POSITIVE_INFINITY }))).toBe("a");
    expect(pathOf(() => validateDocument({ a: [1, undefined] }))).toBe("a.1");
    expect(pathOf(() => validateDocument({ f: () => 1 }))).toBe("f");
    expect(pathOf(() => validateDocument({ s: Symbol("x") }))).toBe("s");
    expect(pathOf(() => validateDocument({ n: { big: 10n } }))).toBe("n.big");
    expect(pathOf(() => validateDocument({ p: new Point() }))).toBe("p");
    expect(pathOf(() => validateDocument({ m: new Map() }))).toBe("m");
    expect(pathOf(() => validateDocument({ d: new Date(Number.NaN) }))).toBe("d");
    expect(pathOf(() => validateDocument({ "a\u0000b": 1 }))).toBe("a\u0000b");
  });

  it("rejects circular references and excessive depth", () => {
    const circular: { [field: string]: unknown } = { a: {} };
    (circular.a as { [field: string]: unknown }).back = circular;
    expect(pathOf(() => validateDocument(circular))).toBe("a.back");
    let deep: unknown = 1;
    for (let level = 0; level < 101; level++) deep = { d: deep };
    expect(() => validateDocument(deep)).toThrow(/deeper than 100/);
    let ok: unknown = 1;
    for (let level = 0; level < 100; level++) ok = { d: ok };
    expect(() => validateDocument(ok)).not.toThrow();
  });

  it("accepts a shared (non-circular) reference", () => {
    const shared = { x: 1 };
    expect(() => validateDocument({ a: shared, b: [shared, shared] })).not.toThrow();
  });

  it("enforces maxValueBytes on the encoded size", () => {
    expect(() => validateDocument({ s: "x".repeat(2000) }, { maxValueBytes: 1000 })).toThrow(
      /larger than the limit/,
    );
    expect(() => validateDocument({ s: "é".repeat(600) }, { maxValueBytes: 1000 })).toThrow(
      /larger than the limit/,
    );
    expect(() => validateDocument({ s: "x".repeat(900) }, { maxValueBytes: 1000 })).not.toThrow();
    expect(() => validateDocument({ s: "x".repeat(1024 * 1024) })).not.toThrow();
  });

  it("drops undefined fields without touching the input, and keeps clean inputs as is", () => {
    const input = { a: 1, b: undefined, c: { d: undefined, e: 2 } };
    expect(validateDocument(input)).toEqual({ a: 1, c: { e: 2 } });
    expect(Object.hasOwn(validateDocument(input), "b")).toBe(false);
    expect(Object.hasOwn(input, "b")).toBe(true);
    const clean = { a: [1, { b: new Date(0) }], c: new Uint8Array(2), d: Buffer.from("x") };
    expect(validateDocument(clean)).toBe(clean);
  });

  it("stores __proto__ as an ordinary field", () => {
    const hostile = JSON.parse('{"__proto__":{"admin":true},"a":1}');
    const withUndefined = { ...hostile, b: undefined };
    const checked = validateDocument(withUndefined);
    expect(Object.getPrototypeOf(checked)).toBe(Object.prototype);
    expect(Object.hasOwn(checked, "__proto__")).toBe(true);
    expect((checked as { admin?: boolean }).admin).toBeUndefined();
    const copy = cloneValue(checked);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, "__proto__")).toBe(true);
  });

  it("rejects non-objects as documents and undefined as a value", () => {
    for (const bad of [null, 1, "x", [], new Date(), new Uint8Array()]) {
      expect(() => validateDocument(bad)).toThrow(ValidationError);
    }
    expect(() => validateValue(undefined)).toThrow(ValidationError);
    expect(validateValue("plain")).toBe("plain");
  });
});

describe("lone UTF-16 surrogates", () => {
  const lone = ["\ud83c", "\udf89", "a\udf89\ud83cb", "x\ud800"];

  it("are refused in strings at any depth, naming the path", () => {
    for (const text of lone) {
      expect(pathOf(() => validateValue(text))).toBe("");
      expect(pathOf(() => validateDocument({ a: { b: [1, text] } }))).toBe("a.b.1");
      expect(pathOf(() => validateValue({ tag: text }, { path: "metadata" }))).toBe("metadata.tag");
    }
    let caught: unknown;
    try {
      validateDocument({ text: "\ud800" }, { source: "vault" });
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).message).toBe(
      "[agentvault] [vault] Strings cannot contain lone UTF-16 surrogates (at text)",
    );
  });

  it("are refused in field names, with the surrogate escaped in the path", () => {
    expect(pathOf(() => validateDocument({ a: { "b\ud800": 1 } }))).toBe("a.b\\ud800");
    expect(pathOf(() => validateDocument({ "\udc00x\ud83d": true }))).toBe("\\udc00x\\ud83d");
    expect(pathOf(() => validateDocument({ "k\udfff": null }))).toBe("k\\udfff");
  });

  it("are refused in keys", () => {
    for (const key of lone) {
      expect(() => validateKey(key)).toThrow(/lone UTF-16 surrogates/);
      expect(pathOf(() => validateKey(key))).toBe("key");
    }
  });

  it("leave well-formed pairs (emoji, astral characters) alone", () => {
    const document = { "🎉": "party 🎉", 𝒳: ["𠀀", { "😀": "\ud83d\ude00" }] };
    expect(validateDocument(document)).toBe(document);
    expect(validateKey("🎉/𠀀")).toBe("🎉/𠀀");
    expect(hasLoneSurrogate("\ud83c\udf89")).toBe(false);
    expect(hasLoneSurrogate("\udf89\ud83c")).toBe(true);
  });
});

describe("validateCollectionName", () => {
  it("accepts the documented alphabet and rejects the rest", () => {
    for (const name of ["products", "svc.orders", "a-b_c.9", "x".repeat(120)]) {
      expect(validateCollectionName(name)).toBe(name);
    }
    for (const bad of ["", ".hidden", "_avkv", "a/b", "a b", "é", "x".repeat(121), 5, "../x"]) {
      expect(() => validateCollectionName(bad)).toThrow(ValidationError);
    }
    expect(validateCollectionName("_avkv.store", { allowReserved: true })).toBe("_avkv.store");
  });
});

describe("validateKey", () => {
  it("accepts any printable key and rejects empty, over-long and control characters", () => {
    for (const key of [
      "../x",
      "/etc/passwd",
      "__proto__",
      "a b",
      "日本語/🎉",
      "..",
      "x".repeat(1024),
    ]) {
      expect(validateKey(key)).toBe(key);
    }
    for (const bad of [
      "",
      "a\u0000b",
      "line\nbreak",
      "\u007f",
      "\u0085",
      "x".repeat(1025),
      "\ud800",
      7,
    ]) {
      expect(() => validateKey(bad)).toThrow(ValidationError);
    }
    expect(() => validateKey("k".repeat(10 * 1024))).toThrow(/at most 1024/);
  });
});

describe("validateVector", () => {
  it("accepts finite numbers only", () => {
    expect(validateVector([0, 1.5, -2])).toEqual([0, 1.5, -2]);
    expect(pathOf(() => validateVector([1, Number.NaN]))).toBe("vector.1");
    expect(() => validateVector([])).toThrow(ValidationError);
    expect(() => validateVector("1,2")).toThrow(ValidationError);
  });
});

describe("cloneValue", () => {
  it("copies deeply so the original can change freely", () => {
    const original = { a: [{ b: 1 }], d: new Date(5), bytes: Buffer.from([1, 2]) };
    const copy = cloneValue(original);
    original.a[0]!.b = 2;
    original.d.setTime(9);
    original.bytes[0] = 7;
    expect(copy).toEqual({ a: [{ b: 1 }], d: new Date(5), bytes: new Uint8Array([1, 2]) });
    expect(Buffer.isBuffer(copy.bytes)).toBe(false);
  });
});
