/**
 * Library-tier corpus cases whose expectation contradicts MongoDB's documented behaviour. MongoDB
 * wins: suites must assert the opposite of the library's expectation for these cases (so an
 * exclusion can never hide a regression), and report them as excluded.
 */

/** Case name -> the MongoDB behaviour that overrides the library's expectation. */
export const corpusExclusions: ReadonlyMap<string, string> = new Map<string, string>([
  [
    "nedb/Model > Querying > Comparing on arrays > Can query on the size of an array field/L1284",
    "$size matches arrays only; childrens.names is missing in every element, so nothing matches",
  ],
]);
