/**
 * Encryption at rest on real files: after storing known secrets through `encrypted()`, no file
 * the SQLite or filesystem provider wrote contains them; rotation rewrites everything so the old
 * key can be retired; updates stay atomic across two independent connections.
 */

import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  cached,
  createVault,
  type EncryptionKey,
  encrypted,
  IntegrityError,
  reencrypt,
} from "@agentvault/core";
import { afterAll, describe, expect, it } from "vitest";
import { available, type BackendKind, Backends, titled } from "./backends.js";

const backends = new Backends();
afterAll(() => backends.cleanup());

const secrets = {
  value: "value-secret-4f1c9e",
  metadata: "metadata-secret-8a2b7d",
  keyValue: "kv-secret-3c6d0f",
  unicode: "geheimnis-ü-秘密",
};

function newKey(id: string): EncryptionKey {
  return { id, key: randomBytes(32) };
}

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The files under `folder` whose bytes contain `text` (as UTF-8 or as base64 of UTF-8). */
async function filesContaining(folder: string, text: string): Promise<string[]> {
  const needles = [Buffer.from(text), Buffer.from(Buffer.from(text).toString("base64"))];
  const found: string[] = [];
  for (const file of await filesUnder(folder)) {
    const bytes = await readFile(file);
    if (needles.some((needle) => bytes.includes(needle))) found.push(file);
  }
  return found;
}

for (const kind of ["sqlite", "filesystem"] as const) {
  describe(`encryption at rest on ${kind}`, () => {
    it("keeps every stored secret out of the files, and rotation retires the old key", async () => {
      const folder = backends.folder(kind);
      const inner = await backends.open(kind, "secrets");
      const old = newKey("key-2024-retiring");
      const vault = createVault({ provider: encrypted(inner, { keys: [old] }) });
      await vault.store(
        "accounts",
        { owner: "ann", token: secrets.value, note: secrets.unicode, at: new Date(1) },
        { key: "acct-1", metadata: { hint: secrets.metadata } },
      );
      await vault.store(
        "accounts",
        { owner: "bob", token: `${secrets.value}-2` },
        { key: "acct-2" },
      );
      await (await vault.kv("settings")).set("api", secrets.keyValue);
      expect(await vault.query("accounts", { token: secrets.value })).toHaveLength(1);
      // A plaintext canary through the bare provider proves the scan would see a leak.
      await inner.put("canary", { key: "c", value: { text: "plaintext-canary-77" } });
      expect(await filesContaining(folder, "plaintext-canary-77")).not.toEqual([]);
      for (const secret of Object.values(secrets)) {
        expect(await filesContaining(folder, secret)).toEqual([]);
      }
      await inner.dropCollection("canary");

      const fresh = newKey("key-2025");
      const report = await reencrypt(inner, { keys: [fresh, old] });
      expect(report).toMatchObject({ records: 4, rewritten: 4 });
      const retired = createVault({ provider: encrypted(inner, { keys: [fresh] }) });
      expect(await retired.retrieve("accounts", "acct-1")).toEqual({
        _id: "acct-1",
        owner: "ann",
        token: secrets.value,
        note: secrets.unicode,
        at: new Date(1),
      });
      expect(await (await retired.kv("settings", { mustExist: true })).get("api")).toBe(
        secrets.keyValue,
      );
      const oldOnly = createVault({ provider: encrypted(inner, { keys: [old] }) });
      await expect(oldOnly.retrieve("accounts", "acct-2")).rejects.toThrow(IntegrityError);
      for (const secret of Object.values(secrets)) {
        expect(await filesContaining(folder, secret)).toEqual([]);
      }
      if (kind === "filesystem") {
        // Each record file is replaced whole, so nothing sealed by the old key is left.
        expect(await filesContaining(folder, old.id)).toEqual([]);
      }
    });
  });
}

describe("encrypted(cached(sqlite))", () => {
  it("composes: reads, queries, updates and deletes through both wrappers", async () => {
    const keys = [newKey("k")];
    const inner = await backends.open("sqlite", "composed");
    const vault = createVault({ provider: encrypted(cached(inner), { keys }) });
    await vault.store("c", { n: 1, secret: secrets.value }, { key: "a" });
    await vault.store("c", { n: 2 }, { key: "b" });
    expect(await vault.retrieve("c", "a")).toEqual({ _id: "a", n: 1, secret: secrets.value });
    await vault.update("c", "a", { $inc: { n: 10 } });
    expect(await vault.retrieve("c", "a")).toMatchObject({ n: 11 });
    expect(await vault.query("c", { n: { $gt: 1 } }, { sort: { n: 1 } })).toEqual([
      { _id: "b", n: 2 },
      { _id: "a", n: 11, secret: secrets.value },
    ]);
    expect(await vault.deleteMany("c", { n: 2 })).toBe(1);
    expect(await vault.count("c")).toBe(1);
  });
});

describe("encrypted updates across two connections", () => {
  const kinds: BackendKind[] = ["sqlite", "filesystem", "postgres", "redis"];
  for (const kind of kinds) {
    it.skipIf(!available(kind))(
      titled(`keep 40 concurrent increments exact on ${kind}`, kind),
      async () => {
        const keys = [newKey("k")];
        const first = createVault({
          provider: encrypted(await backends.open(kind, "counters"), { keys }),
        });
        const second = createVault({
          provider: encrypted(await backends.openSeparate(kind, "counters"), { keys }),
        });
        await first.store("counters", { n: 0 }, { key: "c" });
        await Promise.all(
          Array.from({ length: 40 }, (_, index) =>
            (index % 2 === 0 ? first : second).update("counters", "c", { $inc: { n: 1 } }),
          ),
        );
        expect(await second.retrieve("counters", "c")).toEqual({ _id: "c", n: 40 });
      },
    );
  }
});
