import { describe, expect, it } from "vitest";
import {
  type AuditDraft,
  type AuditEntry,
  chainAuditEntries,
  emptyHead,
  genesisHash,
  verifyAuditChain,
} from "../src/audit-chain.js";
import { describeFilterShape } from "../src/filter-shape.js";

function draft(operation: string, resultCount: number | null = 1): AuditDraft {
  return {
    time: "2025-01-01T00:00:00.000Z",
    requestId: `req-${operation}`,
    principal: "billing",
    operation,
    collection: "billing.events",
    filterShape: null,
    resultCount,
    outcome: "allowed",
    errorCode: null,
  };
}

function chain(count: number): AuditEntry[] {
  const drafts = Array.from({ length: count }, (_, index) => draft(`op${index}`));
  return chainAuditEntries(drafts, emptyHead).entries;
}

describe("audit chain", () => {
  it("links each entry to the one before and continues from a head", () => {
    const first = chainAuditEntries([draft("a"), draft("b")], emptyHead);
    expect(first.entries[0]?.prevHash).toBe(genesisHash);
    expect(first.entries[1]?.prevHash).toBe(first.entries[0]?.hash);
    const second = chainAuditEntries([draft("c")], first.head);
    expect(second.entries[0]?.index).toBe(2);
    expect(verifyAuditChain([...first.entries, ...second.entries])).toEqual({
      ok: true,
      entries: 3,
    });
  });

  it("detects an edited entry", () => {
    const entries = chain(5);
    entries[2] = { ...(entries[2] as AuditEntry), resultCount: 99 };
    expect(verifyAuditChain(entries)).toMatchObject({ ok: false, firstBadIndex: 2 });
  });

  it("detects an edited entry whose hash was recomputed", () => {
    const entries = chain(5);
    const forged = chainAuditEntries([{ ...draft("op2"), outcome: "denied" }], {
      index: 1,
      hash: (entries[1] as AuditEntry).hash,
    }).entries[0] as AuditEntry;
    entries[2] = forged;
    expect(verifyAuditChain(entries)).toMatchObject({ ok: false, firstBadIndex: 3 });
  });

  it("detects a deleted entry", () => {
    const entries = chain(5);
    entries.splice(1, 1);
    expect(verifyAuditChain(entries)).toMatchObject({ ok: false, firstBadIndex: 1 });
  });

  it("detects reordered entries", () => {
    const entries = chain(5);
    const [third, fourth] = [entries[3] as AuditEntry, entries[4] as AuditEntry];
    entries[3] = fourth;
    entries[4] = third;
    expect(verifyAuditChain(entries)).toMatchObject({ ok: false, firstBadIndex: 3 });
  });
});

describe("filter shape", () => {
  it("keeps operators and paths and drops every value", () => {
    const shape = describeFilterShape({
      price: { $gt: 5, $lt: 123456 },
      $or: [{ tag: "secret-value" }, { "meta.owner": { $exists: false } }],
    });
    expect(shape).toBe("and(price:gt,price:lt,or(tag:eq,meta.owner:exists))");
    expect(shape).not.toContain("123456");
    expect(shape).not.toContain("secret-value");
  });

  it("marks filters that do not parse and leaves absent filters empty", () => {
    expect(describeFilterShape({ $where: "sleep(1000)" })).toBe("invalid");
    expect(describeFilterShape(undefined)).toBeNull();
  });
});
