/**
 * What every example agent receives: a `Vault` (embedded or remote, the examples cannot tell),
 * a clock, and for the seed 001 agents the place their named providers live. Tests pass a fake
 * clock whose `sleep` moves time; `main.ts` passes the real one.
 */

import type { StorageOptions } from "@agentvault/agent";
import type { Vault } from "@agentvault/core";

/** The context of one run of the examples. */
export interface ExampleEnvironment {
  /** The collection API: `openVault()` embedded, or a `createVaultClient()` for a server. */
  readonly vault: Vault;
  /** The current time. */
  now(): Date;
  /** Lets `ms` milliseconds pass (really, or on a test's fake clock). */
  sleep(ms: number): Promise<void>;
  /**
   * Where the seed 001 agents find the providers they name (`records`, `cache`, `files`): a data
   * manager with those providers registered, or vaults serving them.
   */
  readonly storage: Pick<StorageOptions, "dataManager" | "vault">;
  /** The server's admin calls, when the vault is remote: the broker examples declare manifests. */
  readonly admin?:
    | { applyManifest(manifest: string | Record<string, unknown>): Promise<unknown> }
    | undefined;
}

/** One runnable example. */
export interface Example {
  /** A short kebab-case name, for output and tests. */
  readonly name: string;
  /** The seed it comes from. */
  readonly seed: "000" | "001" | "002" | "003" | "004";
  /** Runs the agent's steps and reports what a user would see. */
  run(environment: ExampleEnvironment): Promise<unknown>;
}

/** The real clock, for `main.ts`. */
export const realTime: Pick<ExampleEnvironment, "now" | "sleep"> = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Midnight (UTC) of the day of `date`, shifted by `days`. */
export function dayStart(date: Date, days = 0): Date {
  const start = new Date(date);
  start.setUTCHours(0, 0, 0, 0);
  start.setUTCDate(start.getUTCDate() + days);
  return start;
}

/** `YYYY-MM-DD` of a date (UTC). */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Rounds money to cents. */
export function cents(amount: number): number {
  return Math.round(amount * 100) / 100;
}

/** The class name of what `action` throws, or "none": how examples report refusals. */
export async function errorNameOf(action: () => Promise<unknown>): Promise<string> {
  try {
    await action();
    return "none";
  } catch (error) {
    return error instanceof Error ? error.name : typeof error;
  }
}
