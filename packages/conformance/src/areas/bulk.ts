/**
 * Bulk work: `putMany` of many records at once, and the counts `updateMany`, `deleteMany` and
 * `clear` report over them; export and import reproduce a database.
 */

import { createVault, type StoredRecord } from "@agentvault/core";
import type { AreaContext } from "../area-context.js";
import { idSet } from "../assertions.js";

const bulkTimeout = 120_000;

function bulkRecords(count: number): StoredRecord[] {
  return Array.from({ length: count }, (_, index) => ({
    key: `item-${String(index).padStart(5, "0")}`,
    value: { index, group: index % 10, even: index % 2 === 0, label: `label ${index}` },
  }));
}

/** Registers the bulk tests. */
export function bulkTests(context: AreaContext): void {
  const { it, expect } = context.runner;
  const total = () => context.limits.bulkRecords;

  it(
    "putMany writes every record, readable by key, getMany, query and count",
    async () => {
      const provider = context.provider();
      const vault = context.vault();
      const collection = context.collectionName("put_many");
      const records = bulkRecords(total());
      await provider.putMany(collection, records);
      expect(await vault.count(collection)).toBe(total());
      const all = await vault.retrieve(collection);
      expect(all).toHaveLength(total());
      expect(idSet(all)).toEqual(records.map((record) => record.key).sort());
      const sample = records.filter((_, index) => index % 97 === 0);
      const fetched = await provider.getMany(
        collection,
        sample.map((record) => record.key),
      );
      expect(fetched.map((record) => record?.value)).toEqual(sample.map((record) => record.value));
      expect(await vault.count(collection, { group: 3 })).toBe(
        records.filter((record) => (record.value as { group: number }).group === 3).length,
      );
    },
    bulkTimeout,
  );

  it(
    "putMany overwrites existing keys and leaves the others alone",
    async () => {
      const provider = context.provider();
      const collection = context.collectionName("overwrite");
      await provider.putMany(collection, bulkRecords(20));
      await provider.putMany(collection, [
        { key: "item-00003", value: { replaced: true } },
        { key: "new", value: { added: true } },
      ]);
      expect((await provider.get(collection, "item-00003"))?.value).toEqual({ replaced: true });
      expect((await provider.get(collection, "item-00004"))?.value).toMatchObject({ index: 4 });
      expect(await context.vault().count(collection)).toBe(21);
      await provider.putMany(collection, []);
      expect(await context.vault().count(collection)).toBe(21);
    },
    bulkTimeout,
  );

  it(
    "updateMany, deleteMany and clear report exact counts",
    async () => {
      const provider = context.provider();
      const vault = context.vault();
      const collection = context.collectionName("counts");
      const records = bulkRecords(total());
      await provider.putMany(collection, records);
      const evens = records.filter((record) => (record.value as { even: boolean }).even).length;
      expect(await vault.updateMany(collection, { even: true }, { $set: { flagged: true } })).toBe(
        evens,
      );
      expect(await vault.count(collection, { flagged: true })).toBe(evens);
      const lowGroups = records.filter((record) => (record.value as { group: number }).group < 3);
      expect(await vault.deleteMany(collection, { group: { $lt: 3 } })).toBe(lowGroups.length);
      expect(await vault.deleteMany(collection, { group: { $lt: 3 } })).toBe(0);
      const left = total() - lowGroups.length;
      expect(await vault.count(collection)).toBe(left);
      expect(await vault.clear(collection)).toBe(left);
      expect(await vault.count(collection)).toBe(0);
      expect(await vault.clear(collection)).toBe(0);
    },
    bulkTimeout,
  );

  it(
    "export then import into another database reproduces every record",
    async () => {
      const vault = context.vault();
      const collection = context.collectionName("export");
      for (let index = 0; index < 25; index++) {
        await vault.store(
          collection,
          { index, at: new Date(index * 1000), raw: new Uint8Array([index]) },
          { key: `e${index}`, metadata: { m: index } },
        );
      }
      const lines: string[] = [];
      for await (const line of vault.export()) lines.push(line);
      expect(lines.length).toBeGreaterThanOrEqual(25);
      const target = context.provider().withDatabase(context.databaseName("import"));
      try {
        const copy = createVault({ provider: target, now: context.clock.now });
        const written = await copy.import(lines);
        expect(written).toBeGreaterThanOrEqual(25);
        const original = await vault.retrieve(collection);
        const imported = await copy.retrieve(collection);
        const byKey = (documents: typeof original) =>
          [...documents].sort((a, b) => (a._id < b._id ? -1 : 1));
        expect(byKey(imported)).toEqual(byKey(original));
        expect((await target.get(collection, "e7"))?.metadata).toEqual({ m: 7 });
      } finally {
        await target.dropDatabase();
      }
    },
    bulkTimeout,
  );
}
