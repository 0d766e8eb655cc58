import { describe, expect, it } from "vitest";
import {
  createVault,
  getDataManager,
  NotFoundError,
  openVault,
  ProviderPackageMissingError,
  ValidationError,
} from "../src/index.js";
import { loadVaultFactory } from "../src/open-vault.js";
import { parseVaultUrl } from "../src/url-schemes.js";

describe("openVault", () => {
  it("opens an in-memory vault with memory:", async () => {
    const vault = await openVault("memory:");
    const key = await vault.store("products", { name: "Laptop", price: 999.99 });
    expect(key).toMatch(/^prod_/);
    expect(await vault.retrieve("products", key)).toEqual({
      _id: key,
      name: "Laptop",
      price: 999.99,
    });
    await vault.close();
  });

  it("keeps databases apart", async () => {
    const first = await openVault("memory:", { database: "tenant_a" });
    const second = await openVault("memory:", { database: "tenant_b" });
    await first.store("notes", { text: "a" }, { key: "n" });
    expect(await second.retrieve("notes", "n")).toBeNull();
    await Promise.all([first.close(), second.close()]);
  });

  it("names the package to install when a URL's package is absent", async () => {
    const target = {
      ...parseVaultUrl("redis://127.0.0.1:6379"),
      packageName: "@agentvault/provider-not-installed",
    };
    await expect(loadVaultFactory(target)).rejects.toSatisfy(
      (error: unknown) =>
        ProviderPackageMissingError.isInstance(error) &&
        error.packages.join() === "@agentvault/provider-not-installed" &&
        error.message.includes("pnpm add @agentvault/provider-not-installed") &&
        !error.message.includes("127.0.0.1"),
    );
  });

  it("rejects unknown schemes before loading anything", async () => {
    await expect(openVault("cassandra://h")).rejects.toThrow(ValidationError);
  });

  it("re-exports the core API", () => {
    expect(typeof createVault).toBe("function");
    expect(typeof getDataManager().registerProvider).toBe("function");
    expect(new NotFoundError("x").code).toBe("NOT_FOUND");
  });
});
