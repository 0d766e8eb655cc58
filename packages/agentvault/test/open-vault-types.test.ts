/**
 * Type tests for `openVault`'s result: `tsc --noEmit` checks them, vitest runs them so the
 * runtime half (the scheme list behind the type, `isEmbeddedVault`) is exercised too.
 */

import type { EmbeddedVault, OperationRecord, Vault } from "@agentvault/core";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  type EmbeddedVaultUrl,
  embeddedUrlSchemes,
  isEmbeddedVault,
  openVault,
  urlSchemes,
} from "../src/index.js";

/**
 * Checked by `tsc` only, never called: calling `openVault` would open real stores (files in the
 * working folder, connections), and an unawaited open could outlive the test file.
 */
export function typeOnlyChecks(): void {
  expectTypeOf(openVault()).resolves.toEqualTypeOf<EmbeddedVault>();
  expectTypeOf(openVault("sqlite:./data/vault.db")).resolves.toEqualTypeOf<EmbeddedVault>();
  expectTypeOf(openVault("postgres://db/app")).resolves.toEqualTypeOf<EmbeddedVault>();
  expectTypeOf(openVault("https://vault.example.com")).resolves.toEqualTypeOf<Vault>();
}

describe("openVault's result type", () => {
  it("is an EmbeddedVault with on('operation') for no URL and storage URL literals", async () => {
    const vault = await openVault("memory:");
    expectTypeOf(vault).toEqualTypeOf<EmbeddedVault>();
    const seen: OperationRecord[] = [];
    const stop = vault.on("operation", (record) => {
      expectTypeOf(record).toEqualTypeOf<OperationRecord>();
      seen.push(record);
    });
    await vault.store("notes", { text: "hi" }, { key: "n1" });
    stop();
    await vault.store("notes", { text: "after" }, { key: "n2" });
    expect(seen.map((record) => record.op)).toContain("put");
    expect(seen.some((record) => record.key === "n2")).toBe(false);
    await vault.close();
  });

  it("is a plain Vault for server URLs and unknown strings, narrowed by isEmbeddedVault", async () => {
    const fromEnv: string | undefined = "memory:";
    const vault = await openVault(fromEnv);
    expectTypeOf(vault).toEqualTypeOf<Vault>();
    // @ts-expect-error a plain Vault has no on(): it may be a hosted-server client
    vault.on;
    expect(isEmbeddedVault(vault)).toBe(true);
    if (isEmbeddedVault(vault)) expectTypeOf(vault.on).toBeFunction();
    await vault.close();
  });

  it("lists every scheme whose factory returns a provider, and no other", () => {
    const providerSchemes = urlSchemes
      .filter((row) => row.returns === "provider")
      .flatMap((row) => row.schemes);
    expect([...embeddedUrlSchemes].sort()).toEqual(providerSchemes.sort());
    expectTypeOf<"file:./data">().toExtend<EmbeddedVaultUrl>();
    expectTypeOf<"https://h">().not.toExtend<EmbeddedVaultUrl>();
  });
});
