import { describe, expect, it } from "vitest";
import {
  AgentVaultError,
  FilterValidationError,
  NotFoundError,
  ProviderNotRegisteredError,
} from "../src/index.js";

describe("errors", () => {
  it("prefix messages, keep codes and are recognised across copies", () => {
    const error = new ProviderNotRegisteredError("postgres", ["sqlite"], {
      source: "data-manager",
    });
    expect(error.message).toBe(
      '[agentvault] [data-manager] Provider "postgres" is not registered (registered: sqlite).',
    );
    expect(error.code).toBe("PROVIDER_NOT_REGISTERED");
    expect(AgentVaultError.isInstance(error)).toBe(true);
    expect(NotFoundError.isInstance(error)).toBe(false);
    const foreign = Object.assign(new Error("x"), {
      code: "NOT_FOUND",
      [Symbol.for("agentvault.error")]: true,
    });
    expect(NotFoundError.isInstance(foreign)).toBe(true);
  });
  it("carry the offending path of a filter", () => {
    const error = new FilterValidationError("$in needs an array", "price.$in");
    expect(error.path).toBe("price.$in");
    expect(error.message).toContain("(at price.$in)");
  });
});
