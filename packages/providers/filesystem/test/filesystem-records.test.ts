/**
 * Filesystem-specific record behaviour the conformance suite cannot see: lazy deletion of
 * expired files, `putMany` leaving nothing behind when it fails, timestamps, and what
 * `listCollections` and `dropCollection` do on disk.
 */

import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { ConflictError, type StorageProvider, ValidationError } from "@agentvault/core";
import { type FilterNode, parseFilter } from "@agentvault/query";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { filesystemProvider } from "../src/index.js";
import { createTemporaryFolder, removeTemporaryFolder } from "./temporary-folders.js";

const all: FilterNode = { type: "and", children: [] };

describe("filesystem provider: records on disk", () => {
  let basePath: string;
  let time: number;
  let provider: StorageProvider;

  const files = async (collection: string) =>
    (await readdir(join(basePath, "default", collection)).catch(() => [] as string[])).sort();

  beforeEach(async () => {
    basePath = await createTemporaryFolder("records");
    time = Date.UTC(2025, 0, 1);
    provider = filesystemProvider({ basePath, now: () => time });
  });
  afterEach(async () => {
    await provider.close();
    await removeTemporaryFolder(basePath);
  });

  it("never returns expired records and deletes their files lazily", async () => {
    await provider.put("sessions", { key: "short", value: 1, expiresAt: time + 1000 });
    await provider.put("sessions", { key: "long", value: 2, expiresAt: time + 60_000 });
    time += 1000;
    expect(await provider.get("sessions", "short")).toBeNull();
    expect((await provider.find("sessions", { filter: all })).map((record) => record.key)).toEqual([
      "long",
    ]);
    expect(await provider.count("sessions", all)).toBe(1);
    expect(await provider.update("sessions", "short", { expiresAt: null })).toBeNull();
    expect(await provider.delete("sessions", "short")).toBe(false);
    // The deletion runs in the background; close waits for it.
    await provider.close();
    expect(await files("sessions")).toEqual(["long.json"]);
    provider = filesystemProvider({ basePath, now: () => time });
    time += 60_000;
    expect(await provider.listCollections()).toEqual([]);
  });

  it("putMany writes nothing when one record is invalid", async () => {
    await provider.put("batch", { key: "existing", value: { v: 1 } });
    const before = await files("batch");
    const invalid = [
      [
        { key: "a", value: 1 },
        { key: "", value: 2 },
      ],
      [
        { key: "b", value: 1 },
        { key: "c", value: new Date(Number.NaN) },
      ],
      [
        { key: "existing", value: { v: 2 } },
        { key: "d", value: 1, metadata: [] as never },
      ],
    ];
    for (const records of invalid) {
      await expect(provider.putMany("batch", records)).rejects.toSatisfy(
        ValidationError.isInstance,
      );
    }
    expect(await files("batch")).toEqual(before);
    expect((await provider.get("batch", "existing"))?.value).toEqual({ v: 1 });
  });

  it("putMany with a repeated key keeps the last record", async () => {
    await provider.putMany("batch", [
      { key: "k", value: "first" },
      { key: "other", value: 0 },
      { key: "k", value: "last" },
    ]);
    expect((await provider.get("batch", "k"))?.value).toBe("last");
    expect(await files("batch")).toEqual(["k.json", "other.json"]);
  });

  it("keeps createdAt across overwrites and updates, and refuses ifAbsent overwrites", async () => {
    const created = time;
    await provider.put("notes", { key: "n", value: 1 });
    time += 5000;
    await provider.put("notes", { key: "n", value: 2 });
    await expect(
      provider.put("notes", { key: "n", value: 3 }, { ifAbsent: true }),
    ).rejects.toSatisfy(ConflictError.isInstance);
    time += 5000;
    const updated = await provider.update("notes", "n", { metadata: { seen: true } });
    expect(updated).toMatchObject({ value: 2, metadata: { seen: true } });
    expect(updated?.createdAt).toBe(created);
    expect(updated?.updatedAt).toBe(time);
    expect(await provider.get("notes", "n")).toMatchObject({ createdAt: created, updatedAt: time });
  });

  it("lists only collections with live records and drops a collection's folder", async () => {
    await provider.put("b", { key: "k", value: 1 });
    await provider.put("a", { key: "k", value: 1 });
    await provider.put("empty", { key: "k", value: 1 });
    await provider.delete("empty", "k");
    expect(await provider.listCollections()).toEqual(["a", "b"]);
    expect(await provider.dropCollection("b")).toBe(1);
    expect(await provider.dropCollection("b")).toBe(0);
    expect(await provider.listCollections()).toEqual(["a"]);
    expect((await readdir(join(basePath, "default"))).sort()).toEqual(["a", "empty"]);
    // What a drop that crashed between its rename and its delete leaves is removed later.
    await mkdir(join(basePath, "default", "~trash-0123456789abcdef", "k.json"), {
      recursive: true,
    });
    expect(await provider.listCollections()).toEqual(["a"]);
    expect((await readdir(join(basePath, "default"))).sort()).toEqual(["a", "empty"]);
  });

  it("updateMany and deleteMany change exactly the matching records", async () => {
    await provider.putMany(
      "items",
      Array.from({ length: 10 }, (_, index) => ({ key: `i${index}`, value: { n: index } })),
    );
    const small = parseFilter({ "value.n": { $lt: 4 } });
    expect(await provider.updateMany("items", small, { metadata: { small: true } })).toBe(4);
    const flagged = await provider.find("items", { filter: all });
    expect(
      flagged
        .filter((record) => record.metadata?.small === true)
        .map((r) => r.key)
        .sort(),
    ).toEqual(["i0", "i1", "i2", "i3"]);
    expect(await provider.deleteMany("items", small)).toBe(4);
    expect(await provider.count("items", all)).toBe(6);
    expect(await files("items")).toHaveLength(6);
  });
});
