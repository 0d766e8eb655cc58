import { describe, expect, it } from "vitest";
import {
  createVault,
  IntegrityError,
  type MigrationProgress,
  memoryProvider,
  migrate,
  type StorageProvider,
  type StoredRecord,
  ValidationError,
} from "../src/index.js";

function manualClock(start = Date.UTC(2025, 0, 1)) {
  let now = start;
  return Object.assign(() => now, {
    advance(milliseconds: number) {
      now += milliseconds;
    },
  });
}

const everything = { type: "and", children: [] } as const;

/** Every live record of every collection, without the timestamps a backend may set. */
async function contents(provider: StorageProvider) {
  const result: Record<string, Partial<StoredRecord>[]> = {};
  for (const collection of await provider.listCollections()) {
    const records = await provider.find(collection, { filter: everything });
    result[collection] = records
      .map(({ key, value, metadata, expiresAt, vector }) => ({
        key,
        value,
        metadata,
        expiresAt,
        vector,
      }))
      .sort((a, b) => (a.key! < b.key! ? -1 : 1));
  }
  return result;
}

async function seed(provider: StorageProvider, clock: () => number, label: string) {
  const vault = createVault({ provider, now: clock });
  await vault.store(
    "notes",
    {
      label,
      at: new Date(Date.UTC(2024, 1, 29, 12)),
      bytes: new Uint8Array([0, 255]),
      text: "ü🎉",
    },
    { key: "n/1 ?#", metadata: { by: "ann", when: new Date(7) }, vector: [0.5, -1], ttl: 3600 },
  );
  await vault.store("notes", { label, n: 2 }, { key: "n2" });
  await vault.store("notes", { label, gone: true }, { key: "short", ttl: 1 });
  await vault.store("tasks", { label, done: false }, { key: "t1" });
  await (await vault.kv("prefs")).set("theme", label);
}

describe("migrate", () => {
  it("copies several databases exactly, with dates, binary, metadata, vectors and absolute expiry", async () => {
    const clock = manualClock();
    const from = memoryProvider({ clock });
    const to = memoryProvider({ clock });
    await seed(from, clock, "default");
    await seed(from.withDatabase("acme"), clock, "acme");
    clock.advance(1000);
    const progress: MigrationProgress[] = [];
    const report = await migrate({
      from,
      to,
      databases: ["default", "acme"],
      batchSize: 1,
      clock,
      onProgress: (step) => progress.push(step),
    });
    expect(report.records).toBe(10);
    expect(report.databases.map((entry) => entry.database)).toEqual(["default", "acme"]);
    expect(report.databases[0]!.collections).toMatchObject({ notes: 2, tasks: 1 });
    for (const database of ["default", "acme"]) {
      const copied = await contents(to.withDatabase(database));
      expect(copied).toEqual(await contents(from.withDatabase(database)));
      expect(copied.notes!.map((record) => record.key)).toEqual(["n/1 ?#", "n2"]);
      expect(copied.notes![0]!.expiresAt).toBe(Date.UTC(2025, 0, 1) + 3600 * 1000);
    }
    expect(progress).toContainEqual({ database: "acme", collection: "notes", copied: 2 });
    const target = createVault({ provider: to, now: clock });
    expect(await (await target.kv("prefs")).get("theme")).toBe("default");
  });

  it("copies only the chosen collections into the target's own database", async () => {
    const from = memoryProvider();
    const to = memoryProvider({ database: "elsewhere" });
    await seed(from, Date.now, "x");
    const report = await migrate({ from, to, collections: ["tasks"] });
    expect(report.records).toBe(1);
    expect(await to.listCollections()).toEqual(["tasks"]);
  });

  it("fails with IntegrityError when the target does not keep what it was given", async () => {
    const from = memoryProvider();
    await seed(from, Date.now, "x");
    const inner = memoryProvider();
    // A broken backend that turns dates into strings.
    const lossy: StorageProvider = new Proxy(inner, {
      get(target, property) {
        if (property === "putMany") {
          return (collection: string, records: readonly StoredRecord[]) =>
            target.putMany(
              collection,
              records.map((record) => ({
                ...record,
                value: JSON.parse(JSON.stringify(record.value)),
              })),
            );
        }
        const value = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    await expect(migrate({ from, to: lossy })).rejects.toThrow(IntegrityError);
    await expect(migrate({ from, to: lossy, verify: false })).resolves.toMatchObject({
      records: 6,
    });
  });

  it("checks its options", async () => {
    const provider = memoryProvider();
    await expect(migrate({ from: provider, to: {} as StorageProvider })).rejects.toThrow(
      ValidationError,
    );
    await expect(migrate({ from: provider, to: provider, batchSize: 0 })).rejects.toThrow(
      ValidationError,
    );
    await expect(
      migrate({ from: provider, to: memoryProvider(), collections: ["../bad"] }),
    ).rejects.toThrow(ValidationError);
  });
});
