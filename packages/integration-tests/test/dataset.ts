/**
 * A small data set with everything a copy can get wrong: dates (in values and metadata), binary,
 * unicode, keys with spaces, slashes and emoji, nested and empty structures, large safe integers,
 * values that are not documents (the data manager's), vectors and an absolute expiry.
 */

import type { StorageProvider, StoredRecord } from "@agentvault/core";
import type { Value } from "@agentvault/query";

/** An expiry an hour away, fixed for the whole run so every copy can be compared with it. */
export const expiry = Date.now() + 3_600_000;

/** The records of each collection, as written to the source. */
export const dataset: Readonly<Record<string, readonly StoredRecord[]>> = {
  notes: [
    {
      key: "n1",
      value: {
        text: "héllo wörld 🎉",
        at: new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 123)),
        bytes: new Uint8Array([0, 1, 127, 128, 254, 255]),
        nested: { list: [1, "two", null, { deep: true, when: new Date(0) }] },
      },
      metadata: { author: "ann", at: new Date(5), tags: ["a", "b"] },
      vector: [0.25, -0.5, 1],
    },
    {
      key: "key with spaces/and:colons?#%",
      value: { n: 2.5, big: Number.MAX_SAFE_INTEGER, negative: -0.125 },
      expiresAt: expiry,
    },
    { key: "ключ-🔑", value: { empty: {}, list: [], flag: false }, metadata: { kind: "edge" } },
  ],
  tasks: [{ key: "t1", value: { done: false, due: new Date(Date.UTC(2030, 0, 1)) } }],
  data: [
    { key: "raw-list", value: ["list", 1, { inside: new Uint8Array([9]) }] },
    { key: "raw-string", value: "just a string", metadata: { kind: "text" } },
    { key: "raw-number", value: 42 },
  ],
};

/** The parts of a record a copy must keep; empty metadata counts as none. */
export interface Comparable {
  readonly key: string;
  readonly value: Value;
  readonly metadata?: { readonly [field: string]: Value } | undefined;
  readonly expiresAt?: number | undefined;
  readonly vector?: readonly number[] | undefined;
}

function comparable(record: StoredRecord): Comparable {
  const metadata =
    record.metadata !== undefined && Object.keys(record.metadata).length > 0
      ? record.metadata
      : undefined;
  return {
    key: record.key,
    value: record.value,
    metadata,
    expiresAt: record.expiresAt,
    vector: record.vector === undefined ? undefined : [...record.vector],
  };
}

const everything = { type: "and", children: [] } as const;

/** Every live record of the named collections, comparable, in key order. */
export async function contents(
  provider: StorageProvider,
  collections: readonly string[] = Object.keys(dataset),
): Promise<Record<string, Comparable[]>> {
  const result: Record<string, Comparable[]> = {};
  for (const collection of collections) {
    const records = await provider.find(collection, { filter: everything });
    result[collection] = records
      .map(comparable)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
  return result;
}

/** What `contents` must return for a faithful copy of `dataset`. */
export function expectedContents(): Record<string, Comparable[]> {
  const result: Record<string, Comparable[]> = {};
  for (const [collection, records] of Object.entries(dataset)) {
    result[collection] = records
      .map(comparable)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
  return result;
}

/** Writes the data set into `provider`. */
export async function seedDataset(provider: StorageProvider): Promise<void> {
  for (const [collection, records] of Object.entries(dataset)) {
    await provider.putMany(collection, records);
  }
}

/** Every binary value in `value`, so tests can check each is a plain `Uint8Array`. */
export function binaries(value: unknown): unknown[] {
  if (value instanceof Uint8Array) return [value];
  if (value === null || typeof value !== "object" || value instanceof Date) return [];
  return Object.values(value).flatMap(binaries);
}
