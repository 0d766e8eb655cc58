import { describe, expect, it } from "vitest";
import { corpusCases, planCorpus } from "../src/index.js";

const all = corpusCases();
const count = (plan: ReturnType<typeof planCorpus>, expectation: "match" | "reject") =>
  plan.groups.flatMap((group) => group.cases).filter((c) => c.expectation === expectation).length;

describe("planCorpus", () => {
  it("plans every case the adapter keeps, once, and skips the rest with a reason", () => {
    const plan = planCorpus();
    const planned = plan.groups.flatMap((group) => group.cases.map((c) => c.testCase.name));
    expect(planned.length + plan.skipped.length).toBe(all.length);
    expect(count(plan, "reject")).toBe(all.filter((c) => c.expectation === "reject").length);
    for (const { reason } of plan.skipped) expect(reason.length).toBeGreaterThan(0);
  });

  it("stores each document set once for every case sharing it", () => {
    const plan = planCorpus({ tiers: ["mongodb"] });
    const signatures = plan.groups.map((group) =>
      JSON.stringify(group.documents, (_, value) =>
        value instanceof Uint8Array ? `binary:${Buffer.from(value).toString("hex")}` : value,
      ),
    );
    expect(plan.groups.length).toBeLessThan(count(plan, "match"));
    expect(plan.groups.every((group) => group.cases.length > 0)).toBe(true);
    expect(new Set(signatures).size).toBe(plan.groups.length);
  });

  it("expected keys are keys of the group's documents", () => {
    for (const group of planCorpus().groups) {
      const keys = new Set(group.documents.map((d) => d.key));
      expect(keys.size).toBe(group.documents.length);
      for (const planned of group.cases) {
        for (const key of planned.expectedKeys) expect(keys.has(key)).toBe(true);
      }
    }
  });

  it("sample mode keeps about sampleSize evenly spread cases plus every rejection", () => {
    const full = planCorpus();
    const sample = planCorpus({ mode: "sample", sampleSize: 50 });
    expect(count(sample, "match")).toBeLessThanOrEqual(50);
    expect(count(sample, "match")).toBeGreaterThan(40);
    expect(count(sample, "reject")).toBe(count(full, "reject"));
    const tiers = new Set(sample.groups.flatMap((g) => g.cases.map((c) => c.testCase.tier)));
    expect(tiers.size).toBe(new Set(all.map((c) => c.tier)).size);
  });

  it("tiers limits the plan to those tiers", () => {
    const plan = planCorpus({ tiers: ["library:sift"] });
    const tiers = new Set(plan.groups.flatMap((g) => g.cases.map((c) => c.testCase.tier)));
    expect([...tiers]).toEqual(["library:sift"]);
  });
});
