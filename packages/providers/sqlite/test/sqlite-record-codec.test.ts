/**
 * The batch write path encodes values with one walk that finds array paths and tagged values
 * together (`encodeValueText`); it must write exactly what `stringifyValue` writes and report
 * exactly the paths `visitArrayPaths` reports.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateDocuments } from "@agentvault/conformance";
import { stringifyValue, ValidationError } from "@agentvault/core";
import { parseFilter, type Value } from "@agentvault/query";
import { afterAll, describe, expect, it } from "vitest";
import { sqliteProvider } from "../src/index.js";
import { ArrayPathScanner, visitArrayPaths } from "../src/sqlite-array-shapes.js";
import { encodeValueText } from "../src/sqlite-record-codec.js";

function visited(walk: (visit: (key: string) => void) => unknown): string[] {
  const keys: string[] = [];
  walk((key) => keys.push(key));
  return keys;
}

const inherited: { [field: string]: Value } = Object.create({ hidden: new Date(0) });
inherited.shown = [1, 2];

const edgeCases: Value[] = [
  null,
  42,
  "text",
  new Date(86_400_000),
  new Uint8Array([1, 2, 3]),
  [],
  [[new Date(1)]],
  [[{ deep: [1] }], { inside: [new Uint8Array([9])] }],
  { list: [1, [2, [new Date(2)]]], plain: { a: { b: "c" } } },
  { items: [{ at: new Date(3), tags: ["x"] }, { tags: [] }, null, 5] },
  { bytes: new Uint8Array(0), nested: { list: [{ list: [{ list: [] }] }] } },
  { ["__proto__"]: { at: new Date(4) } } as unknown as Value,
  inherited,
];

describe("encodeValueText", () => {
  const documents: Value[] = [...edgeCases, ...generateDocuments(200, 77)];
  // One scanner for all values, as in a batch; a small trie limit exercises paths built anew.
  for (const limit of [10_000, 3]) {
    it(`writes what stringifyValue writes and visits what visitArrayPaths visits (${documents.length} values, trie limit ${limit})`, () => {
      let keys: string[] = [];
      const scanner = new ArrayPathScanner((key) => keys.push(key), limit);
      for (const root of ["value", "metadata"]) {
        for (const document of documents) {
          keys = [];
          expect(encodeValueText(scanner, root, document)).toBe(stringifyValue(document));
          expect(keys).toEqual(visited((visit) => visitArrayPaths(root, document, visit)));
        }
      }
    });
  }

  it("rejects an invalid date anywhere in a value", () => {
    const scanner = new ArrayPathScanner(() => {});
    expect(() => encodeValueText(scanner, "value", [[new Date(Number.NaN)]])).toThrow(
      ValidationError,
    );
    expect(() =>
      encodeValueText(scanner, "metadata", { a: [{ b: new Date(Number.NaN) }] }),
    ).toThrow(ValidationError);
  });
});

describe("putMany", () => {
  const directory = mkdtempSync(join(tmpdir(), "agentvault-sqlite-codec-"));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it("stores dates and binary nested in arrays, and finds records through new array paths", async () => {
    const provider = sqliteProvider({ directory });
    try {
      const values: Value[] = [
        { grid: [[new Date(5)], [new Uint8Array([7])]], items: [{ at: new Date(6), n: 1 }] },
        { grid: [], items: [{ n: 2 }], tags: ["a", "b"] },
        { items: [{ n: 3 }], tags: ["c"] },
      ];
      await provider.putMany(
        "docs",
        values.map((value, index) => ({
          key: `k${index}`,
          value,
          metadata: { history: [{ at: new Date(index) }] },
        })),
      );
      for (const [index, value] of values.entries()) {
        const record = await provider.get("docs", `k${index}`);
        expect(record?.value).toEqual(value);
        expect(record?.metadata).toEqual({ history: [{ at: new Date(index) }] });
      }
      const found = await provider.find("docs", { filter: parseFilter({ "value.items.n": 2 }) });
      expect(found.map((record) => record.key)).toEqual(["k1"]);
      const tagged = await provider.find("docs", { filter: parseFilter({ "value.tags": "c" }) });
      expect(tagged.map((record) => record.key)).toEqual(["k2"]);
    } finally {
      await provider.close();
    }
  });

  it("writes nothing from a batch holding an invalid date", async () => {
    const provider = sqliteProvider({ directory, database: "invalid" });
    try {
      await expect(
        provider.putMany("docs", [
          { key: "good", value: { at: [new Date(1)] } },
          { key: "bad", value: { at: [[new Date(Number.NaN)]] } },
        ]),
      ).rejects.toThrow(ValidationError);
      expect(await provider.get("docs", "good")).toBeNull();
    } finally {
      await provider.close();
    }
  });
});
