import { ValidationError } from "@agentvault/core";
import { describe, expect, it } from "vitest";
import {
  checkPrefix,
  collectionFromQdrantName,
  escapeNamePart,
  qdrantCollectionName,
  unescapeNamePart,
} from "../src/qdrant-names.js";

describe("Qdrant collection names", () => {
  it("escape every part reversibly, so database and collection never run together", () => {
    for (const part of ["notes", "svc.notes", "a--b", "a-b", "Ünïcode", "x_y-2e", "-002d"]) {
      expect(unescapeNamePart(escapeNamePart(part))).toBe(part);
      expect(escapeNamePart(part)).toMatch(/^([A-Za-z0-9_]|-[0-9a-f]{4})*$/);
    }
    const first = qdrantCollectionName("agentvault", "a--b", "c");
    const second = qdrantCollectionName("agentvault", "a", "b--c");
    expect(first).not.toBe(second);
    expect(qdrantCollectionName("av", "acme", "svc.notes")).toBe("av--acme--svc-002enotes");
  });

  it("map back to the collection only for names of the same prefix and database", () => {
    const name = qdrantCollectionName("av", "tenant-1", "orders.v2");
    expect(collectionFromQdrantName("av", "tenant-1", name)).toBe("orders.v2");
    expect(collectionFromQdrantName("av", "tenant", name)).toBeUndefined();
    expect(collectionFromQdrantName("other", "tenant-1", name)).toBeUndefined();
    expect(collectionFromQdrantName("av", "tenant-1", "unrelated")).toBeUndefined();
  });

  it("refuse over-long names and bad prefixes with ValidationError", () => {
    expect(() => qdrantCollectionName("av", "d".repeat(200), "c".repeat(60))).toThrow(
      ValidationError,
    );
    for (const prefix of ["", "a-b", "x".repeat(41), 3]) {
      expect(() => checkPrefix(prefix)).toThrow(ValidationError);
    }
    expect(checkPrefix("agent_vault2")).toBe("agent_vault2");
  });
});
