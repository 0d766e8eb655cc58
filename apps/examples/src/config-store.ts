/**
 * Seeds 002 and 003: a configuration store. Values of every type (text, numbers, flags, lists,
 * nested settings, dates, bytes) are set, read with defaults, checked, snapshotted as a backup,
 * and restored into a second store. Reads and writes go through an access log, as Kimera's
 * `LoggedVault` does.
 */

import type { Value } from "@agentvault/query";
import { documentDictionary } from "./document-dictionary.js";
import type { Example, ExampleEnvironment } from "./example-environment.js";

/** A dictionary that records every read and write it serves. */
function loggedDictionary(dictionary: ReturnType<typeof documentDictionary<Value>>, log: string[]) {
  return {
    async get<D>(key: string, defaultValue: D) {
      log.push(`READ: ${key}`);
      return dictionary.get(key, defaultValue);
    },
    async set(key: string, value: Value) {
      log.push(`WRITE: ${key}`);
      await dictionary.set(key, value);
    },
  };
}

/** Configures an agent, backs its settings up and restores them. */
export async function configStoreExample(environment: ExampleEnvironment) {
  const { vault } = environment;
  const settings = documentDictionary(vault, "settings");
  const restored = documentDictionary(vault, "settings_restored");
  await settings.clear();
  await restored.clear();

  await settings.set("host", "localhost");
  await settings.set("port", 5432);
  await settings.set("temperature", 0.7);
  await settings.set("debugMode", false);
  await settings.set("features", ["auth", "cache", "logging"]);
  await settings.set("modelConfig", { temperature: 0.7, maxTokens: 1000, nested: { level: 2 } });
  await settings.set("rotatedAt", new Date("2025-01-15T00:00:00.000Z"));
  await settings.set("signingKey", new Uint8Array([222, 173, 190, 239]));
  await settings.update({ timeoutSeconds: 30, maxConnections: 100 });

  const accessLog: string[] = [];
  const logged = loggedDictionary(settings, accessLog);
  const userId = await logged.get("userId", "anonymous");
  const port = await logged.get("port", 0);
  await logged.set("port", 6543);

  const snapshot = await settings.snapshot();
  const backup = { timestamp: environment.now(), data: snapshot };
  await restored.update(backup.data);

  return {
    keys: await settings.keys(),
    size: await settings.size(),
    hasHost: await settings.has("host"),
    hasUser: await settings.has("user"),
    userId,
    port,
    portAfter: await settings.get("port"),
    modelTemperature: ((await settings.get("modelConfig")) as { temperature: number }).temperature,
    setDefaultNew: await settings.setDefault("retries", 3),
    setDefaultExisting: await settings.setDefault("host", "example.com"),
    popped: await settings.pop("debugMode", "absent"),
    poppedAgain: await settings.pop("debugMode", "absent"),
    accessLog,
    backupEntries: Object.keys(backup.data).length,
    restoredMatches: JSON.stringify(await restored.snapshot()) === JSON.stringify(snapshot),
    restoredDate: await restored.get("rotatedAt"),
    restoredBytes: await restored.get("signingKey"),
  };
}

/** The example, for `main.ts` and the tests. */
export const configStore: Example = { name: "config-store", seed: "002", run: configStoreExample };
