import {
  AuthenticationError,
  ConflictError,
  FilterValidationError,
  LimitExceededError,
  NotFoundError,
  PermissionDeniedError,
  ProviderUnavailableError,
  UnsupportedCapabilityError,
  ValidationError,
} from "@agentvault/core";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { describe, expect, it } from "vitest";
import { agentVaultCodeOf, publicError, toTrpcError } from "../src/error-mapping.js";

function status(error: unknown): number {
  return getHTTPStatusCodeFromError(toTrpcError(error));
}

describe("error mapping", () => {
  it("gives each AgentVault error its HTTP status", () => {
    expect(status(new ValidationError("bad", "x"))).toBe(400);
    expect(status(new FilterValidationError("bad", "a.$gt"))).toBe(400);
    expect(status(new AuthenticationError("who"))).toBe(401);
    expect(status(new PermissionDeniedError("no"))).toBe(403);
    expect(status(new NotFoundError("none"))).toBe(404);
    expect(status(new ConflictError("taken"))).toBe(409);
    expect(status(new LimitExceededError("rate", "slow down"))).toBe(429);
    expect(status(new LimitExceededError("bodySize", "too big"))).toBe(413);
    expect(status(new LimitExceededError("resultSize", "too many"))).toBe(400);
    expect(status(new UnsupportedCapabilityError("transactions", "no"))).toBe(501);
    expect(status(new ProviderUnavailableError("down"))).toBe(503);
    expect(status(new Error("boom"))).toBe(500);
  });

  it("keeps the AgentVault code and details for the client", () => {
    const error = new FilterValidationError("Unknown operator", "price.$foo", { source: "query" });
    const shown = publicError(toTrpcError(error));
    expect(shown.data).toEqual({
      code: "BAD_REQUEST",
      agentVaultCode: "FILTER_INVALID",
      details: { path: "price.$foo" },
    });
    expect(shown.message).toBe(error.message);
  });

  it("hides the message of unexpected errors", () => {
    const leak = new Error("SELECT * FROM secrets WHERE path='/etc/passwd'");
    const shown = publicError(toTrpcError(leak));
    expect(shown.message).toBe("Internal server error");
    expect(JSON.stringify(shown)).not.toContain("SELECT");
    expect(shown.data.agentVaultCode).toBe("INTERNAL");
  });

  it("maps tRPC's own errors to AgentVault codes", () => {
    expect(agentVaultCodeOf(new TRPCError({ code: "PAYLOAD_TOO_LARGE" }))).toBe("LIMIT_EXCEEDED");
    expect(agentVaultCodeOf(new TRPCError({ code: "PARSE_ERROR" }))).toBe("VALIDATION_FAILED");
  });
});
