/**
 * Sort, projection, skip and limit through `vault.query`, with expectations written by hand
 * from MongoDB's documented behaviour (type ordering, missing fields as null, arrays by their
 * extreme element, `_id` kept by default).
 */

import { FilterValidationError, UnsupportedOperatorError, ValidationError } from "@agentvault/core";
import type { AreaContext } from "../area-context.js";
import { expectErrorKind, expectOneOfErrorKinds, idList } from "../assertions.js";

const products = [
  { _id: "p1", name: "Lamp", price: 40, category: "home", stock: { count: 3 }, tags: ["b", "a"] },
  { _id: "p2", name: "Desk", price: 120, category: "office", stock: { count: 0 }, tags: ["c"] },
  { _id: "p3", name: "Chair", price: 80, category: "office", stock: { count: 7 }, tags: [] },
  { _id: "p4", name: "Rug", price: 40, category: "home", tags: ["z", "d"] },
  { _id: "p5", name: "Vase", price: 15.5, category: "home", stock: { count: 1 } },
];

/** Registers the sort, projection and pagination tests. */
export function sortProjectionPaginationTests(context: AreaContext): void {
  const { it, expect, beforeAll } = context.runner;
  let collection = "";

  beforeAll(async () => {
    collection = context.collectionName("products");
    for (const product of products) await context.vault().store(collection, product);
  });

  const query = (options: Parameters<ReturnType<AreaContext["vault"]>["query"]>[2], filter = {}) =>
    context.vault().query(collection, filter, options);

  it("sorts by a number ascending and descending, ties broken by a second key", async () => {
    expect(idList(await query({ sort: { price: 1, _id: 1 } }))).toEqual([
      "p5",
      "p1",
      "p4",
      "p3",
      "p2",
    ]);
    expect(idList(await query({ sort: { price: -1, _id: -1 } }))).toEqual([
      "p2",
      "p3",
      "p4",
      "p1",
      "p5",
    ]);
    expect(idList(await query({ sort: { category: 1, price: -1, name: 1 } }))).toEqual([
      "p1",
      "p4",
      "p5",
      "p2",
      "p3",
    ]);
  });

  it('accepts "asc" and "desc" and sorts strings by code point', async () => {
    expect(idList(await query({ sort: { name: "asc" } }))).toEqual(["p3", "p2", "p1", "p4", "p5"]);
    expect(idList(await query({ sort: { name: "desc" } }))).toEqual(["p5", "p4", "p1", "p2", "p3"]);
  });

  it("sorts by a nested path, missing values first when ascending", async () => {
    expect(idList(await query({ sort: { "stock.count": 1 } }))).toEqual([
      "p4",
      "p2",
      "p5",
      "p1",
      "p3",
    ]);
    expect(idList(await query({ sort: { "stock.count": -1 } }))).toEqual([
      "p3",
      "p1",
      "p5",
      "p2",
      "p4",
    ]);
  });

  it("sorts arrays by their smallest element ascending and largest descending", async () => {
    // Ascending keys: p1 "a", p2 "c", p3 [] (below null), p4 "d", p5 missing (null).
    expect(idList(await query({ sort: { tags: 1 } }))).toEqual(["p3", "p5", "p1", "p2", "p4"]);
    // Descending keys: p1 "b", p2 "c", p3 [], p4 "z", p5 null.
    expect(idList(await query({ sort: { tags: -1 } }))).toEqual(["p4", "p2", "p1", "p5", "p3"]);
  });

  it("sorts mixed types in MongoDB's type order", async () => {
    const mixed = context.collectionName("mixed");
    const vault = context.vault();
    const values: [string, unknown][] = [
      ["t_date", new Date(0)],
      ["t_true", true],
      ["t_false", false],
      ["t_bin", new Uint8Array([1])],
      ["t_array", [5]],
      ["t_object", { a: 1 }],
      ["t_string", "x"],
      ["t_number", 7],
      ["t_null", null],
    ];
    for (const [key, value] of values) await vault.store(mixed, { v: value }, { key });
    await vault.store(mixed, {}, { key: "t_missing" });
    const order = idList(await vault.query(mixed, {}, { sort: { v: 1, _id: 1 } }));
    // null and missing tie (broken by _id), then numbers (the array [5] sorts as 5), strings,
    // objects, binary, booleans (false < true), dates.
    expect(order).toEqual([
      "t_missing",
      "t_null",
      "t_array",
      "t_number",
      "t_string",
      "t_object",
      "t_bin",
      "t_false",
      "t_true",
      "t_date",
    ]);
  });

  it("skip and limit page through a sorted result without gaps or overlaps", async () => {
    const sort = { price: 1, _id: 1 } as const;
    const all = idList(await query({ sort }));
    const pages: string[] = [];
    for (let skip = 0; skip < all.length; skip += 2) {
      pages.push(...idList(await query({ sort, skip, limit: 2 })));
    }
    expect(pages).toEqual(all);
    expect(idList(await query({ sort, limit: 3 }))).toEqual(all.slice(0, 3));
    expect(idList(await query({ sort, skip: 4 }))).toEqual(all.slice(4));
    expect(await query({ sort, skip: 50 })).toEqual([]);
  });

  it("skip and limit apply after the filter", async () => {
    const filter = { category: "home" };
    expect(idList(await query({ sort: { price: -1, _id: 1 }, skip: 1, limit: 1 }, filter))).toEqual(
      ["p4"],
    );
  });

  it("an inclusion projection keeps the listed fields and _id", async () => {
    const [lamp] = await query({ projection: { name: 1, "stock.count": 1 } }, { _id: "p1" });
    expect(lamp).toEqual({ _id: "p1", name: "Lamp", stock: { count: 3 } });
    const [desk] = await query({ projection: ["name", "price"] }, { _id: "p2" });
    expect(desk).toEqual({ _id: "p2", name: "Desk", price: 120 });
  });

  it("an inclusion projection may drop _id", async () => {
    const [lamp] = await query({ projection: { name: 1, _id: 0 } }, { _id: "p1" });
    expect(lamp).toEqual({ name: "Lamp" });
  });

  it("an exclusion projection removes the listed fields", async () => {
    const [lamp] = await query({ projection: { tags: 0, "stock.count": 0 } }, { _id: "p1" });
    expect(lamp).toEqual({ _id: "p1", name: "Lamp", price: 40, category: "home", stock: {} });
  });

  it("sorting by a field the projection drops still sorts by it", async () => {
    const result = await query({ projection: { name: 1, _id: 0 }, sort: { price: -1, _id: 1 } });
    expect(result.map((document) => (document as { name?: string }).name)).toEqual([
      "Desk",
      "Chair",
      "Lamp",
      "Rug",
      "Vase",
    ]);
  });

  it("a projection never changes what is stored", async () => {
    await query({ projection: { name: 1 } });
    expect(await context.vault().retrieve(collection, "p1")).toEqual(products[0]);
  });

  it("mixing inclusion and exclusion, or projection operators, is refused", async () => {
    await expectErrorKind(
      expect,
      () => query({ projection: { name: 1, price: 0 } }),
      FilterValidationError,
    );
    await expectOneOfErrorKinds(
      expect,
      () => query({ projection: { tags: { $slice: 1 } } as never }),
      [FilterValidationError, UnsupportedOperatorError],
    );
  });

  it("negative or fractional skip and limit are refused with ValidationError", async () => {
    await expectErrorKind(expect, () => query({ limit: -1 }), ValidationError);
    await expectErrorKind(expect, () => query({ skip: -2 }), ValidationError);
    await expectErrorKind(expect, () => query({ limit: 1.5 }), ValidationError);
  });

  it("an invalid sort direction is refused", async () => {
    await expectOneOfErrorKinds(expect, () => query({ sort: { price: 2 as never } }), [
      FilterValidationError,
      ValidationError,
    ]);
  });
}
