/**
 * What every area shares: a provider of its own (created before the area's tests, dropped and
 * closed after them), a Vault over it with the suite's clock, and unique collection names so
 * the tests of one area never see each other's data.
 */

import { randomBytes } from "node:crypto";
import { createVault, type StorageProvider, type Vault } from "@agentvault/core";
import type {
  ConformanceArea,
  ConformanceOptions,
  ProviderContext,
  ResolvedLimits,
  TestRunner,
} from "./conformance-options.js";
import { createManualClock, type ManualClock } from "./manual-clock.js";

/** The handles an area's tests use. Providers exist only while the area's tests run. */
export interface AreaContext {
  readonly runner: TestRunner;
  readonly limits: ResolvedLimits;
  /** The area's clock, given to its providers and vaults. Tests may move it forward. */
  readonly clock: ManualClock;
  /** The area's provider. */
  provider(): StorageProvider;
  /** A Vault over the area's provider, using the area's clock. */
  vault(): Vault;
  /** A collection name no other test of the run uses, for example `crud_3_store`. */
  collectionName(label: string): string;
  /** A database name no other test of the run uses (for `withDatabase`). */
  databaseName(label: string): string;
  /**
   * Creates one more provider for a test that needs its own (to close it, say). The suite
   * drops (when still open) and closes it after the area.
   */
  extraProvider(): Promise<StorageProvider>;
}

let sequence = 0;

/** A name unique to this run: `<prefix>_<random>`, lowercase, at most 40 characters. */
export function uniqueName(prefix: string): string {
  const clean = prefix
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .slice(0, 24);
  sequence += 1;
  return `${clean}_${sequence.toString(36)}${randomBytes(4).toString("hex")}`;
}

interface TrackedProvider {
  readonly provider: StorageProvider;
  readonly context: ProviderContext;
  /** Extra providers may have been closed by their test, so dropping them may fail. */
  readonly extra: boolean;
}

async function dispose(options: ConformanceOptions, tracked: TrackedProvider): Promise<void> {
  try {
    await tracked.provider.dropDatabase();
  } catch (error) {
    if (!tracked.extra) throw error;
  } finally {
    await tracked.provider.close();
    await options.cleanup?.(tracked.context);
  }
}

/**
 * Registers one area: a `describe` whose `beforeAll` creates the area's provider and whose
 * `afterAll` drops its database and closes it. `define` registers the tests.
 */
export function defineArea(
  options: ConformanceOptions,
  limits: ResolvedLimits,
  area: ConformanceArea,
  define: (context: AreaContext) => void,
): void {
  const clock = createManualClock();
  const tracked: TrackedProvider[] = [];
  let current: { provider: StorageProvider; vault: Vault } | undefined;
  let collections = 0;

  async function create(extra: boolean): Promise<StorageProvider> {
    const context: ProviderContext = {
      area,
      database: uniqueName(`avc_${area}`),
      clock: clock.now,
    };
    const provider = await options.createProvider(context);
    tracked.push({ provider, context, extra });
    return provider;
  }

  const context: AreaContext = {
    runner: options,
    limits,
    clock,
    provider() {
      if (current === undefined) throw new Error(`The ${area} provider is not created yet`);
      return current.provider;
    },
    vault() {
      if (current === undefined) throw new Error(`The ${area} provider is not created yet`);
      return current.vault;
    },
    collectionName(label) {
      collections += 1;
      const clean = label.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 60);
      return `${area.replace(/[^a-z]/g, "").slice(0, 8)}_${collections}_${clean}`;
    },
    databaseName(label) {
      return uniqueName(`avc_${label}`);
    },
    extraProvider: () => create(true),
  };

  options.describe(area, () => {
    options.beforeAll(async () => {
      const provider = await create(false);
      current = { provider, vault: createVault({ provider, now: clock.now }) };
    });
    options.afterAll(async () => {
      const failures: unknown[] = [];
      for (const entry of tracked.splice(0)) {
        try {
          await dispose(options, entry);
        } catch (error) {
          failures.push(error);
        }
      }
      current = undefined;
      if (failures.length > 0) throw failures[0];
    });
    define(context);
  });
}
