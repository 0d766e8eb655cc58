import type { FilterNode } from "@agentvault/query";
import { describe, expect, it } from "vitest";
import {
  fromRecord,
  isExpired,
  prefixFilterPaths,
  recordView,
  toRecordFilter,
  toRecordProjection,
  toRecordSort,
} from "../src/index.js";

function firstPath(node: FilterNode): string {
  const first = node.type === "field" ? node : node.children[0];
  return first?.type === "field" ? first.field.path : "";
}

function field(path: string) {
  return { path, segments: path === "" ? [] : path.split(".") };
}

const elementFilter: FilterNode = {
  type: "field",
  field: field("name"),
  condition: { op: "eq", value: "x" },
};

const filter: FilterNode = {
  type: "and",
  children: [
    { type: "field", field: field("price"), condition: { op: "gt", value: 5 } },
    { type: "field", field: field("_id"), condition: { op: "eq", value: "k" } },
    {
      type: "or",
      children: [
        {
          type: "field",
          field: field("items"),
          condition: { op: "elemMatch", filter: elementFilter, scalar: false },
        },
        {
          type: "field",
          field: field("tags"),
          condition: { op: "all", values: [], regexes: [], elemMatches: [elementFilter] },
        },
        { type: "field", field: field("_id.part"), condition: { op: "exists", value: true } },
      ],
    },
  ],
};

describe("record view", () => {
  it("prefixes document paths with value, keeps _id and relative $elemMatch paths", () => {
    const rewritten = toRecordFilter(filter);
    expect(rewritten).toEqual({
      type: "and",
      children: [
        { type: "field", field: field("value.price"), condition: { op: "gt", value: 5 } },
        { type: "field", field: field("_id"), condition: { op: "eq", value: "k" } },
        {
          type: "or",
          children: [
            {
              type: "field",
              field: field("value.items"),
              condition: { op: "elemMatch", filter: elementFilter, scalar: false },
            },
            {
              type: "field",
              field: field("value.tags"),
              condition: { op: "all", values: [], regexes: [], elemMatches: [elementFilter] },
            },
            { type: "field", field: field("_id.part"), condition: { op: "exists", value: true } },
          ],
        },
      ],
    });
    // The input is not modified.
    expect(firstPath(filter)).toBe("price");
  });

  it("lets the data manager map paths its own way", () => {
    const rewritten = prefixFilterPaths(filter, (segments) =>
      segments[0] === "data" ? ["value", ...segments.slice(1)] : segments,
    );
    expect(firstPath(rewritten)).toBe("price");
  });

  it("rewrites sorts and projections", () => {
    expect(
      toRecordSort([
        { field: field("a.b"), direction: -1 },
        { field: field("_id"), direction: 1 },
      ]),
    ).toEqual([
      { field: field("value.a.b"), direction: -1 },
      { field: field("_id"), direction: 1 },
    ]);
    expect(
      toRecordProjection({ mode: "include", includeId: false, fields: [field("name")] }),
    ).toEqual({
      mode: "include",
      includeId: false,
      fields: [field("value.name")],
    });
  });

  it("builds views, documents and expiry checks", () => {
    const record = { key: "k1", value: { a: 1, _id: "forged" }, expiresAt: 100 };
    expect(recordView(record)).toEqual({ _id: "k1", value: record.value, metadata: {} });
    const doc = fromRecord(record);
    expect(doc).toEqual({ _id: "k1", a: 1 });
    expect(Object.keys(doc)[0]).toBe("_id");
    expect(fromRecord({ key: "k2", value: [1, 2] })).toEqual({ _id: "k2", value: [1, 2] });
    expect(isExpired(record, 99)).toBe(false);
    expect(isExpired(record, 100)).toBe(true);
    expect(isExpired({ key: "k", value: 1 }, Number.MAX_SAFE_INTEGER)).toBe(false);
  });

  it("keeps __proto__ a field when building documents", () => {
    const value = JSON.parse('{"__proto__":{"admin":true}}');
    const doc = fromRecord({ key: "k", value });
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect((doc as { admin?: boolean }).admin).toBeUndefined();
    expect(Object.hasOwn(doc, "__proto__")).toBe(true);
  });
});
