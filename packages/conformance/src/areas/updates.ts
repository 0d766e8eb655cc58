/**
 * Update operators through `vault.update` and `vault.updateMany`. The reference is `applyUpdate`
 * from `@agentvault/query` on the same document: every provider must store exactly what the
 * in-memory update produces.
 */

import {
  AgentVaultError,
  FilterValidationError,
  ValidationError,
  type Vault,
} from "@agentvault/core";
import { applyUpdate, type Document, type Value } from "@agentvault/query";
import type { AreaContext } from "../area-context.js";
import { expectOneOfErrorKinds, withoutId } from "../assertions.js";
import { updateCases } from "../fixtures/update-cases.js";

/** Replaces `$currentDate` fields with one fixed Date, after checking they hold a fresh one. */
function checkDates(
  context: AreaContext,
  stored: Document,
  fields: readonly string[],
  window: { readonly from: number; readonly to: number },
): void {
  const { expect } = context.runner;
  for (const field of fields) {
    const value = stored[field] as Value;
    expect(value, `${field} holds a Date`).toBeInstanceOf(Date);
    const time = (value as Date).getTime();
    // Allow a little skew: the provider or server may stamp with its own clock.
    expect(time).toBeGreaterThanOrEqual(window.from - 5_000);
    expect(time).toBeLessThanOrEqual(window.to + 5_000);
    stored[field] = new Date(0);
  }
}

async function storedWithoutId(vault: Vault, collection: string, key: string) {
  const stored = await vault.retrieve(collection, key);
  return stored === null ? null : (withoutId(stored) as Document);
}

/** Registers the update tests. */
export function updatesTests(context: AreaContext): void {
  const { it, expect } = context.runner;

  for (const testCase of updateCases) {
    it(`${testCase.title} (update and updateMany)`, async () => {
      const vault = context.vault();
      const collection = context.collectionName("op");
      const dateFields = testCase.dateFields ?? [];
      const expected = applyUpdate(testCase.document, testCase.update, { now: new Date(0) });
      const from = Date.now();

      await vault.store(collection, testCase.document, { key: "single" });
      expect(await vault.update(collection, "single", testCase.update)).toBe(true);
      const single = await storedWithoutId(vault, collection, "single");
      checkDates(context, single!, dateFields, { from, to: Date.now() });
      expect(single, "after vault.update").toEqual(expected);

      const marked = { ...testCase.document, group: "many" };
      await vault.store(collection, marked, { key: "many1" });
      await vault.store(collection, marked, { key: "many2" });
      await vault.store(collection, { ...testCase.document, group: "other" }, { key: "other" });
      expect(await vault.updateMany(collection, { group: "many" }, testCase.update)).toBe(2);
      const expectedMany = { ...expected, group: "many" };
      for (const key of ["many1", "many2"]) {
        const stored = await storedWithoutId(vault, collection, key);
        checkDates(context, stored!, dateFields, { from, to: Date.now() });
        expect(stored, `after vault.updateMany (${key})`).toEqual(expectedMany);
      }
      expect(await storedWithoutId(vault, collection, "other")).toEqual({
        ...testCase.document,
        group: "other",
      });
    });
  }

  it("update of a missing key returns false and creates nothing", async () => {
    const vault = context.vault();
    const collection = context.collectionName("missing");
    expect(await vault.update(collection, "nope", { $set: { a: 1 } })).toBe(false);
    expect(await vault.update(collection, "nope", { a: 1 })).toBe(false);
    expect(await vault.retrieve(collection, "nope")).toBeNull();
    expect(await vault.count(collection)).toBe(0);
  });

  it("updateMany returns 0 when nothing matches and counts every match otherwise", async () => {
    const vault = context.vault();
    const collection = context.collectionName("many");
    for (let index = 0; index < 6; index++) await vault.store(collection, { index, n: 0 });
    expect(await vault.updateMany(collection, { index: { $gt: 100 } }, { $inc: { n: 1 } })).toBe(0);
    expect(await vault.updateMany(collection, { index: { $lt: 4 } }, { $inc: { n: 1 } })).toBe(4);
    expect(await vault.updateMany(collection, {}, { $inc: { n: 1 } })).toBe(6);
    expect(await vault.count(collection, { n: 2 })).toBe(4);
    expect(await vault.count(collection, { n: 1 })).toBe(2);
  });

  const invalidUpdates: readonly [string, { [field: string]: unknown }][] = [
    ["operators mixed with plain fields", { $set: { a: 2 }, b: 3 }],
    ["an unknown operator", { $explode: { a: 1 } }],
    ["$inc with a string", { $inc: { a: "one" } }],
    ["$push with a malformed $each", { $push: { tags: { $each: 5 } } }],
    ["two operators on one path", { $set: { a: 1 }, $inc: { a: 1 } }],
    ["a $-prefixed field name in a value", { $set: { doc: { $bad: 1 } } }],
  ];
  for (const [title, update] of invalidUpdates) {
    it(`an update with ${title} is refused and changes nothing`, async () => {
      const vault = context.vault();
      const collection = context.collectionName("invalid");
      const document = { a: 1, tags: ["x"], doc: {} };
      await vault.store(collection, document, { key: "k" });
      await expectOneOfErrorKinds(expect, () => vault.update(collection, "k", update), [
        FilterValidationError,
        ValidationError,
      ]);
      await expectOneOfErrorKinds(expect, () => vault.updateMany(collection, {}, update), [
        FilterValidationError,
        ValidationError,
      ]);
      expect(await vault.retrieve(collection, "k")).toEqual({ _id: "k", ...document });
    });
  }

  it("an update that cannot apply to the stored value fails and changes nothing", async () => {
    const vault = context.vault();
    const collection = context.collectionName("inapplicable");
    await vault.store(collection, { s: "text", n: 1 }, { key: "k" });
    const error = await expectOneOfErrorKinds(
      expect,
      () => vault.update(collection, "k", { $inc: { s: 1, n: 1 } }),
      [FilterValidationError, ValidationError],
    );
    expect(AgentVaultError.isInstance(error)).toBe(true);
    expect(await vault.retrieve(collection, "k")).toEqual({ _id: "k", s: "text", n: 1 });
  });

  it("_id cannot be changed by an update", async () => {
    const vault = context.vault();
    const collection = context.collectionName("id");
    await vault.store(collection, { a: 1 }, { key: "k" });
    await expectOneOfErrorKinds(
      expect,
      () => vault.update(collection, "k", { $set: { _id: "other" } }),
      [FilterValidationError, ValidationError],
    );
    await expectOneOfErrorKinds(expect, () => vault.update(collection, "k", { _id: "other" }), [
      FilterValidationError,
      ValidationError,
    ]);
    expect(await vault.retrieve(collection, "k")).toEqual({ _id: "k", a: 1 });
    expect(await vault.retrieve(collection, "other")).toBeNull();
  });

  it("a plain patch may repeat the document's own _id, as retrieve returns it", async () => {
    const vault = context.vault();
    const collection = context.collectionName("own_id");
    await vault.store(collection, { a: 1 }, { key: "k" });
    const stored = await vault.retrieve(collection, "k");
    expect(await vault.update(collection, "k", { ...stored, a: 2 })).toBe(true);
    expect(await vault.retrieve(collection, "k")).toEqual({ _id: "k", a: 2 });
  });

  it("updates keep the record's metadata and vector", async () => {
    const vault = context.vault();
    const collection = context.collectionName("envelope");
    await vault.store(collection, { a: 1 }, { key: "k", metadata: { m: 1 }, vector: [1, 0] });
    await vault.update(collection, "k", { $set: { a: 2 } });
    await vault.updateMany(collection, {}, { $inc: { a: 1 } });
    const record = await context.provider().get(collection, "k");
    expect(record?.value).toEqual({ a: 3 });
    expect(record?.metadata).toEqual({ m: 1 });
    expect(record?.vector).toEqual([1, 0]);
  });
}
