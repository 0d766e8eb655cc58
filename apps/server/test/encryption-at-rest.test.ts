import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createVaultClient } from "@agentvault/client";
import { afterAll, describe, expect, it } from "vitest";
import { parseEncryptionKeys, readServiceConfig, startService } from "../src/index.js";
import { cli, filesUnder, runScript } from "./cli-helpers.js";

const rootKey = `root-${randomBytes(24).toString("hex")}`;
const oldKey = randomBytes(32).toString("base64");
const newKey = randomBytes(32).toString("base64");
const secret = `pineapple-${randomBytes(6).toString("hex")}`;
const folders: string[] = [];

afterAll(() => Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true }))));

async function dataDir(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), "agentvault-encryption-"));
  folders.push(folder);
  return folder;
}

function serviceEnv(folder: string, keys: string): Record<string, string> {
  return {
    AGENTVAULT_DATA_DIR: folder,
    AGENTVAULT_PORT: "0",
    AGENTVAULT_HOST: "127.0.0.1",
    AGENTVAULT_ROOT_KEY: rootKey,
    AGENTVAULT_ENCRYPTION_KEYS: keys,
  };
}

/** Starts the service on `folder`, creates tenant acme and stores one secret document. */
async function storeSecret(folder: string, keys: string) {
  const service = await startService(readServiceConfig(serviceEnv(folder, keys)));
  try {
    const root = createVaultClient({ url: service.url, apiKey: rootKey });
    const { apiKey } = await root.admin.createTenant("acme");
    const admin = createVaultClient({ url: service.url, apiKey });
    const doc = {
      text: secret,
      at: new Date("2026-03-04T05:06:07.000Z"),
      blob: new Uint8Array([7, 8, 9]),
    };
    const key = await admin.store("notes", doc, { key: "note-1", metadata: { tag: secret } });
    return { key, doc, apiKey };
  } finally {
    await service.stop();
  }
}

async function filesContaining(folder: string, text: string): Promise<string[]> {
  const files = await filesUnder(folder);
  return [...files].filter(([, bytes]) => bytes.includes(text)).map(([path]) => path);
}

describe("AGENTVAULT_ENCRYPTION_KEYS", () => {
  it("reads id:base64 pairs, the first one sealing", () => {
    const keys = parseEncryptionKeys(`new:${newKey}, old:${oldKey}`);
    expect(keys.map((entry) => entry.id)).toEqual(["new", "old"]);
    expect(Buffer.from(keys[0]?.key ?? []).toString("base64")).toBe(newKey);
    expect(readServiceConfig({}).encryptionKeys).toBeUndefined();
  });

  it("refuses bad keys with a message naming the entry and never the key material", () => {
    const short = randomBytes(16).toString("base64");
    const cases: [string, RegExp][] = [
      [`a:${short}`, /entry 1: key "a" must be 32 bytes in base64/],
      [`a:${newKey},b:${newKey.slice(0, 40)}!!!!`, /entry 2: key "b" must be 32 bytes/],
      [newKey, /entry 1: expected <key id>:<base64 key>/],
      [`a:${newKey},a:${oldKey}`, /key id "a" appears twice/],
      [`bad id:${newKey}`, /entry 1: expected <key id>/],
    ];
    for (const [text, message] of cases) {
      const env = { AGENTVAULT_ENCRYPTION_KEYS: text };
      expect(() => readServiceConfig(env)).toThrow(message);
      expect(() => readServiceConfig(env)).toThrow(/^AGENTVAULT_ENCRYPTION_KEYS is invalid/);
      try {
        readServiceConfig(env);
      } catch (error) {
        expect(String(error)).not.toContain(short);
        expect(String(error)).not.toContain(newKey.slice(0, 20));
      }
    }
  });
});

describe("pnpm start with a bad AGENTVAULT_ENCRYPTION_KEYS", () => {
  it("exits 1 with the message alone, before opening anything", async () => {
    const folder = await dataDir();
    const started = await runScript("src/main.ts", [], {
      ...serviceEnv(join(folder, "never-created"), `k1:${newKey.slice(0, 20)}`),
      REDIS_URL: "",
    });
    expect(started.code).toBe(1);
    expect(started.stderr).toBe(
      'AGENTVAULT_ENCRYPTION_KEYS is invalid: entry 1: key "k1" must be 32 bytes in base64 (44 characters; generate one with: openssl rand -base64 32)\n',
    );
    expect(await readdir(folder)).toEqual([]);
  }, 60_000);
});

describe("encryption at rest in the service's SQLite files", () => {
  it("without keys the secret is on disk (the check below can see it)", async () => {
    const folder = await dataDir();
    await storeSecret(folder, "");
    expect(await filesContaining(folder, secret)).not.toEqual([]);
  }, 60_000);

  it("with keys no file holds the secret; re-encrypt retires the old key", async () => {
    const folder = await dataDir();
    const stored = await storeSecret(folder, `old:${oldKey}`);
    const files = await filesUnder(folder);
    expect([...files.keys()].some((path) => path.endsWith("acme_vault.db"))).toBe(true);
    expect(await filesContaining(folder, secret)).toEqual([]);

    // The new key alone cannot read what the old one sealed...
    const env = { AGENTVAULT_DATA_DIR: folder };
    const early = await cli(["export", "acme"], {
      ...env,
      AGENTVAULT_ENCRYPTION_KEYS: `new:${newKey}`,
    });
    expect(early.code).not.toBe(0);
    expect(early.stdout).not.toContain(secret);

    // ...until re-encrypt rewrites every record under it.
    const both = { ...env, AGENTVAULT_ENCRYPTION_KEYS: `new:${newKey},old:${oldKey}` };
    const rotated = await cli(["re-encrypt"], both);
    expect(rotated.stderr).toMatch(/acme_vault: \d+ records, [1-9]\d* re-encrypted/);
    expect(rotated.stderr).toMatch(/every record is now sealed with key "new"/);
    expect(rotated.stderr).toMatch(/"old"\) can now be removed/);
    expect(rotated.code).toBe(0);
    const again = await cli(["re-encrypt"], both);
    expect(again.stderr).toMatch(/Re-encrypted 0 records of [1-9]\d* records/);

    const retired = { ...env, AGENTVAULT_ENCRYPTION_KEYS: `new:${newKey}` };
    expect((await cli(["tenants", "list"], retired)).stdout).toBe("acme\n");
    const exported = await cli(["export", "acme"], retired);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(secret);

    const service = await startService(readServiceConfig(serviceEnv(folder, `new:${newKey}`)));
    try {
      const admin = createVaultClient({ url: service.url, apiKey: stored.apiKey });
      expect(await admin.retrieve("notes", stored.key)).toEqual({ _id: stored.key, ...stored.doc });
    } finally {
      await service.stop();
    }
    expect(await filesContaining(folder, secret)).toEqual([]);
  }, 120_000);

  it("re-encrypt without keys, or with a bad key, says what to set", async () => {
    const folder = await dataDir();
    const none = await cli(["re-encrypt"], { AGENTVAULT_DATA_DIR: folder });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/re-encrypt needs AGENTVAULT_ENCRYPTION_KEYS/);
    const bad = await cli(["tenants", "list"], {
      AGENTVAULT_DATA_DIR: folder,
      AGENTVAULT_ENCRYPTION_KEYS: "k:c2hvcnQ=",
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /AGENTVAULT_ENCRYPTION_KEYS is invalid: entry 1: key "k" must be 32 bytes/,
    );
  }, 60_000);
});

describe("cli export/import --ciphertext", () => {
  it("backs a tenant up still encrypted and restores it into the same tenant only", async () => {
    const folder = await dataDir();
    await storeSecret(folder, `old:${oldKey}`);
    const keys = { AGENTVAULT_ENCRYPTION_KEYS: `old:${oldKey}` };
    const file = join(folder, "acme.cipher.jsonl");
    const exported = await cli(["export", "acme", "--ciphertext", "--out", file], {
      AGENTVAULT_DATA_DIR: folder,
      ...keys,
    });
    expect(exported.code).toBe(0);
    const backup = (await filesUnder(folder)).get(file);
    expect(backup?.toString()).toMatch(/"kid":"old"/);
    expect(backup?.includes(secret)).toBe(false);

    const restored = await dataDir();
    const env = { AGENTVAULT_DATA_DIR: restored, ...keys };
    const wrongTenant = await cli(["import", "globex", file, "--ciphertext"], env);
    expect(wrongTenant.code).toBe(1);
    expect(wrongTenant.stderr).toMatch(/export is of database "agentvault_acme_vault"/);
    const wrongKeys = await cli(["import", "acme", file, "--ciphertext"], {
      AGENTVAULT_DATA_DIR: restored,
      AGENTVAULT_ENCRYPTION_KEYS: `new:${newKey}`,
    });
    expect(wrongKeys.stderr).toMatch(
      /sealed with key "old", which AGENTVAULT_ENCRYPTION_KEYS lacks/,
    );
    const plain = await cli(["import", "acme", file, "--ciphertext"], {
      AGENTVAULT_DATA_DIR: restored,
    });
    expect(plain.stderr).toMatch(/--ciphertext needs AGENTVAULT_ENCRYPTION_KEYS/);

    const imported = await cli(["import", "acme", file, "--ciphertext"], env);
    expect(imported.stderr).toMatch(/Imported [1-9]\d* records/);
    const files = await filesUnder(restored);
    expect([...files.values()].some((bytes) => bytes.includes(secret))).toBe(false);
    const readBack = await cli(["export", "acme"], env);
    expect(readBack.stdout).toContain(secret);
  }, 120_000);
});
