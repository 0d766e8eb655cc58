import { ProviderUnavailableError, ValidationError } from "@agentvault/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FetchFunction, retryDelay } from "../src/index.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

interface SeenRequest {
  readonly procedures: string[];
  readonly batched: boolean;
  readonly signal: AbortSignal | null | undefined;
}

/** Wraps fetch to record requests; `before` may answer or fail instead of the server. */
function recordingFetch(
  seen: SeenRequest[],
  before?: (request: SeenRequest, index: number) => Promise<Response> | undefined,
): FetchFunction {
  return async (input, init) => {
    const url = new URL(String(input));
    const request: SeenRequest = {
      procedures: decodeURIComponent(url.pathname.split("/trpc/")[1] ?? "").split(","),
      batched: url.searchParams.has("batch"),
      signal: init?.signal,
    };
    seen.push(request);
    const answer = before?.(request, seen.length - 1);
    return answer ?? fetch(input, init);
  };
}

const networkFailure = () => Promise.reject(new TypeError("fetch failed"));

describe("batching, retries, timeouts and abort", () => {
  let server: TestServer;
  let apiKey: string;

  beforeAll(async () => {
    server = await startTestServer();
    apiKey = (await server.admin.admin.createKey({ principal: "wire" })).apiKey;
    await server.client(apiKey).store("things", { n: 1 }, { key: "one" });
  });
  afterAll(() => server.close());

  it("batches calls made together, at most maxBatchSize per request", async () => {
    const seen: SeenRequest[] = [];
    const vault = server.client(apiKey, { fetch: recordingFetch(seen), maxBatchSize: 8 });
    const counts = await Promise.all(Array.from({ length: 20 }, () => vault.count("things")));
    expect(counts).toEqual(Array(20).fill(1));
    expect(seen.map((request) => request.procedures.length)).toEqual([8, 8, 4]);
    expect(seen.every((request) => request.batched)).toBe(true);
  });

  it("sends a large call alone, so a batch stays under the body limit", async () => {
    const seen: SeenRequest[] = [];
    const vault = server.client(apiKey, {
      fetch: recordingFetch(seen),
      maxBatchSize: 4,
      maxBatchBytes: 1024,
    });
    const big = "x".repeat(2000);
    await Promise.all([
      vault.store("things", { n: 2 }),
      vault.store("things", { text: big }),
      vault.store("things", { n: 3 }),
    ]);
    const shapes = seen.map((request) => `${request.procedures.length}:${request.batched}`).sort();
    expect(shapes).toEqual(["1:false", "2:true"]);
  });

  it("retries an idempotent call after network failures, with back-off", async () => {
    const seen: SeenRequest[] = [];
    const vault = server.client(apiKey, {
      fetch: recordingFetch(seen, (_request, index) => (index < 2 ? networkFailure() : undefined)),
      retryDelayMs: 5,
    });
    await expect(vault.retrieve("things", "one")).resolves.toMatchObject({ n: 1 });
    expect(seen).toHaveLength(3);
  });

  it("retries a 503 answer, but never a write and never a refusal", async () => {
    const unavailable = () => Promise.resolve(new Response("Service Unavailable", { status: 503 }));
    const seenRead: SeenRequest[] = [];
    const reader = server.client(apiKey, {
      fetch: recordingFetch(seenRead, (_request, index) => (index < 1 ? unavailable() : undefined)),
      retryDelayMs: 1,
    });
    await expect(reader.count("things")).resolves.toBeGreaterThan(0);
    expect(seenRead).toHaveLength(2);

    const seenWrite: SeenRequest[] = [];
    const writer = server.client(apiKey, {
      fetch: recordingFetch(seenWrite, () => networkFailure()),
      retryDelayMs: 1,
    });
    await expect(writer.store("things", { n: 9 })).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(seenWrite).toHaveLength(1);

    const seenBad: SeenRequest[] = [];
    const invalid = server.client(apiKey, { fetch: recordingFetch(seenBad), retryDelayMs: 1 });
    await expect(invalid.retrieve("things", "")).rejects.toBeInstanceOf(ValidationError);
    expect(seenBad).toHaveLength(1);
  });

  it("gives up after `retries` retries", async () => {
    const seen: SeenRequest[] = [];
    const vault = server.client(apiKey, {
      fetch: recordingFetch(seen, () => networkFailure()),
      retries: 2,
      retryDelayMs: 1,
    });
    await expect(vault.count("things")).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(seen).toHaveLength(3);
  });

  it("fails a call with no answer within timeoutMs, aborting its request", async () => {
    const seen: SeenRequest[] = [];
    const hang = (request: SeenRequest) =>
      new Promise<Response>((_, reject) =>
        request.signal?.addEventListener("abort", () => reject(request.signal?.reason)),
      );
    const vault = server.client(apiKey, { fetch: recordingFetch(seen, hang), timeoutMs: 150 });
    const started = performance.now();
    const error = await vault.count("things").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as Error).message).toContain("within 150 ms");
    expect(performance.now() - started).toBeLessThan(5000);
    expect(seen[0]?.signal?.aborted).toBe(true);
  });

  it("rejects with the abort reason when the caller aborts, before or during a call", async () => {
    const seen: SeenRequest[] = [];
    const hang = (request: SeenRequest) =>
      new Promise<Response>((_, reject) =>
        request.signal?.addEventListener("abort", () => reject(request.signal?.reason)),
      );
    const vault = server.client(apiKey, { fetch: recordingFetch(seen, hang) });
    const controller = new AbortController();
    const pending = vault.withOptions({ signal: controller.signal }).query("things", {});
    setTimeout(() => controller.abort(new Error("user went away")), 20);
    await expect(pending).rejects.toThrow("user went away");

    const aborted = AbortSignal.abort();
    await expect(vault.withOptions({ signal: aborted }).count("things")).rejects.toMatchObject({
      name: "AbortError",
    });
    expect(seen).toHaveLength(1);
  });
});

describe("retryDelay", () => {
  it("doubles from the base, with jitter within the upper half, capped at 5 s", () => {
    const low = () => 0;
    const high = () => 1;
    expect([1, 2, 3, 4].map((attempt) => retryDelay(attempt, 100, high))).toEqual([
      100, 200, 400, 800,
    ]);
    expect([1, 2, 3, 4].map((attempt) => retryDelay(attempt, 100, low))).toEqual([
      50, 100, 200, 400,
    ]);
    expect(retryDelay(20, 100, high)).toBe(5000);
  });
});
