import { describe, expect, it } from "vitest";
import {
  prepareRecordBatch,
  prepareRecordInput,
  type StoredRecord,
  stampRecord,
  ValidationError,
  validateDatabaseName,
} from "../src/index.js";

const options = { source: "scan-test" };

function failure(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(ValidationError.isInstance(error)).toBe(true);
    return error as ValidationError;
  }
  throw new Error("expected a ValidationError");
}

describe("prepareRecordInput", () => {
  it("keeps only the known fields of a well-formed record", () => {
    const record = {
      key: "k",
      value: { a: 1 },
      metadata: { by: "me" },
      expiresAt: 10,
      vector: [1, 2],
      createdAt: 1,
      updatedAt: 2,
      extra: "dropped",
    } as StoredRecord;
    expect(prepareRecordInput(record, options)).toEqual({
      key: "k",
      value: { a: 1 },
      metadata: { by: "me" },
      expiresAt: 10,
      vector: [1, 2],
      createdAt: 1,
      updatedAt: 2,
    });
  });

  it("names the malformed part and the provider", () => {
    const bad = (record: unknown) =>
      failure(() => prepareRecordInput(record as StoredRecord, options));
    expect(bad(null).path).toBe("record");
    expect(bad({ key: "k", value: 1, metadata: [] }).path).toBe("metadata");
    expect(bad({ key: "k", value: 1, metadata: null }).path).toBe("metadata");
    expect(bad({ key: "k", value: 1, expiresAt: Number.NaN }).path).toBe("expiresAt");
    expect(bad({ key: "k", value: 1, expiresAt: "soon" }).path).toBe("expiresAt");
    expect(bad({ key: "k" }).path).toBe("value");
    expect(bad({ key: "", value: 1 }).path).toBe("key");
    expect(bad({ key: "a\u0000b", value: 1 }).path).toBe("key");
    expect(bad({ key: "k", value: 1, vector: [1, Number.NaN] }).path).toBe("vector.1");
    expect(bad({ key: "k", value: 1, vector: [] }).message).toMatch(
      /^\[agentvault\] \[scan-test\]/,
    );
  });
});

describe("prepareRecordBatch", () => {
  it("keeps the last record of a repeated key, where the key first appeared", () => {
    const batch = prepareRecordBatch(
      [
        { key: "a", value: 1 },
        { key: "b", value: 2 },
        { key: "a", value: 3 },
      ],
      options,
    );
    expect(batch.map((record) => [record.key, record.value])).toEqual([
      ["a", 3],
      ["b", 2],
    ]);
  });

  it("rejects the whole batch when any record is malformed", () => {
    const records = [{ key: "a", value: 1 }, { key: "b" }] as StoredRecord[];
    expect(failure(() => prepareRecordBatch(records, options)).path).toBe("value");
    expect(prepareRecordBatch([], options)).toEqual([]);
  });
});

describe("stampRecord", () => {
  it("keeps createdAt from the replaced record, then the record's own, then now", () => {
    const record = { key: "k", value: 1 };
    expect(stampRecord(record, { key: "k", value: 0, createdAt: 5 }, 100)).toEqual({
      key: "k",
      value: 1,
      createdAt: 5,
      updatedAt: 100,
    });
    expect(stampRecord({ ...record, createdAt: 7, updatedAt: 8 }, undefined, 100)).toEqual({
      key: "k",
      value: 1,
      createdAt: 7,
      updatedAt: 8,
    });
    expect(stampRecord(record, undefined, 100)).toMatchObject({ createdAt: 100, updatedAt: 100 });
  });
});

describe("validateDatabaseName", () => {
  it("accepts any printable name; refuses empty, long, NUL, lone surrogates, non-strings", () => {
    for (const name of ["default", "../x", "Tenant A", "é", "🎉", "a".repeat(1024)]) {
      expect(validateDatabaseName(name, options)).toBe(name);
    }
    for (const name of ["", "a".repeat(1025), "a\u0000b", "\ud800", "t\udc00", 42, undefined]) {
      expect(failure(() => validateDatabaseName(name, options)).path).toBe("database");
    }
  });
});
