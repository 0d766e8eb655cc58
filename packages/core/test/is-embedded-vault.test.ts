import { describe, expect, expectTypeOf, it } from "vitest";
import {
  createVault,
  type EmbeddedVault,
  isEmbeddedVault,
  memoryProvider,
  type Vault,
} from "../src/index.js";

describe("isEmbeddedVault", () => {
  it("is true for createVault's vaults and false for a Vault without hooks", async () => {
    const embedded = createVault({ provider: memoryProvider() });
    expect(isEmbeddedVault(embedded)).toBe(true);
    // A Vault that forwards the collection API only, as a remote client does.
    const forwarding = new Proxy({} as Vault, {
      get: (_target, name) => (name === "on" ? undefined : Reflect.get(embedded, name, embedded)),
    });
    expect(isEmbeddedVault(forwarding)).toBe(false);
    const vault: Vault = embedded;
    if (isEmbeddedVault(vault)) expectTypeOf(vault).toEqualTypeOf<EmbeddedVault>();
    await embedded.close();
  });
});
