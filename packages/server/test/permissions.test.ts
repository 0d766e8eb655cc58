import { describe, expect, it } from "vitest";
import {
  namespaceOf,
  qualifyCollection,
  validatePrincipalName,
  validateTenantId,
} from "../src/names.js";
import {
  type AccessQuestion,
  defaultAccessPolicy,
  type KeyRole,
  type Permission,
} from "../src/permissions.js";

function ask(overrides: Partial<AccessQuestion> & { role?: KeyRole; principal?: string }): boolean {
  const collection = overrides.collection ?? "billing.events";
  return defaultAccessPolicy({
    caller: { principal: overrides.principal ?? "billing", role: overrides.role ?? "service" },
    collection,
    namespace: namespaceOf(collection),
    owner: "owner" in overrides ? overrides.owner : "billing",
    granted: overrides.granted,
    needed: overrides.needed ?? "read",
  });
}

const all: Permission[] = ["read", "write", "admin"];

describe("access policy", () => {
  it("gives owners every permission on their collections", () => {
    for (const needed of all) expect(ask({ needed })).toBe(true);
  });

  it("lets a principal create collections in its own namespace only", () => {
    expect(ask({ owner: undefined, needed: "write" })).toBe(true);
    expect(ask({ owner: undefined, principal: "search", needed: "write" })).toBe(false);
    expect(ask({ owner: undefined, principal: "search", needed: "read" })).toBe(false);
  });

  it("gives others exactly what was granted", () => {
    const other = { principal: "search" };
    expect(ask({ ...other })).toBe(false);
    expect(ask({ ...other, granted: "read", needed: "read" })).toBe(true);
    expect(ask({ ...other, granted: "read", needed: "write" })).toBe(false);
    expect(ask({ ...other, granted: "write", needed: "write" })).toBe(true);
    expect(ask({ ...other, granted: "write", needed: "admin" })).toBe(false);
    expect(ask({ ...other, granted: "admin", needed: "admin" })).toBe(true);
  });

  it("does not let a principal take over a collection registered in its namespace by someone else", () => {
    expect(ask({ owner: "admin-tool", principal: "billing", needed: "write" })).toBe(false);
  });

  it("caps reader keys at read, even on their own collections", () => {
    expect(ask({ role: "reader", needed: "read" })).toBe(true);
    expect(ask({ role: "reader", needed: "write" })).toBe(false);
    expect(ask({ role: "reader", principal: "x", granted: "admin", needed: "write" })).toBe(false);
  });

  it("gives tenant admins everything", () => {
    for (const needed of all) expect(ask({ role: "admin", principal: "ops", needed })).toBe(true);
  });
});

describe("names", () => {
  it("namespaces short collection names to the principal", () => {
    expect(qualifyCollection("events", "billing")).toBe("billing.events");
    expect(qualifyCollection("search.docs", "billing")).toBe("search.docs");
    expect(namespaceOf("search.docs.v2")).toBe("search");
  });

  it("rejects reserved, empty and malformed collection names", () => {
    for (const bad of ["_avaudit", "", ".x", "a b", "billing.", 7, "x".repeat(121)]) {
      expect(() => qualifyCollection(bad, "billing")).toThrow(/Collection names/);
    }
  });

  it("checks tenant and principal names", () => {
    expect(validateTenantId("acme-1")).toBe("acme-1");
    for (const bad of ["Acme", "-x", "a.b", "", "x".repeat(49), "__proto__"]) {
      expect(() => validateTenantId(bad)).toThrow(/Tenant ids/);
    }
    expect(validatePrincipalName("Billing_2")).toBe("Billing_2");
    for (const bad of ["a.b", "", "_x", "a b"]) {
      expect(() => validatePrincipalName(bad)).toThrow(/Principal names/);
    }
  });
});
