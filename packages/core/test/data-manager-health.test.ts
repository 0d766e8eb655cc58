import { describe, expect, it } from "vitest";
import {
  createDataManager,
  type HealthStatus,
  ProviderUnavailableError,
  type StorageProvider,
} from "../src/index.js";

/** Health is the only method `health()` calls; the rest of the contract is not needed here. */
function providerWithHealth(health: () => Promise<HealthStatus>): StorageProvider {
  return {
    name: "stub",
    get: async () => null,
    put: async () => {},
    health,
    close: async () => {},
  } as unknown as StorageProvider;
}

describe("data manager: health", () => {
  it("reports every provider, healthy or not, without throwing", async () => {
    const manager = createDataManager({ healthTimeoutMs: 100 });
    manager.registerProvider(
      "healthy",
      providerWithHealth(async () => ({ ok: true })),
    );
    manager.registerProvider(
      "down",
      providerWithHealth(async () => {
        throw new ProviderUnavailableError("Redis did not answer", { source: "redis" });
      }),
    );
    manager.registerProvider(
      "leaky",
      providerWithHealth(async () => {
        throw Object.assign(new Error("connect postgres://app:hunter2@db failed"), {
          code: "ECONNREFUSED",
        });
      }),
    );
    manager.registerProvider(
      "sync-throw",
      providerWithHealth(() => {
        throw new TypeError("not a promise");
      }),
    );
    manager.registerProvider(
      "hanging",
      providerWithHealth(() => new Promise(() => {})),
    );
    manager.registerProvider(
      "garbage",
      providerWithHealth(async () => "fine" as unknown as HealthStatus),
    );

    const report = await manager.health();
    expect(Object.keys(report)).toEqual([
      "healthy",
      "down",
      "leaky",
      "sync-throw",
      "hanging",
      "garbage",
    ]);
    expect(report.healthy?.ok).toBe(true);
    expect(typeof report.healthy?.latencyMs).toBe("number");
    expect(report.down).toMatchObject({ ok: false });
    expect(report.down?.message).toContain("Redis did not answer");
    expect(report.leaky?.ok).toBe(false);
    expect(report.leaky?.message).toContain("ECONNREFUSED");
    expect(report.leaky?.message).not.toContain("hunter2");
    expect(report["sync-throw"]?.ok).toBe(false);
    expect(report.hanging).toMatchObject({ ok: false, message: "No answer within 100 ms" });
    expect(report.garbage?.ok).toBe(false);
  });

  it("reports an empty object when nothing is registered", async () => {
    expect(await createDataManager().health()).toEqual({});
  });
});
