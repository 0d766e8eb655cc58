import fc from "fast-check";
import { update as mingoUpdate } from "mingo";
import { describe, expect, it } from "vitest";
import { applyUpdate, parseUpdate, valuesEqual } from "../src/index.js";

const fieldNames = ["a", "b", "c"] as const;

const leaf = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom("x", "y", "z"),
  fc.boolean(),
  fc.constant(null),
);

const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...fieldNames), tie("value"), { maxKeys: 3 }),
  ),
}));

const documentArbitrary = fc.dictionary(fc.constantFrom(...fieldNames), value, { maxKeys: 3 });

/** Paths through objects and arrays, numeric segments included. */
const pathArbitrary = fc
  .array(fc.constantFrom("a", "b", "c", "0", "1"), { minLength: 1, maxLength: 3 })
  .filter((segments) => !/^[0-9]$/.test(segments[0]!))
  .map((segments) => segments.join("."));

function operatorArbitrary(operator: string, argument: fc.Arbitrary<unknown>, maxKeys: number) {
  return fc
    .dictionary(pathArbitrary, argument, { minKeys: 1, maxKeys })
    .map((fields) => ({ [operator]: fields }));
}

const number = fc.integer({ min: -3, max: 3 });

/** The operators compared with mingo, with arguments mingo and MongoDB read the same way. */
const updateArbitrary = (maxKeys: number) =>
  fc.oneof(
    operatorArbitrary("$set", value, maxKeys),
    operatorArbitrary("$unset", fc.constant(""), maxKeys),
    operatorArbitrary("$inc", number, maxKeys),
    operatorArbitrary("$mul", number, maxKeys),
    operatorArbitrary("$min", leaf, maxKeys),
    operatorArbitrary("$max", leaf, maxKeys),
    operatorArbitrary("$push", value, maxKeys),
    operatorArbitrary(
      "$push",
      fc.record({
        $each: fc.array(leaf, { maxLength: 3 }),
        $slice: fc.integer({ min: -3, max: 3 }),
      }),
      maxKeys,
    ),
    operatorArbitrary("$addToSet", value, maxKeys),
    operatorArbitrary("$addToSet", fc.record({ $each: fc.array(leaf, { maxLength: 3 }) }), maxKeys),
    operatorArbitrary("$pull", leaf, maxKeys),
    operatorArbitrary("$pull", fc.record({ $gte: number }), maxKeys),
    operatorArbitrary("$pull", fc.record({ a: leaf }), maxKeys),
    fc.tuple(pathArbitrary, pathArbitrary).map(([from, to]) => ({ $rename: { [from]: to } })),
  );

/** An update our parser accepts (conflicting paths are generated, and rejected by both sides). */
function parses(update: object): boolean {
  try {
    parseUpdate(update);
    return true;
  } catch {
    return false;
  }
}

type Outcome = { ok: true; document: unknown } | { ok: false; error: unknown };

function ours(document: object, update: object): Outcome {
  try {
    return { ok: true, document: applyUpdate(document, update) };
  } catch (error) {
    return { ok: false, error };
  }
}

function mingo(document: object, update: object): Outcome {
  const copy = structuredClone(document) as Record<string, unknown>;
  try {
    mingoUpdate(copy, update);
    return { ok: true, document: copy };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Where mingo departs from MongoDB, MongoDB wins. Each entry names the MongoDB behaviour we
 * follow; `update-apply.test.ts` asserts that behaviour directly. Returns the reason, or
 * `undefined` when the two results must agree.
 */
function knownDifference(
  document: Record<string, unknown>,
  update: Record<string, Record<string, unknown>>,
  actual: Outcome,
  expected: Outcome,
): string | undefined {
  const operator = Object.keys(update)[0]!;
  const [path, argument] = Object.entries(update[operator]!)[0]!;
  const message = actual.ok ? "" : String((actual.error as Error).message);
  if (!actual.ok && /type null/.test(message)) {
    // MongoDB: "Cannot create field 'b' in element {a: null}" and "$push/$addToSet: the field
    // must be an array but is of type null"; mingo treats null like a missing field.
    return "null is a value, not a missing field";
  }
  if (!actual.ok && /Cannot create field|Cannot use the path/.test(message)) {
    // MongoDB fails with PathNotViable ("Cannot create field 'b' in element {a: ...}").
    return "MongoDB rejects a path through a scalar or a named field in an array; mingo skips it or updates every element";
  }
  if (!actual.ok && expected.ok && valuesEqual(expected.document, document)) {
    if (/needs an array|non-numeric/.test(message)) {
      return "MongoDB rejects $push/$addToSet/$pull on a non-array and $inc/$mul on a non-number; mingo skips it";
    }
    if (/into an array|out of an array/.test(message)) {
      return "MongoDB rejects $rename through an array; mingo skips it";
    }
  }
  if (operator === "$rename" && !actual.ok && /array/.test(message)) {
    return "MongoDB rejects $rename through an array; mingo moves array elements";
  }
  const existing = readPath(document, path);
  if ((operator === "$push" || operator === "$addToSet") && existing === undefined) {
    // MongoDB applies $slice, and $addToSet's de-duplication of $each, to a new array too.
    if (isPlainObject(argument) && ("$slice" in argument || "$each" in argument)) {
      return "mingo skips $slice / $each de-duplication when it creates the array";
    }
  }
  if (
    operator === "$addToSet" &&
    Array.isArray(existing) &&
    existing.some(
      (element, index) => existing.findIndex((other) => valuesEqual(other, element)) !== index,
    )
  ) {
    // MongoDB's $addToSet only checks the added values; it leaves existing duplicates alone.
    return "mingo also removes duplicates already in the array";
  }
  if (
    operator === "$pull" &&
    !isPlainObject(argument) &&
    Array.isArray(existing) &&
    existing.some(Array.isArray)
  ) {
    // MongoDB compares a plain $pull value for exact equality (its EqualityMatcher); mingo also
    // removes nested arrays that contain the value.
    return "mingo pulls nested arrays that merely contain the value";
  }
  if (
    operator === "$pull" &&
    isPlainObject(argument) &&
    !Object.keys(argument).some((key) => key.startsWith("$")) &&
    Array.isArray(existing) &&
    existing.some((element) => !isPlainObject(element))
  ) {
    // MongoDB reads a sub-document $pull condition as a query on sub-document elements only
    // (its ObjectMatcher); mingo also matches scalars, such as null for { a: null }.
    return "mingo applies a sub-document $pull condition to scalar elements";
  }
  if (operator === "$addToSet" && !expected.ok && expected.error instanceof TypeError) {
    return "mingo crashes on $addToSet of a sub-document";
  }
  if (
    (operator === "$min" || operator === "$max") &&
    (Array.isArray(existing) || isPlainObject(existing))
  ) {
    // MongoDB compares whole values with its BSON order (arrays above objects above strings).
    return "mingo compares arrays and sub-documents differently from MongoDB's BSON order";
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * mingo leaves holes when `$inc`, `$mul`, `$min` or `$max` write past an array's end; MongoDB
 * pads with nulls (as mingo's own `$set` does), so holes are read as nulls before comparing.
 */
function fillHoles(value: unknown): unknown {
  if (Array.isArray(value))
    return Array.from(value, (element) => (element === undefined ? null : fillHoles(element)));
  if (isPlainObject(value))
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, fillHoles(field)]));
  return value;
}

/** The value at a dot path, following numeric segments into arrays; undefined when absent. */
function readPath(document: unknown, path: string): unknown {
  let value = document;
  for (const segment of path.split(".")) {
    if (Array.isArray(value) && /^[0-9]+$/.test(segment)) value = value[Number(segment)];
    else if (isPlainObject(value) && Object.hasOwn(value, segment)) value = value[segment];
    else return undefined;
  }
  return value;
}

describe("applyUpdate properties", () => {
  it("never mutates its input, whether it succeeds or fails", () => {
    fc.assert(
      fc.property(documentArbitrary, updateArbitrary(2), (document, update) => {
        const snapshot = structuredClone(document);
        ours(document, update);
        expect(document).toEqual(snapshot);
      }),
      { numRuns: 500 },
    );
  });

  it("agrees with mingo's update operators on random documents, except where mingo departs from MongoDB", () => {
    const compared = { agreed: 0, differences: new Map<string, number>() };
    fc.assert(
      fc.property(documentArbitrary, updateArbitrary(1), (document, update) => {
        fc.pre(parses(update));
        const expected = mingo(document, update);
        const actual = ours(document, update);
        const reason = knownDifference(document, update, actual, expected);
        if (reason !== undefined) {
          compared.differences.set(reason, (compared.differences.get(reason) ?? 0) + 1);
          return;
        }
        expect(actual.ok, JSON.stringify({ document, update, actual, expected })).toBe(expected.ok);
        if (actual.ok && expected.ok) expect(actual.document).toEqual(fillHoles(expected.document));
        compared.agreed++;
      }),
      { numRuns: 2000 },
    );
    // The exceptions must stay exceptions: most random cases are compared for real.
    const excused = [...compared.differences.values()].reduce((sum, count) => sum + count, 0);
    expect(compared.agreed).toBeGreaterThan(excused);
  });
});
