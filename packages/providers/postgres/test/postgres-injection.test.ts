/**
 * SQL injection attempts are inert: hostile database names, collection names (straight to the
 * provider, past the core's name check), keys, field names and values are stored and found as
 * plain data, and a sentinel collection in another database is untouched.
 */

import { probeService } from "@agentvault/conformance";
import { createVault, type StorageProvider } from "@agentvault/core";
import { parseFilter } from "@agentvault/query";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresProvider } from "../src/index.js";
import { dropSchemasWithPrefix, randomSchemaPrefix } from "./postgres-test-support.js";

const probe = await probeService("POSTGRES_URL");
const schemaPrefix = randomSchemaPrefix();

const attacks = [
  `x'); DROP TABLE sentinel; --`,
  `x"; DROP SCHEMA public CASCADE; --`,
  "$1::text) OR TRUE OR ($2",
  "a\\' OR '1'='1",
  "' || pg_sleep(5) || '",
  '名前"; SELECT 1; --',
];

describe.skipIf(!probe.available)(`postgres injection attempts ${probe.skipReason}`, () => {
  const root = postgresProvider({ connectionString: probe.url, schemaPrefix, database: "app" });
  const sentinel = root.withDatabase("sentinel");

  beforeAll(async () => {
    await sentinel.put("sentinel", { key: "canary", value: { alive: true } });
  });

  afterAll(async () => {
    await root.close();
    await dropSchemasWithPrefix(probe.url!, schemaPrefix);
  });

  async function sentinelAlive() {
    return (await sentinel.get("sentinel", "canary"))?.value;
  }

  it("keeps hostile database and collection names apart as plain names", async () => {
    for (const [index, attack] of attacks.entries()) {
      const provider: StorageProvider = root.withDatabase(attack);
      await provider.put(attack, { key: "k", value: { index } });
      expect((await provider.get(attack, "k"))?.value).toEqual({ index });
      expect(await provider.listCollections()).toEqual([attack]);
    }
    expect(await sentinelAlive()).toEqual({ alive: true });
  });

  it("stores and finds hostile keys, field names and values as data", async () => {
    const vault = createVault({ provider: root });
    // Field names may not start with "$" (the Vault refuses them), so they get a prefix.
    const field = (attack: string) => `f${attack}`;
    for (const attack of attacks) {
      await vault.store("docs", { [field(attack)]: attack, plain: attack }, { key: attack });
    }
    for (const attack of attacks) {
      expect(await vault.retrieve("docs", attack)).toEqual({
        _id: attack,
        [field(attack)]: attack,
        plain: attack,
      });
      const byValue = await vault.query("docs", { plain: attack });
      expect(byValue.map((doc) => doc._id)).toEqual([attack]);
      const byField = await vault.query("docs", { [field(attack)]: { $gte: attack } });
      expect(byField.map((doc) => doc._id)).toEqual([attack]);
      expect(await vault.count("docs", { _id: attack })).toBe(1);
    }
    expect(await vault.count("docs", { plain: { $in: attacks } })).toBe(attacks.length);
    expect(await sentinelAlive()).toEqual({ alive: true });
  });

  it("deletes only what the hostile filter matches as data", async () => {
    const attack = attacks[0]!;
    expect(await root.deleteMany("docs", parseFilter({ "value.plain": attack }))).toBe(1);
    expect(await root.count("docs", parseFilter({}))).toBe(attacks.length - 1);
    expect(await sentinelAlive()).toEqual({ alive: true });
  });
});
