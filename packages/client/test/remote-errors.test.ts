import {
  AgentVaultError,
  AuthenticationError,
  ConflictError,
  FilterValidationError,
  IntegrityError,
  LimitExceededError,
  memoryProvider,
  NotFoundError,
  PermissionDeniedError,
  ProviderUnavailableError,
  type StorageProvider,
  UnsupportedCapabilityError,
  UnsupportedOperatorError,
  ValidationError,
} from "@agentvault/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toAgentVaultError, type VaultClient } from "../src/index.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

/** A memory provider whose finds in collections named `*.vanished` fail with NotFoundError. */
function vanishingProvider(inner: StorageProvider = memoryProvider()): StorageProvider {
  return new Proxy(inner, {
    get(target, property) {
      if (property === "withDatabase") {
        return (database: string) => vanishingProvider(target.withDatabase(database));
      }
      if (property === "find") {
        return (collection: string, query: Parameters<StorageProvider["find"]>[1]) => {
          if (collection.endsWith(".vanished")) {
            throw new NotFoundError(`Collection ${collection} is gone`, { source: "memory" });
          }
          return target.find(collection, query);
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("server errors arrive as the core's classes", () => {
  let server: TestServer;
  let shop: VaultClient;
  let billing: VaultClient;

  beforeAll(async () => {
    server = await startTestServer({
      provider: vanishingProvider(),
      limits: { maxResultDocuments: 3 },
    });
    shop = await server.clientFor("shop");
    billing = await server.clientFor("billing");
    await shop.store("orders", { total: 10 }, { key: "o1" });
  });
  afterAll(() => server.close());

  it("PermissionDeniedError: a principal reading another's collection", async () => {
    const error = await billing.query("shop.orders", {}).catch((caught: unknown) => caught);
    expect(PermissionDeniedError.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error).toBeInstanceOf(AgentVaultError);
    expect((error as Error).message).toBe(
      "[agentvault] [server] billing has no read permission on shop.orders",
    );
  });

  it("NotFoundError thrown by the backend", async () => {
    const error = await shop.query("vanished", {}).catch((caught: unknown) => caught);
    expect(NotFoundError.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toContain("shop.vanished is gone");
  });

  it("ValidationError with its path, and FilterValidationError for a script operator", async () => {
    const badKey = await shop.retrieve("orders", "").catch((caught: unknown) => caught);
    expect(ValidationError.isInstance(badKey)).toBe(true);
    expect(badKey).toBeInstanceOf(ValidationError);

    const script = await shop
      .query("orders", { $where: "this.total > 1" })
      .catch((caught: unknown) => caught);
    expect(
      FilterValidationError.isInstance(script) || UnsupportedOperatorError.isInstance(script),
    ).toBe(true);
    expect(script).toBeInstanceOf(AgentVaultError);

    const badUpdate = await shop
      .update("orders", "o1", { $set: { _id: "x" } })
      .catch((caught: unknown) => caught);
    expect(badUpdate).toBeInstanceOf(ValidationError);
    expect((badUpdate as ValidationError).path).toBe("_id");
  });

  it("AuthenticationError for an unknown key and for a revoked one", async () => {
    const stranger = server.client("avk_AAAAAAAAAAAAAAAA_notarealsecretnotarealsecretnotareal");
    await expect(stranger.count("orders")).rejects.toBeInstanceOf(AuthenticationError);
    const key = await server.admin.admin.createKey({ principal: "temp" });
    const temp = server.client(key.apiKey);
    await expect(temp.count("things")).resolves.toBe(0);
    expect(await server.admin.admin.revokeKey(key.id)).toBe(true);
    await expect(temp.count("things")).rejects.toSatisfy(AuthenticationError.isInstance);
  });

  it("ConflictError for a tenant that exists; LimitExceededError keeps its limit", async () => {
    await expect(server.root.admin.createTenant(server.tenant)).rejects.toBeInstanceOf(
      ConflictError,
    );
    const tooMany = await shop
      .search("orders", { vector: [1, 0], limit: 50 })
      .catch((caught: unknown) => caught);
    expect(tooMany).toBeInstanceOf(LimitExceededError);
    expect((tooMany as LimitExceededError).limit).toBe("resultSize");
  });

  it("keeps the tRPC error, with the request id, as the cause", async () => {
    const error = (await billing.count("shop.orders").catch((caught: unknown) => caught)) as Error;
    const cause = error.cause as { data?: { requestId?: unknown; httpStatus?: unknown } };
    expect(cause.data?.httpStatus).toBe(403);
    expect(typeof cause.data?.requestId).toBe("string");
  });
});

describe("toAgentVaultError", () => {
  const cases: [string, { isInstance(error: unknown): boolean }, Function][] = [
    ["VALIDATION_FAILED", ValidationError, ValidationError],
    ["FILTER_INVALID", FilterValidationError, FilterValidationError],
    ["UNSUPPORTED_OPERATOR", UnsupportedOperatorError, UnsupportedOperatorError],
    ["NOT_FOUND", NotFoundError, NotFoundError],
    ["CONFLICT", ConflictError, ConflictError],
    ["PERMISSION_DENIED", PermissionDeniedError, PermissionDeniedError],
    ["UNAUTHENTICATED", AuthenticationError, AuthenticationError],
    ["PROVIDER_UNAVAILABLE", ProviderUnavailableError, ProviderUnavailableError],
    ["UNSUPPORTED_CAPABILITY", UnsupportedCapabilityError, UnsupportedCapabilityError],
    ["LIMIT_EXCEEDED", LimitExceededError, LimitExceededError],
    ["INTEGRITY_FAILED", IntegrityError, IntegrityError],
  ];

  it.each(cases)("rebuilds %s as its class, message unchanged", (code, guard, errorClass) => {
    const remote = {
      message: `[agentvault] [server] something about ${code}`,
      data: { agentVaultCode: code, httpStatus: 400, details: { path: "a.b", limit: "rate" } },
    };
    const error = toAgentVaultError(remote);
    expect(guard.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(errorClass);
    expect((error as Error).message).toBe(remote.message);
    expect((error as Error).cause).toBe(remote);
  });

  it("carries details: path, limit, capability, operator", () => {
    const at = (code: string, details: Record<string, string>) =>
      toAgentVaultError({ message: "m", data: { agentVaultCode: code, details } }) as Record<
        string,
        unknown
      >;
    expect(at("FILTER_INVALID", { path: "$or.1.price" }).path).toBe("$or.1.price");
    expect(at("LIMIT_EXCEEDED", { limit: "rate" }).limit).toBe("rate");
    expect(at("UNSUPPORTED_CAPABILITY", { capability: "vectorSearch" }).capability).toBe(
      "vectorSearch",
    );
    expect(at("UNSUPPORTED_OPERATOR", { operator: "$where" }).operator).toBe("$where");
  });

  it("keeps unknown codes (INTERNAL) as AgentVaultError with that code", () => {
    const error = toAgentVaultError({
      message: "Internal server error",
      data: { agentVaultCode: "INTERNAL" },
    });
    expect(AgentVaultError.isInstance(error)).toBe(true);
    expect((error as AgentVaultError).code).toBe("INTERNAL");
  });

  it("takes the limit of a LIMIT_EXCEEDED answer without one from its HTTP status", () => {
    const tooLarge = toAgentVaultError({
      message: "PAYLOAD_TOO_LARGE",
      data: { agentVaultCode: "LIMIT_EXCEEDED", httpStatus: 413 },
    });
    expect((tooLarge as LimitExceededError).limit).toBe("bodySize");
    const named = toAgentVaultError({
      message: "too many",
      data: { agentVaultCode: "LIMIT_EXCEEDED", httpStatus: 400, details: { limit: "resultSize" } },
    });
    expect((named as LimitExceededError).limit).toBe("resultSize");
  });

  it("maps answers without an AgentVault code by HTTP status, and no answer to unavailable", () => {
    const status = (code: number) => toAgentVaultError({ meta: { response: { status: code } } });
    expect(status(503)).toBeInstanceOf(ProviderUnavailableError);
    expect(status(404)).toBeInstanceOf(ProviderUnavailableError);
    expect(status(401)).toBeInstanceOf(AuthenticationError);
    expect((status(429) as LimitExceededError).limit).toBe("rate");
    expect((status(413) as LimitExceededError).limit).toBe("bodySize");
    expect(toAgentVaultError(new TypeError("fetch failed"))).toBeInstanceOf(
      ProviderUnavailableError,
    );
  });
});
