/**
 * Keys (and database and collection names) can never leave the base folder: hostile names are
 * stored inside it, round-trip exactly, and a listing of the whole surrounding folder shows
 * nothing anywhere else.
 */

import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { createVault, maxKeyLength, ValidationError, type Vault } from "@agentvault/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { filesystemProvider } from "../src/index.js";
import { createTemporaryFolder, listTree, removeTemporaryFolder } from "./temporary-folders.js";

const hostileKeys = [
  "../x",
  "../../etc/passwd",
  "../../../../../../../../tmp/escaped",
  "/etc/passwd",
  "/tmp/absolute",
  "C:\\Windows\\win.ini",
  "..\\..\\windows",
  "\\\\server\\share",
  "a/b/c",
  ".",
  "..",
  "...",
  "__proto__",
  "constructor",
  "prototype",
  "CON",
  "con",
  "NUL",
  "nul",
  "com1",
  "LPT1.txt",
  "aux.json",
  " spaced ",
  "trailing.",
  "x.json",
  "x.lock",
  "~name",
  "~tmp-1-abc.tmp",
  `~${"0".repeat(64)}`,
  "%2e%2e%2fx",
  "ünïcødé ✓ 🎉",
  "Key",
  "key",
  "a".repeat(maxKeyLength),
  "É".repeat(maxKeyLength),
];

describe("filesystem provider: hostile keys", () => {
  let root: string;
  let basePath: string;
  let vault: Vault;

  beforeEach(async () => {
    // The base folder sits inside an otherwise empty folder, so escapes are visible.
    root = await createTemporaryFolder("hostile");
    basePath = join(root, "base");
    vault = createVault({ provider: filesystemProvider({ basePath, fsync: false }) });
  });
  afterEach(async () => {
    await vault.close();
    await removeTemporaryFolder(root);
  });

  async function expectEverythingInsideBase(): Promise<string[]> {
    const tree = await listTree(root);
    for (const path of tree) expect(path === "base" || path.startsWith("base/")).toBe(true);
    for (const path of tree) {
      for (const segment of path.split("/")) {
        expect(Buffer.byteLength(segment)).toBeLessThanOrEqual(255);
        expect(segment).not.toBe("..");
      }
    }
    return tree;
  }

  it("stores every hostile key inside the base folder and returns it exactly", async () => {
    for (const [index, key] of hostileKeys.entries()) {
      await vault.store("things", { index, key }, { key });
    }
    for (const [index, key] of hostileKeys.entries()) {
      expect(await vault.retrieve("things", key)).toEqual({ _id: key, index, key });
    }
    const all = await vault.retrieve("things");
    expect(all.map((doc) => doc._id).sort()).toEqual([...hostileKeys].sort());
    const tree = await expectEverythingInsideBase();
    // One file per key: case-different keys did not share one.
    const files = tree.filter((path) => path.startsWith("base/default/things/"));
    expect(files.filter((path) => path.endsWith(".json"))).toHaveLength(hostileKeys.length);
    expect(await vault.count("things")).toBe(hostileKeys.length);
    for (const key of hostileKeys) expect(await vault.delete("things", key)).toBe(true);
    expect(await vault.count("things")).toBe(0);
  });

  it("keeps __proto__ an ordinary key and field", async () => {
    const doc = JSON.parse('{"__proto__": {"polluted": true}, "safe": 1}') as object;
    await vault.store("things", doc, { key: "__proto__" });
    const back = await vault.retrieve("things", "__proto__");
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.hasOwn(back as object, "__proto__")).toBe(true);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it("stores a key at the length limit under a hashed name holding the real key", async () => {
    const key = "É".repeat(maxKeyLength);
    await vault.store("things", { long: true }, { key });
    const files = await readdir(join(basePath, "default", "things"));
    const records = files.filter((file) => file.endsWith(".json"));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatch(/^~[0-9a-f]{64}\.json$/);
    const content = JSON.parse(
      await readFile(join(basePath, "default", "things", records[0] as string), "utf8"),
    );
    expect(content.k).toBe(key);
    expect(await vault.retrieve("things", key)).toEqual({ _id: key, long: true });
  });

  it("rejects a 10 KB key, NUL and other control characters with ValidationError", async () => {
    const provider = filesystemProvider({ basePath, fsync: false });
    const rejected = ["k".repeat(10 * 1024), "a\u0000b", "\u0000", "line\nbreak", ""];
    for (const key of rejected) {
      await expect(vault.store("things", { bad: true }, { key })).rejects.toSatisfy(
        ValidationError.isInstance,
      );
      await expect(provider.put("things", { key, value: { bad: true } })).rejects.toSatisfy(
        ValidationError.isInstance,
      );
      // Reads and deletes of such keys are harmless: nothing can be stored under them.
      expect(await provider.get("things", key)).toBeNull();
      expect(await provider.delete("things", key)).toBe(false);
    }
    await provider.close();
    const tree = await expectEverythingInsideBase();
    expect(tree.filter((path) => path.endsWith(".json"))).toEqual([]);
  });

  it("keeps hostile database and collection names inside the base folder", async () => {
    const provider = filesystemProvider({ basePath, fsync: false });
    const names = ["../../outside", "/abs", "..", ".", "C:\\x", "CON", "x".repeat(400)];
    for (const name of names) {
      const database = provider.withDatabase(name);
      await database.put(name, { key: name, value: { name } });
      expect((await database.get(name, name))?.value).toEqual({ name });
      expect(await database.listCollections()).toEqual([name]);
    }
    await expectEverythingInsideBase();
    for (const name of names) await provider.withDatabase(name).dropDatabase();
    expect(await listTree(basePath)).toEqual([]);
    await provider.close();
  });

  it("lists hashed collection names by their real names", async () => {
    const provider = filesystemProvider({ basePath, fsync: false });
    const long = `${"A.".repeat(59)}Zz`;
    await provider.put(long, { key: "k", value: 1 });
    await provider.put("short", { key: "k", value: 2 });
    expect(await provider.listCollections()).toEqual([long, "short"].sort());
    await mkdir(join(basePath, "default", "not-ours.d"));
    expect(await provider.listCollections()).toEqual([long, "short"].sort());
    await provider.close();
  });
});
