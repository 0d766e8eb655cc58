import { IntegrityError, type StoredRecord, ValidationError } from "@agentvault/core";
import { BSON, Long, ObjectId } from "mongodb";
import { describe, expect, it } from "vitest";
import { fromMongoDocument, toMongoDocument } from "../src/mongodb-record-codec.js";
import { putPipeline } from "../src/mongodb-writes.js";

const now = 1_700_000_000_000;

/** Stores a record the way the driver would and reads it back. */
function roundTrip(record: StoredRecord): StoredRecord {
  const bytes = BSON.serialize(toMongoDocument(record, now) as never);
  return fromMongoDocument(BSON.deserialize(bytes));
}

describe("record envelope", () => {
  it("stores the envelope with native dates, binary and long integers", () => {
    const document = toMongoDocument(
      {
        key: "k",
        value: { at: new Date(5), raw: new Uint8Array([1]), big: 2 ** 40 },
        metadata: { source: "test" },
        expiresAt: now + 1000,
        vector: [0.5, 1],
      },
      now,
    );
    expect(document).toEqual({
      _id: "k",
      value: { at: new Date(5), raw: expect.anything(), big: Long.fromNumber(2 ** 40) },
      metadata: { source: "test" },
      expiresAt: new Date(now + 1000),
      vector: [0.5, 1],
      createdAt: new Date(now),
      updatedAt: new Date(now),
    });
  });

  it("writes absent metadata as {}, and absent expiry and vector as null", () => {
    expect(toMongoDocument({ key: "k", value: 1 }, now)).toEqual({
      _id: "k",
      value: 1,
      metadata: {},
      expiresAt: null,
      vector: null,
      createdAt: new Date(now),
      updatedAt: new Date(now),
    });
  });

  it("round-trips every part of a record through BSON bytes", () => {
    const record: StoredRecord = {
      key: "a key/with ünicode 🙂",
      value: {
        title: "note",
        at: new Date(1_700_000_000_123),
        raw: new Uint8Array([0, 255]),
        n: -1.5,
      },
      metadata: { source: "test", rank: 3, tags: ["x"] },
      expiresAt: now + 60_000,
      vector: [0.25, -0.5, 1],
      createdAt: now - 10,
      updatedAt: now,
    };
    expect(roundTrip(record)).toEqual(record);
  });

  it("round-trips values that are not documents (data manager records)", () => {
    for (const value of ["text", 42, true, null, [1, "two", { three: 3 }], 2 ** 53 - 1]) {
      const back = roundTrip({ key: "k", value });
      expect(back.value).toEqual(value);
      expect(back.metadata).toBeUndefined();
      expect(back.expiresAt).toBeUndefined();
      expect(back.vector).toBeUndefined();
      expect(back.createdAt).toBe(now);
    }
  });

  it("reads a projected document without a value as null", () => {
    expect(fromMongoDocument({ _id: "k", expiresAt: null })).toEqual({ key: "k", value: null });
  });

  it("refuses malformed records with ValidationError", () => {
    const bad: unknown[] = [
      null,
      { key: "", value: 1 },
      { key: "a\u0000b", value: 1 },
      { key: "k" },
      { key: "k", value: 1, metadata: [] },
      { key: "k", value: 1, expiresAt: Number.NaN },
      { key: "k", value: 1, vector: [] },
      { key: "k", value: 1, vector: ["x"] },
      { key: "k", value: { f: () => 1 } },
    ];
    for (const record of bad) {
      expect(() => toMongoDocument(record as StoredRecord, now), JSON.stringify(record)).toThrow(
        ValidationError,
      );
    }
  });

  it("refuses documents that are not envelopes with IntegrityError", () => {
    const bad: Record<string, unknown>[] = [
      { _id: new ObjectId(), value: 1 },
      { _id: "k", value: 1, metadata: "text" },
      { _id: "k", value: 1, expiresAt: "tomorrow" },
      { _id: "k", value: 1, vector: ["x"] },
      { _id: "k", value: new ObjectId() },
    ];
    for (const document of bad) expect(() => fromMongoDocument(document)).toThrow(IntegrityError);
  });
});

describe("putPipeline", () => {
  it("replaces every field with literals and keeps createdAt unless the stored record expired", () => {
    const document = toMongoDocument({ key: "k", value: { price: "$price" } }, now);
    expect(putPipeline(document, now)).toEqual([
      {
        $set: {
          value: { $literal: { price: "$price" } },
          metadata: { $literal: {} },
          expiresAt: { $literal: null },
          vector: { $literal: null },
          createdAt: {
            $cond: [
              { $and: [{ $gt: ["$expiresAt", null] }, { $lte: ["$expiresAt", new Date(now)] }] },
              { $literal: new Date(now) },
              { $ifNull: ["$createdAt", { $literal: new Date(now) }] },
            ],
          },
          updatedAt: { $literal: new Date(now) },
        },
      },
    ]);
  });
});
