import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createVault, migrate, openProvider, ValidationError } from "../src/index.js";

describe("openProvider", () => {
  const folders: string[] = [];
  afterAll(() =>
    Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true }))),
  );

  it("opens the provider a storage URL names, creating a SQLite file's folder", async () => {
    const folder = await mkdtemp(join(tmpdir(), "agentvault-open-provider-"));
    folders.push(folder);
    const provider = await openProvider("sqlite:./nested/vault.db", { cwd: folder });
    expect(provider.name).toBe("sqlite");
    const vault = createVault({ provider: provider.withDatabase("default") });
    await vault.store("notes", { text: "kept" }, { key: "n" });
    await provider.close();
    expect((await stat(join(folder, "nested"))).isDirectory()).toBe(true);

    const again = await openProvider(`sqlite:${join(folder, "nested", "vault.db")}`);
    const copy = await openProvider("memory:");
    const report = await migrate({ from: again, to: copy, databases: ["default"] });
    expect(report.records).toBe(1);
    expect(
      await createVault({ provider: copy.withDatabase("default") }).retrieve("notes", "n"),
    ).toEqual({
      _id: "n",
      text: "kept",
    });
    await Promise.all([again.close(), copy.close()]);
  });

  it("refuses server URLs and unknown schemes with a ValidationError", async () => {
    await expect(openProvider("https://vault.example.com")).rejects.toThrow(ValidationError);
    await expect(openProvider("https://vault.example.com")).rejects.toThrow(
      /not a storage backend/,
    );
    await expect(openProvider("nosuch://x")).rejects.toThrow(ValidationError);
  });
});
