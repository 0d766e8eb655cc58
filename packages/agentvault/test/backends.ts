/**
 * The backends the seed scenarios run on, all opened through the public `openVault`.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openVault, type Vault } from "../src/index.js";

/** An open test vault. `reopen` opens the same storage again (persistent backends only). */
export interface OpenedBackend {
  readonly vault: Vault;
  reopen(): Promise<Vault>;
  cleanup(): Promise<void>;
}

/** One backend the scenarios run on. */
export interface Backend {
  readonly name: string;
  /** Whether data outlives `vault.close()`. */
  readonly persistent: boolean;
  open(): Promise<OpenedBackend>;
}

export const backends: readonly Backend[] = [
  {
    name: "memory:",
    persistent: false,
    async open() {
      const vault = await openVault("memory:");
      return {
        vault,
        reopen: () => Promise.reject(new Error("memory: does not persist")),
        cleanup: () => vault.close(),
      };
    },
  },
  {
    name: "default SQLite",
    persistent: true,
    async open() {
      const cwd = await mkdtemp(join(tmpdir(), "agentvault-seed-"));
      const vaults: Vault[] = [];
      const openOne = async () => {
        const vault = await openVault(undefined, { cwd });
        vaults.push(vault);
        return vault;
      };
      const vault = await openOne();
      return {
        vault,
        reopen: openOne,
        async cleanup() {
          await Promise.all(vaults.map((each) => each.close()));
          await rm(cwd, { recursive: true, force: true });
        },
      };
    },
  },
];
