import { ValidationError } from "@agentvault/core";
import { describe, expect, it } from "vitest";
import {
  fromMongoCollectionName,
  maxDatabaseNameBytes,
  toMongoCollectionName,
  toMongoDatabaseName,
  validateAffixes,
} from "../src/mongodb-names.js";

/** MongoDB's database-name rules: < 64 bytes, none of `/\. "$*<>:|?` or NUL, not empty. */
function isValidMongoDatabaseName(name: string): boolean {
  return (
    name.length > 0 &&
    Buffer.byteLength(name, "utf8") <= maxDatabaseNameBytes &&
    !/[/\\. "$*<>:|?]/.test(name) &&
    !name.includes("\u0000")
  );
}

const awkwardNames = [
  "Acme",
  "acme corp",
  "a.b",
  "a/b",
  'quote"d',
  "dollar$",
  "star*",
  "<angle>",
  "colon:",
  "pipe|",
  "question?",
  "back\\slash",
  "nul\u0000char",
  "日本語のテナント",
  "emoji-🙂",
  "x".repeat(200),
  "ü".repeat(100),
  "double--dash",
  "-leading-dash",
  "_leading_underscore",
  "__proto__",
  "constructor",
];

describe("toMongoDatabaseName", () => {
  it("wraps simple names in the default prefix and suffix, as the seed's customer databases", () => {
    expect(toMongoDatabaseName("acme")).toBe("agentvault_acme_vault");
    expect(toMongoDatabaseName("abc12345")).toBe("agentvault_abc12345_vault");
    expect(toMongoDatabaseName("default")).toBe("agentvault_default_vault");
    expect(toMongoDatabaseName("team-7_x")).toBe("agentvault_team-7_x_vault");
  });

  it("does not wrap twice a name that already carries the prefix and suffix (the server's names)", () => {
    expect(toMongoDatabaseName("agentvault_acme_vault")).toBe("agentvault_acme_vault");
    expect(toMongoDatabaseName("agentvault_Acme_vault")).toBe(toMongoDatabaseName("Acme"));
    // Only the exact wrapping is removed: a bare prefix or suffix is part of the name.
    expect(toMongoDatabaseName("agentvault_")).toBe("agentvault_agentvault__vault");
    expect(toMongoDatabaseName("_vault")).toMatch(/^agentvault__vault--[0-9a-f]{12}_vault$/);
  });

  it("uses the configured prefix and suffix, including none at all", () => {
    expect(toMongoDatabaseName("acme", { prefix: "flowstack_", suffix: "_vault" })).toBe(
      "flowstack_acme_vault",
    );
    expect(toMongoDatabaseName("acme", { prefix: "", suffix: "" })).toBe("acme");
    expect(toMongoDatabaseName("Acme", { prefix: "", suffix: "" })).toMatch(/^acme--[0-9a-f]{12}$/);
  });

  it("turns every awkward name into a valid MongoDB name", () => {
    for (const name of awkwardNames) {
      const mapped = toMongoDatabaseName(name);
      expect(isValidMongoDatabaseName(mapped), `${JSON.stringify(name)} -> ${mapped}`).toBe(true);
      expect(mapped.startsWith("agentvault_")).toBe(true);
      expect(mapped.endsWith("_vault")).toBe(true);
    }
  });

  it("keeps awkward names apart, also when they differ only in case (MongoDB would refuse both)", () => {
    const names = [...awkwardNames, "acme", "ACME", "aCme", "a_b", "a-b", "a b", "acme--0"];
    const mapped = names.map((name) => toMongoDatabaseName(name).toLowerCase());
    expect(new Set(mapped).size).toBe(names.length);
  });

  it("never lets a simple name collide with a hashed one", () => {
    const hashed = toMongoDatabaseName("Acme");
    const middle = hashed.slice("agentvault_".length, -"_vault".length);
    expect(middle).toContain("--");
    // Writing the hashed form by hand is not a simple name, so it is hashed again.
    expect(toMongoDatabaseName(middle)).not.toBe(hashed);
  });

  it("is deterministic and keeps long names readable up to the byte limit", () => {
    const long = "tenant_".repeat(20);
    expect(toMongoDatabaseName(long)).toBe(toMongoDatabaseName(long));
    expect(Buffer.byteLength(toMongoDatabaseName(long))).toBeLessThanOrEqual(63);
    expect(toMongoDatabaseName(long)).toMatch(/^agentvault_tenant_tenant_.*--[0-9a-f]{12}_vault$/);
    const fits = "a".repeat(63 - "agentvault__vault".length);
    expect(toMongoDatabaseName(fits)).toBe(`agentvault_${fits}_vault`);
    expect(toMongoDatabaseName(`${fits}a`)).toMatch(/--[0-9a-f]{12}_vault$/);
  });

  it("refuses empty, oversized and non-string names", () => {
    for (const name of ["", "x".repeat(1025), 42, undefined]) {
      expect(() => toMongoDatabaseName(name as string)).toThrow(ValidationError);
    }
  });

  it("checks prefixes and suffixes", () => {
    expect(() => validateAffixes({ prefix: "a.b", suffix: "" })).toThrow(ValidationError);
    expect(() => validateAffixes({ prefix: "", suffix: "x y" })).toThrow(ValidationError);
    expect(() => validateAffixes({ prefix: "p".repeat(20), suffix: "s".repeat(11) })).toThrow(
      ValidationError,
    );
    expect(validateAffixes({ prefix: "Org-1_", suffix: "" })).toEqual({
      prefix: "Org-1_",
      suffix: "",
    });
  });
});

describe("collection names", () => {
  it("keeps ordinary names and escapes MongoDB's reserved system. prefix, reversibly", () => {
    for (const name of ["orders", "svc.orders", "_avkv", "_avkv.settings", "a-b_c.9"]) {
      expect(toMongoCollectionName(name)).toBe(name);
      expect(fromMongoCollectionName(name)).toBe(name);
    }
    expect(toMongoCollectionName("system.users")).toBe("~system.users");
    expect(fromMongoCollectionName("~system.users")).toBe("system.users");
  });

  it("lists neither MongoDB's own collections nor names AgentVault never writes", () => {
    expect(fromMongoCollectionName("system.views")).toBeUndefined();
    expect(fromMongoCollectionName("system.profile")).toBeUndefined();
    expect(fromMongoCollectionName("~orders")).toBeUndefined();
    expect(fromMongoCollectionName("has space")).toBeUndefined();
    expect(fromMongoCollectionName(".hidden")).toBeUndefined();
  });
});
