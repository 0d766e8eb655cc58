/**
 * Generated documents for the differential filter tests. Values come from a small universe
 * (a few numbers, strings, dates, byte strings) so that random filters actually hit documents,
 * and the shapes cover what breaks translators: nested objects, arrays of scalars and of
 * sub-documents, nulls, missing fields, mixed types in one field, unicode and binary.
 */

import type { Value } from "@agentvault/query";
import fc from "fast-check";

/** Scalars documents and filters draw from. */
export const scalarUniverse: readonly Value[] = [
  -3,
  -1,
  0,
  1,
  2,
  3,
  1.5,
  -0.25,
  2 ** 40,
  "",
  "a",
  "b",
  "ab",
  "B",
  "é",
  "日本",
  "😀",
  "a b",
  null,
  true,
  false,
  new Date(0),
  new Date("2020-01-01T00:00:00.000Z"),
  new Date("2024-06-01T12:00:00.123Z"),
  new Uint8Array([]),
  new Uint8Array([0]),
  new Uint8Array([1, 2]),
];

/** Fresh copies, so no two documents share a mutable Date or byte array. */
function copyScalar(value: Value): Value {
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof Uint8Array) return new Uint8Array(value);
  return value;
}

/**
 * One scalar of the universe, common values weighted up so that equality and range filters
 * hit documents often.
 */
export const scalar: fc.Arbitrary<Value> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom<Value>(-2, -1, 0, 1, 2) },
  { weight: 3, arbitrary: fc.constantFrom<Value>("a", "b", "ab", "B", "é", "😀") },
  { weight: 2, arbitrary: fc.constantFrom<Value>(null, true, false) },
  { weight: 2, arbitrary: fc.constantFrom(...scalarUniverse).map(copyScalar) },
);

/** A number of the universe: most filters compare numbers. */
export const smallNumber: fc.Arbitrary<number> = fc.constantFrom(-3, -1, 0, 1, 2, 3, 1.5);

/** A small sub-document (`{ x, y, k, v }`, every field optional). */
export const subDocumentValue: fc.Arbitrary<Value> = fc.record(
  { x: scalar, y: scalar, k: fc.constantFrom("a", "b", "c"), v: smallNumber },
  { requiredKeys: [], noNullPrototype: true },
);

/** A scalar, an array (of scalars or sub-documents, possibly nested) or a sub-document. */
export const fieldValue: fc.Arbitrary<Value> = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 2, arbitrary: fc.array(scalar, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.array(subDocumentValue, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.array(fc.array(smallNumber, { maxLength: 2 }), { maxLength: 2 }) },
  { weight: 2, arbitrary: subDocumentValue },
);

/** A generated document: every field is optional. */
export const randomDocument: fc.Arbitrary<{ [field: string]: Value }> = fc.record(
  {
    a: fieldValue,
    b: fieldValue,
    n: smallNumber,
    s: fc.constantFrom("a", "b", "ab", "B", "é", "日本", "😀", ""),
    tags: fc.array(fc.constantFrom("red", "green", "blue", "Red"), { maxLength: 4 }),
    o: subDocumentValue,
    items: fc.array(subDocumentValue, { maxLength: 3 }),
  },
  { requiredKeys: [], noNullPrototype: true },
);

/**
 * `count` documents from `seed`, each with its `_id` (`r00`, `r01`, ...: ASCII, so every
 * backend orders them alike).
 */
export function generateDocuments(count: number, seed: number): { [field: string]: Value }[] {
  const documents = fc.sample(randomDocument, { seed, numRuns: count });
  return documents.map((document, index) => ({
    _id: `r${String(index).padStart(3, "0")}`,
    ...document,
  }));
}
