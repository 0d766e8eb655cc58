import { describe, expect, it } from "vitest";
import { compareBySort, FilterValidationError, parseSort, sortDocuments } from "../src/index.js";

function ids(documents: readonly { id: string }[]): string[] {
  return documents.map((document) => document.id);
}

function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

describe("parseSort", () => {
  it("keeps the written priority order and reads every direction spelling", () => {
    expect(parseSort({ price: -1, name: 1 })).toEqual([
      { field: { path: "price", segments: ["price"] }, direction: -1 },
      { field: { path: "name", segments: ["name"] }, direction: 1 },
    ]);
    const fromPairs = parseSort([
      ["a.b", "desc"],
      ["c", "asc"],
      ["d", "descending"],
      ["e", "ascending"],
    ]);
    expect(fromPairs.map((key) => [key.field.segments, key.direction])).toEqual([
      [["a", "b"], -1],
      [["c"], 1],
      [["d"], -1],
      [["e"], 1],
    ]);
    expect(parseSort({})).toEqual([]);
  });

  it.each([
    [{ price: 2 }, "price"],
    [{ price: "up" }, "price"],
    [{ score: { $meta: "textScore" } }, "score"],
    [{ "a..b": 1 }, "a..b"],
    [{ $natural: 1 }, "$natural"],
    [[["a", 1], ["b"]], "1"],
    [
      [
        ["a", 1],
        ["a", -1],
      ],
      "1",
    ],
    ["price", ""],
    [null, ""],
  ])("rejects %j at path %j", (input, path) => {
    const error = catchError(() => parseSort(input));
    expect(FilterValidationError.isInstance(error)).toBe(true);
    expect((error as FilterValidationError).path).toBe(path);
  });

  it("says a $meta sort is an unsupported operator", () => {
    expect(() => parseSort({ score: { $meta: "textScore" } })).toThrow(
      /unsupported operator \$meta/,
    );
  });
});

describe("sortDocuments", () => {
  it("orders numbers and strings and breaks ties with the next key", () => {
    const documents = [
      { id: "a", price: 3, name: "pen" },
      { id: "b", price: 1, name: "ink" },
      { id: "c", price: 3, name: "cap" },
    ];
    expect(ids(sortDocuments(documents, parseSort({ price: -1, name: 1 })))).toEqual([
      "c",
      "a",
      "b",
    ]);
  });

  it("is stable for equal keys and does not reorder its input", () => {
    const documents = ["a", "b", "c", "d"].map((id, index) => ({ id, group: index % 2 }));
    const sorted = sortDocuments(documents, parseSort({ group: 1 }));
    expect(ids(sorted)).toEqual(["a", "c", "b", "d"]);
    expect(ids(documents)).toEqual(["a", "b", "c", "d"]);
  });

  it("sorts missing like null, before numbers, and uses the cross-type order", () => {
    const documents = [
      { id: "date", v: new Date(0) },
      { id: "bool", v: false },
      { id: "string", v: "x" },
      { id: "missing" },
      { id: "number", v: 10 },
      { id: "null", v: null },
      { id: "object", v: { a: 1 } },
    ];
    const ascending = ids(sortDocuments(documents, parseSort({ v: 1 })));
    expect(ascending).toEqual(["missing", "null", "number", "string", "object", "bool", "date"]);
    const descending = ids(sortDocuments(documents, parseSort({ v: -1 })));
    expect(descending).toEqual(["date", "bool", "object", "string", "number", "missing", "null"]);
  });

  it("sorts arrays by their smallest element ascending and largest descending", () => {
    const documents = [
      { id: "wide", v: [1, 10] },
      { id: "mid", v: [5] },
      { id: "scalar", v: 7 },
    ];
    expect(ids(sortDocuments(documents, parseSort({ v: 1 })))).toEqual(["wide", "mid", "scalar"]);
    expect(ids(sortDocuments(documents, parseSort({ v: -1 })))).toEqual(["wide", "scalar", "mid"]);
  });

  it("puts an empty array below null in both directions' order", () => {
    const documents = [
      { id: "empty", v: [] },
      { id: "null", v: null },
      { id: "one", v: 1 },
    ];
    expect(ids(sortDocuments(documents, parseSort({ v: 1 })))).toEqual(["empty", "null", "one"]);
    expect(ids(sortDocuments(documents, parseSort({ v: -1 })))).toEqual(["one", "null", "empty"]);
  });

  it("follows dot paths through arrays of sub-documents", () => {
    const documents = [
      { id: "a", items: [{ price: 9 }, { price: 4 }] },
      { id: "b", items: [{ price: 5 }] },
      { id: "c", items: { price: 6 } },
    ];
    expect(ids(sortDocuments(documents, parseSort({ "items.price": 1 })))).toEqual(["a", "b", "c"]);
    expect(ids(sortDocuments(documents, parseSort({ "items.price": -1 })))).toEqual([
      "a",
      "c",
      "b",
    ]);
  });

  it("counts an element lacking the field as null, as MongoDB's key generator does", () => {
    const documents = [
      { id: "partial", items: [{ price: 1 }, { other: 2 }] },
      { id: "full", items: [{ price: 0 }] },
    ];
    expect(ids(sortDocuments(documents, parseSort({ "items.price": 1 })))).toEqual([
      "partial",
      "full",
    ]);
  });

  it("reads a numeric segment as an array position", () => {
    const documents = [
      { id: "a", scores: [3, 1] },
      { id: "b", scores: [2, 9] },
    ];
    expect(ids(sortDocuments(documents, parseSort({ "scores.0": 1 })))).toEqual(["b", "a"]);
    expect(ids(sortDocuments(documents, parseSort({ "scores.1": 1 })))).toEqual(["a", "b"]);
  });

  it("never reads inherited properties such as constructor", () => {
    const documents = [{ id: "plain" }, { id: "own", constructor: 1 }] as { id: string }[];
    expect(ids(sortDocuments(documents, parseSort({ constructor: -1 })))).toEqual(["own", "plain"]);
  });
});

describe("compareBySort", () => {
  it("works as an Array.prototype.sort comparator", () => {
    const documents = [{ id: "x", n: 2 }, { id: "y", n: 1 }, { id: "z" }];
    expect(ids([...documents].sort(compareBySort(parseSort({ n: 1 }))))).toEqual(["z", "y", "x"]);
    expect(compareBySort(parseSort({ n: 1 }))({ n: 1 }, { n: 1 })).toBe(0);
  });
});
