import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  createKey,
  createTenant,
  type StartedServer,
  startServer,
} from "./support/test-server.js";

const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();

async function post(url: string, path: string, body: string, apiKey: string): Promise<number> {
  const response = await fetch(`${url}/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
    body,
  });
  const text = await response.text();
  expect(text).not.toMatch(/at .*\.(ts|js):\d+/);
  expect(text).not.toContain("/work/");
  return response.status;
}

describe("hostile requests over HTTP", () => {
  let server: StartedServer;
  let key: string;
  beforeAll(async () => {
    server = await startServer({ limits: { rate: { points: 100_000 } } });
    const admin = await createTenant(server, "acme");
    key = (await createKey(server, admin, "svc")).apiKey;
    await call(server.url, "vault.store", { collection: "docs", doc: { a: 1 } }, key);
  });
  afterAll(async () => {
    await server.close();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ["$where", { $where: "while(true){}" }],
    ["$function", { a: { $function: { body: "return 1", args: [], lang: "js" } } }],
    ["$expr", { $expr: { $eq: ["$a", 1] } }],
    ["$accumulator", { $and: [{ a: { $accumulator: {} } }] }],
  ])("rejects the script operator %s with 400", async (_name, filter) => {
    const result = await call(server.url, "vault.query", { collection: "docs", filter }, key);
    expect(result.status).toBe(400);
    expect(result.error?.data.agentVaultCode).toMatch(/FILTER_INVALID|UNSUPPORTED_OPERATOR/);
  });

  it("rejects $-prefixed field names in stored values with 400", async () => {
    for (const doc of [{ $set: { a: 1 } }, { a: { $gt: 1 } }, { list: [{ $where: "x" }] }]) {
      const result = await call(server.url, "vault.store", { collection: "docs", doc }, key);
      expect(result.status).toBe(400);
      expect(result.error?.data.agentVaultCode).toBe("VALIDATION_FAILED");
    }
  });

  it("treats __proto__ in documents, filters and updates as data, never as a prototype", async () => {
    const payloads = [
      '{"collection":"docs","doc":{"__proto__":{"polluted":true},"b":1}}',
      '{"collection":"docs","doc":{"nested":{"__proto__":{"polluted":true}}}}',
      '{"collection":"docs","doc":{"constructor":{"prototype":{"polluted":true}}}}',
    ];
    for (const body of payloads) {
      const status = await post(server.url, "vault.store", body, key);
      expect(status).toBeLessThan(500);
    }
    const update = await post(
      server.url,
      "vault.updateMany",
      '{"collection":"docs","filter":{},"update":{"$set":{"__proto__.polluted":true,"constructor.prototype.polluted":true}}}',
      key,
    );
    expect(update).toBeLessThan(500);
    const query = await call(
      server.url,
      "vault.query",
      { collection: "docs", filter: JSON.parse('{"__proto__":{"polluted":true}}') },
      key,
    );
    expect(query.status).toBeLessThan(500);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const topLevel = await post(
      server.url,
      "vault.store",
      '{"collection":"docs","doc":{},"__proto__":{"polluted":true}}',
      key,
    );
    expect(topLevel).toBe(400);
  });

  it("answers a 10 MB body with 413", async () => {
    const body = JSON.stringify({
      collection: "docs",
      doc: { blob: "x".repeat(10 * 1024 * 1024) },
    });
    expect(await post(server.url, "vault.store", body, key)).toBe(413);
  });

  it("answers a 1,000-call batch with 400", async () => {
    const paths = Array(1000).fill("vault.count").join(",");
    const inputs: Record<string, unknown> = {};
    for (let index = 0; index < 1000; index++) inputs[index] = { collection: "docs" };
    const response = await fetch(`${server.url}/trpc/${paths}?batch=1`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify(inputs),
    });
    expect(response.status).toBe(400);
  });

  it("answers 10,000-deep nesting with 400, in documents and filters", async () => {
    const deep = `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`;
    expect(await post(server.url, "vault.store", `{"collection":"docs","doc":${deep}}`, key)).toBe(
      400,
    );
    const filterBody = `{"collection":"docs","filter":${deep},"update":{"$set":{"b":1}}}`;
    expect(await post(server.url, "vault.updateMany", filterBody, key)).toBe(400);
  });

  it("rejects unknown fields at every level with 400", async () => {
    const inputs = [
      { collection: "docs", doc: {}, extra: 1 },
      { collection: "docs", doc: {}, options: { ttl: 5, upsert: true } },
    ];
    for (const input of inputs) {
      const result = await call(server.url, "vault.store", input, key);
      expect(result.status).toBe(400);
    }
    const query = await call(
      server.url,
      "vault.query",
      { collection: "docs", options: { limit: 1, hint: "x" } },
      key,
    );
    expect(query.status).toBe(400);
  });

  it("answers malformed JSON, wrong types and unknown procedures with 4xx", async () => {
    expect(await post(server.url, "vault.store", "{not json", key)).toBe(400);
    expect(await post(server.url, "vault.store", '{"collection":5,"doc":{}}', key)).toBe(400);
    expect(await post(server.url, "vault.store", '{"collection":"docs","doc":[1,2]}', key)).toBe(
      400,
    );
    expect(await post(server.url, "vault.nothing", "{}", key)).toBe(404);
    // Malformed value tags fail while decoding the input, before any procedure runs.
    const badDate = '{"collection":"docs","doc":{"at":{"$date":"not a date"}}}';
    expect(await post(server.url, "vault.store", badDate, key)).toBe(400);
    const badBinary = '{"collection":"docs","doc":{"raw":{"$binary":"***"}}}';
    expect(await post(server.url, "vault.store", badBinary, key)).toBe(400);
  });

  it("bounds filter size and keeps regular expressions linear", async () => {
    const wide = { $or: Array.from({ length: 5000 }, (_, index) => ({ a: index })) };
    const result = await call(server.url, "vault.query", { collection: "docs", filter: wide }, key);
    expect(result.status).toBe(400);
    const started = Date.now();
    const evil = await call(
      server.url,
      "vault.query",
      { collection: "docs", filter: { a: { $regex: "^(a+)+$" } } },
      key,
    );
    expect(evil.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("refuses API keys in URLs and keys sent another way", async () => {
    const inUrl = await fetch(
      `${server.url}/trpc/vault.count?apiKey=${key}&input=%7B%22collection%22%3A%22docs%22%7D`,
    );
    expect(inUrl.status).toBe(400);
    const basic = await fetch(
      `${server.url}/trpc/vault.count?input=%7B%22collection%22%3A%22docs%22%7D`,
      {
        headers: { authorization: `Basic ${key}` },
      },
    );
    expect(basic.status).toBe(401);
  });
});

async function batchStatuses(url: string, apiKey: string, calls: number): Promise<number[]> {
  const inputs: Record<string, unknown> = {};
  for (let index = 0; index < calls; index++) inputs[index] = { collection: "docs" };
  const paths = Array(calls).fill("vault.count").join(",");
  const response = await fetch(
    `${url}/trpc/${paths}?batch=1&input=${encodeURIComponent(JSON.stringify(inputs))}`,
    {
      headers: { authorization: `Bearer ${apiKey}` },
    },
  );
  const body = (await response.json()) as { error?: { data: { httpStatus: number } } }[];
  return body.map((item) => item.error?.data.httpStatus ?? 200);
}

describe("rate limit", () => {
  it("takes a batch's calls from the budget together and refuses a batch that overruns it whole", async () => {
    const server = await startServer({ limits: { rate: { points: 5, durationSeconds: 60 } } });
    try {
      const admin = await createTenant(server, "acme");
      const { apiKey } = await createKey(server, admin, "svc");
      expect(await batchStatuses(server.url, apiKey, 3)).toEqual([200, 200, 200]);
      expect(await batchStatuses(server.url, apiKey, 3)).toEqual([429, 429, 429]);
    } finally {
      await server.close();
    }
  });

  it("answers 429 past the key's budget, and audits it as denied", async () => {
    const server = await startServer({ limits: { rate: { points: 5, durationSeconds: 60 } } });
    try {
      const admin = await createTenant(server, "acme");
      const { apiKey } = await createKey(server, admin, "svc");
      const statuses: number[] = [];
      for (let index = 0; index < 7; index++) {
        statuses.push(
          (await call(server.url, "vault.count", { collection: "docs" }, apiKey)).status,
        );
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
      const audit = await call(
        server.url,
        "admin.audit",
        { principal: "svc", outcome: "denied" },
        admin,
      );
      expect((audit.data as { entries: unknown[] }).entries).toHaveLength(2);
      // Calls without a valid key spend their address's budget, so key guessing is throttled too.
      const guesses: number[] = [];
      for (let index = 0; index < 7; index++) {
        const guess = `${apiKey.slice(0, -2)}xx`;
        guesses.push((await call(server.url, "vault.count", { collection: "docs" }, guess)).status);
      }
      expect(guesses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    } finally {
      await server.close();
    }
  });
});
