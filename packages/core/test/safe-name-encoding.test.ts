import { describe, expect, it } from "vitest";
import {
  decodeSafeName,
  encodeSafeName,
  hashedSafeName,
  isHashedSafeName,
  maxSafeNameLength,
} from "../src/index.js";

const hostile = [
  "../x",
  "../../etc/passwd",
  "/etc/passwd",
  "C:\\Windows\\win.ini",
  "\\\\server\\share",
  "a/b\\c",
  ".",
  "..",
  "...",
  "__proto__",
  "constructor",
  "CON",
  "con",
  "nul",
  "Nul",
  "com1",
  "lpt9",
  "aux.txt",
  " leading and trailing ",
  "trailing.",
  "%2e%2e",
  "%zz",
  "~tmp-1-abc.tmp",
  `~${"a".repeat(64)}`,
  "ünïcødé ✓ 🎉",
  "日本語のキー",
  "x\u0000y",
];

/** A seeded generator, so a failure can be replayed. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function randomName(next: () => number): string {
  const alphabet = ["a", "Z", "0", ".", "/", "\\", "%", "~", " ", "é", "€", "🎉", "_", "-", ":"];
  const length = 1 + Math.floor(next() * 30);
  return Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join("");
}

/**
 * Encodings written down by hand (hex bytes from `xxd`, hashes from `sha256sum`), never computed
 * by the code under test: files and objects already stored under these names must stay readable.
 */
const pinned: readonly (readonly [name: string, encoded: string])[] = [
  ["greeting", "greeting"],
  ["__proto__", "__proto__"],
  ["snake_case-and-dash", "snake_case-and-dash"],
  ["User", "%55ser"],
  ["a b", "a%20b"],
  ["x.json", "x%2ejson"],
  ["~name", "%7ename"],
  ["../etc/passwd", "%2e%2e%2fetc%2fpasswd"],
  ["C:\\x", "%43%3a%5cx"],
  ["é", "%c3%a9"],
  ["日本", "%e6%97%a5%e6%9c%ac"],
  ["🎉", "%f0%9f%8e%89"],
  ["con", "%63on"],
  ["com1", "%63om1"],
  ["CON", "%43%4f%4e"],
  ["a".repeat(200), "a".repeat(200)],
  ["a".repeat(201), "~a92efd82109373e58f9a2056dee01e807e216ce6075f7051207c0a9f7d666e50"],
  ["é".repeat(33), "%c3%a9".repeat(33)],
  ["é".repeat(34), "~c2061365f25e0f6f32bff7009de1be0094e77e59ea6778a5397991bb0aa96eb5"],
];

describe("safe name encoding", () => {
  it("produces exactly the names existing folders and buckets were written with", () => {
    for (const [name, encoded] of pinned) expect(encodeSafeName(name)).toBe(encoded);
    expect(hashedSafeName("a".repeat(201))).toBe(pinned[16]?.[1]);
    expect(maxSafeNameLength).toBe(200);
  });

  it("round-trips hostile and random names", () => {
    const next = random(7);
    const names = [...hostile, ...Array.from({ length: 500 }, () => randomName(next))];
    for (const name of names) expect(decodeSafeName(encodeSafeName(name))).toBe(name);
  });

  it("uses only lowercase letters, digits, '_', '-' and '%', never a separator or a dot", () => {
    const next = random(11);
    for (const name of [...hostile, ...Array.from({ length: 500 }, () => randomName(next))]) {
      const encoded = encodeSafeName(name);
      expect(encoded).toMatch(/^(?:[a-z0-9_-]|%[0-9a-f]{2})+$|^~[0-9a-f]{64}$/);
      expect(encoded.length).toBeLessThanOrEqual(maxSafeNameLength);
    }
  });

  it("keeps names that differ only in case distinct on case-insensitive filesystems", () => {
    const names = ["key", "Key", "KEY", "kEy"];
    const folded = new Set(names.map((name) => encodeSafeName(name).toLowerCase()));
    expect(folded.size).toBe(names.length);
  });

  it("never produces a Windows device name", () => {
    for (const name of ["con", "prn", "aux", "nul", "com1", "com9", "lpt1", "CON", "Aux"]) {
      expect(encodeSafeName(name)).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)$/i);
    }
  });

  it("hashes long names deterministically and keeps them distinct", () => {
    const long = "é".repeat(1024);
    expect(isHashedSafeName(encodeSafeName(long))).toBe(true);
    expect(encodeSafeName(long)).toBe(encodeSafeName(long));
    expect(encodeSafeName(long)).not.toBe(encodeSafeName(`${long}x`));
    // A hashed name is never decoded: the real name lives in the file.
    expect(decodeSafeName(encodeSafeName(long))).toBeUndefined();
    // Just under the limit stays readable.
    const fits = "a".repeat(maxSafeNameLength);
    expect(encodeSafeName(fits)).toBe(fits);
    expect(isHashedSafeName(encodeSafeName(`${fits}a`))).toBe(true);
  });

  it("rejects file names it cannot have made", () => {
    for (const fileName of ["README", "a.b", "%61", "%4A", "%4", "", "%ff", "~abc", "con"]) {
      expect(decodeSafeName(fileName)).toBeUndefined();
    }
  });
});
