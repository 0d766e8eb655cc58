/**
 * Runs the shared MongoDB filter corpus (see /work/shared/corpus/README.md) through parseFilter
 * and compileFilter. Documents and cases our value model cannot represent are dropped or skipped
 * by the adapter in `src/testing`; every case it keeps must agree with MongoDB exactly.
 */

import { describe, expect, it } from "vitest";
import { compileFilter, FilterValidationError, parseFilter } from "../src/index.js";
import { CorpusTally, corpusExclusions, loadCorpus } from "../src/testing/index.js";

const cases = loadCorpus();
const tally = new CorpusTally();

function mismatches(testCase: (typeof cases)[number]): string[] {
  const predicate = compileFilter(testCase.filter);
  const wrong: string[] = [];
  testCase.documents.forEach((document, index) => {
    const actual = predicate(document);
    if (actual !== testCase.expectedMatches[index]) {
      wrong.push(`${JSON.stringify(document._id ?? document)} expected ${!actual}, got ${actual}`);
    }
  });
  return wrong;
}

describe("MongoDB filter corpus", () => {
  it("loads all cases", () => {
    expect(cases.length).toBeGreaterThan(1000);
  });

  for (const testCase of cases) {
    const title = `${testCase.tier} ${testCase.name}`;
    if (testCase.expectation === "skip") {
      tally.record(testCase, "skipped", testCase.skipReason);
      continue;
    }
    if (testCase.expectation === "reject") {
      tally.record(testCase, "rejected");
      it(`${title} is rejected`, () => {
        let error: unknown;
        try {
          parseFilter(testCase.filter);
        } catch (caught) {
          error = caught;
        }
        expect(FilterValidationError.isInstance(error), String(error)).toBe(true);
      });
      continue;
    }
    const exclusion = corpusExclusions.get(testCase.name);
    if (exclusion !== undefined) {
      tally.record(testCase, "excluded", exclusion);
      it(`${title} follows MongoDB, not the library (${exclusion})`, () => {
        // Every document's result must be the opposite of the library's expectation.
        const predicate = compileFilter(testCase.filter);
        testCase.documents.forEach((document, index) => {
          expect(predicate(document)).toBe(!testCase.expectedMatches[index]);
        });
      });
      continue;
    }
    tally.record(testCase, "ran");
    it(title, () => {
      expect(mismatches(testCase)).toEqual([]);
    });
  }

  it("prints the coverage table", () => {
    console.log(tally.format());
    expect(tally.tier("mongodb").ran).toBeGreaterThan(300);
  });
});
