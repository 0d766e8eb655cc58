/** The options (`prettyJson`, `autoCreate`, `fsync`, `database`) and the on-disk layout. */

import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  createVault,
  IntegrityError,
  NotFoundError,
  ProviderUnavailableError,
  ValidationError,
} from "@agentvault/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { filesystemProvider } from "../src/index.js";
import { createTemporaryFolder, listTree, removeTemporaryFolder } from "./temporary-folders.js";

describe("filesystem provider: options and layout", () => {
  let root: string;

  beforeEach(async () => {
    root = await createTemporaryFolder("options");
  });
  afterEach(async () => {
    await removeTemporaryFolder(root);
  });

  it("writes one file per record at <basePath>/<database>/<collection>/<key>.json", async () => {
    const provider = filesystemProvider({ basePath: root, database: "tenant_a" });
    await provider.put("notes", { key: "greeting", value: { text: "hi" }, metadata: { by: "me" } });
    expect(await listTree(root)).toEqual([
      "tenant_a",
      "tenant_a/notes",
      "tenant_a/notes/greeting.json",
    ]);
    const stored = JSON.parse(await readFile(join(root, "tenant_a/notes/greeting.json"), "utf8"));
    expect(stored).toMatchObject({ k: "greeting", v: { text: "hi" }, m: { by: "me" } });
    expect(typeof stored.ca).toBe("number");
    await provider.close();
  });

  it("escapes database, collection and key names exactly as files already on disk are named", async () => {
    const provider = filesystemProvider({ basePath: root, database: "Tenant.A", fsync: false });
    await provider.put("My Notes", { key: "User/é.txt", value: 1 });
    // Hand-encoded: uppercase, '.', ' ', '/' and each UTF-8 byte of 'é' become %xx.
    expect(await listTree(root)).toEqual([
      "%54enant%2e%41",
      "%54enant%2e%41/%4dy%20%4eotes",
      "%54enant%2e%41/%4dy%20%4eotes/%55ser%2f%c3%a9%2etxt.json",
    ]);
    expect(await provider.listCollections()).toEqual(["My Notes"]);
    await provider.close();
  });

  it("writes compact JSON by default and indented JSON with prettyJson", async () => {
    const compact = filesystemProvider({ basePath: join(root, "compact") });
    const pretty = filesystemProvider({ basePath: join(root, "pretty"), prettyJson: true });
    const record = { key: "doc", value: { list: [1, 2], nested: { at: new Date(0) } } };
    await compact.put("c", record);
    await pretty.put("c", record);
    const compactText = await readFile(join(root, "compact/default/c/doc.json"), "utf8");
    const prettyText = await readFile(join(root, "pretty/default/c/doc.json"), "utf8");
    expect(compactText).not.toContain("\n");
    expect(prettyText).toBe(JSON.stringify(JSON.parse(prettyText), null, 2));
    const withoutTimes = (text: string) => ({ ...JSON.parse(text), ca: 0, ua: 0 });
    expect(withoutTimes(prettyText)).toEqual(withoutTimes(compactText));
    expect(prettyText).toContain('\n  "v": {\n    "list": [\n      1,');
    expect((await pretty.get("c", "doc"))?.value).toEqual(record.value);
    await compact.close();
    await pretty.close();
  });

  it("creates a missing nested base folder by default", async () => {
    const basePath = join(root, "a", "b", "c");
    const vault = createVault({ provider: filesystemProvider({ basePath }) });
    await vault.store("notes", { text: "x" }, { key: "k" });
    expect(await readdir(basePath)).toEqual(["default"]);
    await vault.close();
  });

  it("with autoCreate: false, a missing base folder is a NotFoundError until it exists", async () => {
    const basePath = join(root, "missing");
    const provider = filesystemProvider({ basePath, autoCreate: false });
    const failure = await provider.get("notes", "k").catch((error) => error);
    expect(NotFoundError.isInstance(failure)).toBe(true);
    expect(String(failure.message)).not.toContain(basePath);
    await expect(provider.put("notes", { key: "k", value: 1 })).rejects.toSatisfy(
      NotFoundError.isInstance,
    );
    expect(await provider.health()).toMatchObject({ ok: false });
    expect(await listTree(root)).toEqual([]);
    await mkdir(basePath);
    await provider.put("notes", { key: "k", value: 1 });
    expect((await provider.get("notes", "k"))?.value).toBe(1);
    expect(await provider.health()).toMatchObject({ ok: true });
    await provider.close();
  });

  it("rejects a missing basePath and a basePath that is a file", async () => {
    expect(() => filesystemProvider({} as never)).toThrow(/basePath/);
    const file = join(root, "file");
    await writeFile(file, "x");
    const provider = filesystemProvider({ basePath: file, autoCreate: false });
    await expect(provider.get("c", "k")).rejects.toSatisfy(ValidationError.isInstance);
    await provider.close();
  });

  it("with fsync: false, records still round-trip and persist across instances", async () => {
    const first = filesystemProvider({ basePath: root, fsync: false });
    await first.putMany("c", [
      { key: "a", value: { n: 1 } },
      { key: "b", value: { n: 2 } },
    ]);
    await first.close();
    const second = filesystemProvider({ basePath: root });
    expect(
      (await second.getMany("c", ["a", "b", "z"])).map((record) => record?.value ?? null),
    ).toEqual([{ n: 1 }, { n: 2 }, null]);
    await second.close();
  });

  it("keeps databases in separate folders", async () => {
    const provider = filesystemProvider({ basePath: root });
    const other = provider.withDatabase("other");
    await provider.put("c", { key: "k", value: "default" });
    await other.put("c", { key: "k", value: "other" });
    expect((await provider.get("c", "k"))?.value).toBe("default");
    expect((await other.get("c", "k"))?.value).toBe("other");
    await other.dropDatabase();
    expect(await other.listCollections()).toEqual([]);
    expect(await provider.listCollections()).toEqual(["c"]);
    expect((await readdir(root)).sort()).toEqual(["default"]);
    await provider.close();
  });

  it("ignores files it did not write: temporary files, locks, foreign names", async () => {
    const provider = filesystemProvider({ basePath: root });
    await provider.put("c", { key: "real", value: 1 });
    const folder = join(root, "default", "c");
    await writeFile(join(folder, "~tmp-1-deadbeef.tmp"), '{"k":"ghost","v":1}');
    await writeFile(join(folder, "ghost.lock"), "{}");
    await writeFile(join(folder, "README.md"), "# notes");
    await writeFile(join(folder, "Upper.json"), '{"k":"Upper","v":1}');
    expect(
      (await provider.find("c", { filter: { type: "and", children: [] } })).map((r) => r.key),
    ).toEqual(["real"]);
    expect(await provider.get("c", "ghost")).toBeNull();
    await provider.close();
  });

  it("reports a corrupt record file as IntegrityError without the path", async () => {
    const provider = filesystemProvider({ basePath: root });
    await provider.put("c", { key: "k", value: 1 });
    await writeFile(join(root, "default", "c", "k.json"), '{"k":"k","v":');
    const failures = await Promise.all([
      provider.get("c", "k").catch((error) => error),
      provider.find("c", { filter: { type: "and", children: [] } }).catch((error) => error),
    ]);
    for (const failure of failures) {
      expect(IntegrityError.isInstance(failure)).toBe(true);
      expect(String(failure.message)).not.toContain(root);
    }
    // A file holding another key than its name says is corrupt as well.
    await writeFile(join(root, "default", "c", "k.json"), '{"k":"other","v":1}');
    await expect(provider.get("c", "k")).rejects.toSatisfy(IntegrityError.isInstance);
    await provider.close();
  });

  it("fails every call after close with ProviderUnavailableError", async () => {
    const provider = filesystemProvider({ basePath: root });
    const sibling = provider.withDatabase("other");
    await provider.close();
    await provider.close();
    await expect(provider.get("c", "k")).rejects.toSatisfy(ProviderUnavailableError.isInstance);
    await expect(sibling.put("c", { key: "k", value: 1 })).rejects.toSatisfy(
      ProviderUnavailableError.isInstance,
    );
    expect(await provider.health()).toMatchObject({ ok: false });
  });
});
