/**
 * Random valid filters and sorts over the field universe of `random-documents.ts`. Each filter
 * is a raw MongoDB-style object, exactly what a user passes to `vault.query`.
 */

import type { Value } from "@agentvault/query";
import fc from "fast-check";
import { fieldValue, scalar, smallNumber, subDocumentValue } from "./random-documents.js";

/** A raw filter, as a user writes it. */
export type RawFilter = { [field: string]: unknown };

/**
 * Paths filters address (top-level, nested, through arrays, by index, absent), each with the
 * values its documents mostly hold, so that most filters select some documents but not all.
 * A fifth of the values come from the whole universe instead, to mix types.
 */
const pathValues: Readonly<Record<string, fc.Arbitrary<Value>>> = {
  a: scalar,
  b: scalar,
  n: smallNumber,
  s: fc.constantFrom<Value>("a", "b", "ab", "B", "é", "日本", "😀", ""),
  tags: fc.constantFrom<Value>("red", "green", "blue", "Red"),
  o: subDocumentValue,
  "o.x": scalar,
  "o.y": scalar,
  "a.x": scalar,
  "b.v": smallNumber,
  items: subDocumentValue,
  "items.k": fc.constantFrom<Value>("a", "b", "c"),
  "items.v": smallNumber,
  "items.0.k": fc.constantFrom<Value>("a", "b", "c"),
  "a.0": scalar,
  "a.1": scalar,
  missing: scalar,
};

/** The addressable paths. */
export const filterPaths: readonly string[] = Object.keys(pathValues);

/** Paths most documents have are picked three times as often as the unusual ones. */
const commonPaths = new Set(["a", "b", "n", "s", "tags", "o.x", "items.k", "items.v"]);
const weightedPath = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...filterPaths.filter((path) => commonPaths.has(path))) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...filterPaths.filter((path) => !commonPaths.has(path))),
  },
);

const typeName = fc.constantFrom(
  "string",
  "number",
  "int",
  "double",
  "long",
  "null",
  "array",
  "object",
  "bool",
  "date",
  "binData",
);
const regex = fc.record({
  $regex: fc.constantFrom("^a", "b$", "a", "^$", "é", "^A", "^.$", "日", "^r", "e"),
  $options: fc.constantFrom("", "i"),
});

/** Operator expressions valid under `$elemMatch` on scalars and under `$not`. */
function scalarOperator(value: fc.Arbitrary<Value>): fc.Arbitrary<RawFilter> {
  const list = fc.array(value, { minLength: 1, maxLength: 3 });
  return fc.oneof(
    fc.record({ $gt: value }),
    fc.record({ $gte: value }),
    fc.record({ $lt: value }),
    fc.record({ $lte: value }),
    fc.record({ $eq: value }),
    fc.record({ $ne: value }),
    fc.record({ $in: list }),
    fc.record({ $nin: list }),
    fc.record({ $type: typeName }),
    regex,
  );
}

function conditionObject(value: fc.Arbitrary<Value>): fc.Arbitrary<RawFilter> {
  return fc.oneof(
    { weight: 8, arbitrary: scalarOperator(value) },
    { weight: 2, arbitrary: fc.record({ $gte: value, $lt: value }) },
    { weight: 2, arbitrary: fc.record({ $exists: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ $size: fc.integer({ min: 0, max: 3 }) }) },
    { weight: 2, arbitrary: fc.record({ $all: fc.array(value, { minLength: 1, maxLength: 2 }) }) },
    { weight: 2, arbitrary: fc.record({ $elemMatch: scalarOperator(value) }) },
    {
      weight: 2,
      arbitrary: fc.record({
        $elemMatch: fc.record(
          { k: fc.constantFrom<Value>("a", "b", "c"), v: fc.record({ $gte: smallNumber }) },
          { requiredKeys: [] },
        ),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        $all: fc.array(
          fc.record({ $elemMatch: fc.record({ k: fc.constantFrom<Value>("a", "b", "c") }) }),
          { minLength: 1, maxLength: 2 },
        ),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ $mod: fc.tuple(fc.constantFrom(2, 3), fc.constantFrom(0, 1)) }),
    },
    { weight: 2, arbitrary: fc.record({ $not: scalarOperator(value) }) },
    { weight: 1, arbitrary: fc.record({ $eq: fieldValue }) },
  );
}

const idCondition: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ $in: fc.array(fc.constantFrom("r000", "r003", "r010", "zz"), { maxLength: 3 }) }),
  fc.record({ $gte: fc.constantFrom("r005", "r020") }),
  fc.constantFrom("r001", "r007"),
);

/** Conditions on an array of sub-documents (`items`), where `$elemMatch` forms matter most. */
const elementFilter = fc.record(
  { k: fc.constantFrom<Value>("a", "b", "c"), v: fc.record({ $gte: smallNumber }) },
  { requiredKeys: [] },
);
const subDocumentArrayCondition: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ $elemMatch: elementFilter }),
  fc.record({
    $all: fc.array(fc.record({ $elemMatch: elementFilter }), { minLength: 1, maxLength: 2 }),
  }),
  fc.record({ $size: fc.integer({ min: 0, max: 3 }) }),
  subDocumentValue.map((value) => [value]),
);

/** `{ path: value }` (implicit equality) or `{ path: { $op: ... } }`. */
const fieldCondition: fc.Arbitrary<RawFilter> = fc.oneof(
  {
    weight: 9,
    arbitrary: weightedPath.chain((field) => {
      const value = fc.oneof({ weight: 4, arbitrary: pathValues[field]! }, scalar);
      return fc
        .oneof(
          { weight: 1, arbitrary: fc.oneof({ weight: 3, arbitrary: value }, fieldValue) },
          { weight: 3, arbitrary: conditionObject(value) },
        )
        .map((condition): RawFilter => ({ [field]: condition }));
    }),
  },
  { weight: 1, arbitrary: idCondition.map((condition): RawFilter => ({ _id: condition })) },
  {
    weight: 1,
    arbitrary: subDocumentArrayCondition.map((condition): RawFilter => ({ items: condition })),
  },
);

/** A document-level filter of field conditions and `$and`/`$or`/`$nor`, a few levels deep. */
export const randomFilter: fc.Arbitrary<RawFilter> = fc.letrec<{ filter: RawFilter }>((tie) => ({
  filter: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 5, arbitrary: fieldCondition },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fieldCondition, fieldCondition)
        .map(([left, right]) => ({ ...left, ...right })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom("$and", "$or", "$nor"),
          fc.array(tie("filter"), { minLength: 1, maxLength: 3 }),
        )
        .map(([operator, children]) => ({ [operator]: children })),
    },
  ),
})).filter;

/** Sortable paths (a missing one included: it sorts as null). */
const sortPath = fc.constantFrom("a", "b", "n", "s", "tags", "o.x", "items.v", "missing");

/** A raw sort of one or two paths, ending with `_id` so ties have one order everywhere. */
export const randomSort: fc.Arbitrary<{ [field: string]: 1 | -1 }> = fc
  .uniqueArray(fc.tuple(sortPath, fc.constantFrom<1 | -1>(1, -1)), {
    minLength: 1,
    maxLength: 2,
    selector: ([field]) => field,
  })
  .map((keys) => {
    const sort: { [field: string]: 1 | -1 } = {};
    for (const [field, direction] of keys) sort[field] = direction;
    sort._id = 1;
    return sort;
  });

/** A query: filter, sort, skip and an optional limit. */
export interface RandomSortedQuery {
  readonly filter: RawFilter;
  readonly sort: { [field: string]: 1 | -1 };
  readonly skip: number;
  readonly limit: number | undefined;
}

/** Random sorted, paged queries. */
export const randomSortedQuery: fc.Arbitrary<RandomSortedQuery> = fc.record({
  filter: fc.oneof(fc.constant({}), randomFilter),
  sort: randomSort,
  skip: fc.integer({ min: 0, max: 8 }),
  limit: fc.option(fc.integer({ min: 1, max: 15 }), { nil: undefined }),
});
