import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createVault, IntegrityError, memoryProvider } from "../src/index.js";

function manualClock(start = Date.UTC(2025, 0, 1)) {
  let now = start;
  return Object.assign(() => now, {
    advance(milliseconds: number) {
      now += milliseconds;
    },
  });
}

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const result: string[] = [];
  for await (const line of lines) result.push(line);
  return result;
}

async function sourceVault() {
  const clock = manualClock();
  const vault = createVault({ provider: memoryProvider({ clock }), now: clock });
  await vault.store(
    "notes",
    { text: "héllo 🎉", at: new Date(5), bytes: new Uint8Array([1, 2]) },
    { key: "n1" },
  );
  await vault.store(
    "notes",
    { text: "tagged" },
    { key: "n2", metadata: { by: "ann" }, vector: [0.5, 1], ttl: 3600 },
  );
  await vault.store("tasks", { done: false }, { key: "../t1" });
  await vault.store("tasks", { done: true }, { key: "gone", ttl: 1 });
  const store = await vault.kv("prefs");
  await store.set("theme", "dark");
  clock.advance(1000);
  return { vault, clock };
}

/** Recomputes the trailer of `lines` as an exporter would, or with the given counts. */
function resign(lines: string[], counts?: Record<string, number>): string[] {
  const header = lines[0]!;
  const body = lines.slice(1, -1);
  const actual: Record<string, number> = {};
  for (const line of body) {
    const collection = JSON.parse(line).c as string;
    actual[collection] = (actual[collection] ?? 0) + 1;
  }
  const sha256 = createHash("sha256")
    .update([header, ...body].join("\n"))
    .digest("hex");
  const trailer = { trailer: true, records: body.length, collections: counts ?? actual, sha256 };
  return [header, ...body, JSON.stringify(trailer)];
}

describe("export and import", () => {
  it("writes a header, one line per live record and a checksummed trailer", async () => {
    const { vault } = await sourceVault();
    const lines = await collect(vault.export());
    const header = JSON.parse(lines[0]!);
    expect(header).toMatchObject({
      format: "agentvault-export",
      version: 2,
      createdAt: "2025-01-01T00:00:01.000Z",
      database: "default",
    });
    expect(header.collections).toMatchObject({ notes: 2, tasks: 1 });
    const records = lines.slice(1, -1).map((line) => JSON.parse(line));
    expect(records.map((record) => `${record.c}/${record.k}`)).toEqual(
      expect.arrayContaining(["notes/n1", "notes/n2", "tasks/../t1"]),
    );
    expect(records.some((record) => record.k === "gone")).toBe(false);
    const n1 = records.find((record) => record.k === "n1");
    expect(n1.v).toEqual({
      text: "héllo 🎉",
      at: { $date: "1970-01-01T00:00:00.005Z" },
      bytes: { $binary: "AQI=" },
    });
    const trailer = JSON.parse(lines.at(-1)!);
    expect(trailer.records).toBe(records.length);
    expect(trailer.collections).toMatchObject({ notes: 2, tasks: 1 });
    expect(trailer.sha256).toBe(
      createHash("sha256").update(lines.slice(0, -1).join("\n")).digest("hex"),
    );
  });

  it("round-trips into an empty vault, key-value stores included", async () => {
    const { vault, clock } = await sourceVault();
    const lines = await collect(vault.export());
    const target = createVault({ provider: memoryProvider({ clock }), now: clock });
    expect(await target.import(lines)).toBe(lines.length - 2);
    for (const collection of ["notes", "tasks"]) {
      expect(await target.retrieve(collection)).toEqual(await vault.retrieve(collection));
    }
    expect(await target.search("notes", { vector: [0.5, 1] })).toEqual(
      await vault.search("notes", { vector: [0.5, 1] }),
    );
    expect(await (await target.kv("prefs", { mustExist: true })).get("theme")).toBe("dark");
    clock.advance(3600 * 1000);
    expect(await target.retrieve("notes", "n2")).toBeNull();
  });

  it("accepts an async iterable with newline-terminated lines", async () => {
    const { vault, clock } = await sourceVault();
    const lines = await collect(vault.export());
    async function* stream() {
      for (const line of lines) yield `${line}\n`;
    }
    const target = createVault({ provider: memoryProvider({ clock }), now: clock });
    expect(await target.import(stream())).toBe(lines.length - 2);
  });

  it("rejects truncated, reordered, tampered or malformed input and imports nothing", async () => {
    const { vault } = await sourceVault();
    const lines = await collect(vault.export());
    const body = lines.slice(1, -1);
    const tampered = lines.map((line) => line.replace("tagged", "TAGGED"));
    const cases: string[][] = [
      lines.slice(0, -1),
      lines.slice(0, -2).concat(lines.slice(-1)),
      [lines[0]!, ...[...body].reverse(), lines.at(-1)!],
      tampered,
      [lines[0]!, ...body, "{not json", lines.at(-1)!],
      resign([lines[0]!.replace('"version":2', '"version":3'), ...body, lines.at(-1)!]),
      // The header is checksummed too.
      [lines[0]!.replace('"notes":2', '"notes":5'), ...body, lines.at(-1)!],
      // Counts per collection must match the records.
      resign(lines, { notes: 1, tasks: 2 }),
      resign([lines[0]!, ...body, '{"c":"unlisted","k":"x","v":1}', lines.at(-1)!]),
      resign([lines[0]!, ...body, '{"c":"notes","k":"x","v":{"$date":"nope"}}', lines.at(-1)!]),
      resign([lines[0]!, ...body, '{"c":"../bad","k":"x","v":1}', lines.at(-1)!]),
      [],
    ];
    // Re-signing alone keeps an import valid (n2 has expired by the real clock, so it is skipped).
    expect(await createVault({ provider: memoryProvider() }).import(resign(lines))).toBe(
      body.length - 1,
    );
    for (const input of cases) {
      const target = createVault({ provider: memoryProvider() });
      await expect(target.import(input)).rejects.toThrow(IntegrityError);
      expect(await target.listCollections()).toEqual([]);
    }
  });

  it("still imports version 1 files (checksum over the records only)", async () => {
    const { vault, clock } = await sourceVault();
    const lines = await collect(vault.export());
    const body = lines.slice(1, -1);
    const header = lines[0]!.replace('"version":2', '"version":1');
    const sha256 = createHash("sha256").update(body.join("\n")).digest("hex");
    const version1 = [
      header,
      ...body,
      JSON.stringify({ trailer: true, records: body.length, sha256 }),
    ];
    const target = createVault({ provider: memoryProvider({ clock }), now: clock });
    expect(await target.import(version1)).toBe(body.length);
    expect(await target.retrieve("notes", "n1")).toEqual(await vault.retrieve("notes", "n1"));
  });
});
