/**
 * Differential tests against mingo (scripts disabled, strict MongoDB mode) on random documents
 * and random valid filters over a small universe: nulls, missing fields, nested objects and
 * arrays, mixed types and dates. Where mingo departs from MongoDB, the pair is excluded by a
 * documented predicate in `differential-exclusions.ts`; everything else must agree exactly.
 */

import fc from "fast-check";
import { Query } from "mingo";
import { describe, expect, it } from "vitest";
import { compileFilter } from "../src/index.js";
import { knownDifference } from "./differential-exclusions.js";

const scalar = fc.constantFrom<unknown>(
  null,
  0,
  1,
  2,
  -1,
  1.5,
  "x",
  "y",
  "",
  true,
  false,
  new Date(0),
  new Date(1000),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, scalar, scalar, tie("object"), tie("array")),
  object: fc.dictionary(fc.constantFrom("a", "b", "c"), tie("value"), { maxKeys: 2 }),
  array: fc.array(tie("value"), { maxLength: 3 }),
}));
const document = fc.dictionary(fc.constantFrom("a", "b", "c"), value, { maxKeys: 3 });
const path = fc.constantFrom("a", "b", "c", "a.b", "a.0", "a.1", "a.b.c", "a.0.b");
const condition = fc.oneof(
  scalar,
  fc.record({ $eq: scalar }),
  fc.record({ $ne: scalar }),
  fc.record({ $gt: scalar }),
  fc.record({ $gte: scalar }),
  fc.record({ $lt: scalar }),
  fc.record({ $lte: scalar }),
  fc.record({ $gt: scalar, $lte: scalar }),
  fc.record({ $in: fc.array(scalar, { maxLength: 3 }) }),
  fc.record({ $nin: fc.array(scalar, { maxLength: 3 }) }),
  fc.record({ $exists: fc.boolean() }),
  fc.record({
    $type: fc.constantFrom("null", "array", "object", "string", "number", "bool", "date", "int"),
  }),
  fc.record({ $size: fc.constantFrom(0, 1, 2) }),
  fc.record({ $all: fc.array(scalar, { maxLength: 2 }) }),
  fc.record({ $elemMatch: fc.oneof(fc.record({ $gt: scalar }), fc.record({ b: scalar })) }),
  fc.record({ $mod: fc.constantFrom([2, 0], [3, 1]) }),
  fc.record({ $not: fc.oneof(fc.record({ $gt: scalar }), fc.record({ $in: fc.array(scalar) })) }),
  fc.record({ $regex: fc.constantFrom("^x", "y", "", "X"), $options: fc.constantFrom("", "i") }),
);
const leaf = fc.dictionary(path, condition, { minKeys: 1, maxKeys: 2 });
const filter = fc.oneof(
  leaf,
  fc.record({ $or: fc.array(leaf, { minLength: 1, maxLength: 2 }) }),
  fc.record({ $nor: fc.array(leaf, { minLength: 1, maxLength: 2 }) }),
  fc.record({ $and: fc.array(leaf, { minLength: 1, maxLength: 2 }) }),
);

describe("differential: AgentVault vs mingo", () => {
  it("agrees on every pair outside the documented differences", () => {
    const tally = new Map<string, number>();
    const count = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1);
    fc.assert(
      fc.property(filter, fc.array(document, { minLength: 1, maxLength: 5 }), (raw, documents) => {
        const ours = compileFilter(raw);
        const reference = new Query(raw, { useStrictMode: true, scriptEnabled: false });
        for (const candidate of documents) {
          const excluded = knownDifference(raw, candidate);
          if (excluded !== undefined) {
            count(excluded.name);
            continue;
          }
          let expected: boolean;
          try {
            expected = reference.test(candidate);
          } catch {
            // mingo throws on some mixed-type comparisons; there is no oracle for those pairs.
            count("mingo threw");
            continue;
          }
          count("compared");
          expect(ours(candidate), JSON.stringify({ filter: raw, document: candidate })).toBe(
            expected,
          );
        }
      }),
      { numRuns: 3000, seed: 20240611 },
    );
    console.log("differential pairs:", Object.fromEntries(tally));
    const compared = tally.get("compared") ?? 0;
    const total = [...tally.values()].reduce((sum, value) => sum + value, 0);
    // The exclusions must stay narrow: most pairs are compared.
    expect(compared / total).toBeGreaterThan(0.6);
  });
});
