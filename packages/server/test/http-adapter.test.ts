import type { AddressInfo } from "node:net";
import { memoryProvider } from "@agentvault/core";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExpressRouter } from "../src/express.js";
import { createBroker, createLogger } from "../src/index.js";
import { call, ok, type StartedServer, startServer } from "./support/test-server.js";

describe("tRPC over HTTP", () => {
  let server: StartedServer;
  let apiKey: string;

  beforeAll(async () => {
    server = await startServer();
    apiKey = (
      await ok<{ apiKey: string }>(
        server.url,
        "admin.createTenant",
        { tenant: "acme" },
        server.rootKey,
      )
    ).apiKey;
  });
  afterAll(() => server.close());

  it("answers single calls and batches with a content-length and the request id", async () => {
    const stored = await fetch(`${server.url}/trpc/vault.store`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${apiKey}`,
        "x-request-id": "req-1",
      },
      body: JSON.stringify({ collection: "notes", doc: { text: "héllo" } }),
    });
    const text = await stored.text();
    expect(stored.status).toBe(200);
    expect(stored.headers.get("x-request-id")).toBe("req-1");
    expect(stored.headers.get("content-length")).toBe(String(Buffer.byteLength(text)));
    const key = (JSON.parse(text) as { result: { data: string } }).result.data;

    const batch = await fetch(
      `${server.url}/trpc/vault.retrieve,vault.count?batch=1&input=${encodeURIComponent(
        JSON.stringify({ 0: { collection: "notes", key }, 1: { collection: "notes" } }),
      )}`,
      { headers: { authorization: `Bearer ${apiKey}` } },
    );
    expect(batch.status).toBe(200);
    const answers = (await batch.json()) as { result: { data: unknown } }[];
    expect(answers.map((answer) => answer.result.data)).toEqual([{ _id: key, text: "héllo" }, 1]);
  });

  it("answers a POST batch exactly as tRPC answers the same batch as a GET", async () => {
    const key = await ok<string>(
      server.url,
      "vault.store",
      { collection: "same", doc: { n: 1 } },
      apiKey,
    );
    const paths = "vault.retrieve,vault.count,vault.retrieve,vault.query";
    const inputs = {
      0: { collection: "same", key },
      1: { collection: "same" },
      2: { collection: "same", key: "" },
      3: { collection: "empty" },
    };
    const headers = { authorization: `Bearer ${apiKey}`, "x-request-id": "same-request" };
    // POST batches of queries and mutations take the adapter's own batch path; GET goes through
    // tRPC's resolveResponse.
    const posted = await fetch(`${server.url}/trpc/${paths}?batch=1`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify(inputs),
    });
    const got = await fetch(
      `${server.url}/trpc/${paths}?batch=1&input=${encodeURIComponent(JSON.stringify(inputs))}`,
      { headers },
    );
    expect(posted.status).toBe(207);
    expect(posted.status).toBe(got.status);
    expect(posted.headers.get("content-type")).toBe(got.headers.get("content-type"));
    expect(posted.headers.get("vary")).toBe(got.headers.get("vary"));
    const body = await posted.json();
    expect(body).toEqual(await got.json());
    expect(body).toMatchObject([
      { result: { data: { _id: key, n: 1 } } },
      { result: { data: 1 } },
      { error: { data: { httpStatus: 400, path: "vault.retrieve", requestId: "same-request" } } },
      { result: { data: [] } },
    ]);
  });

  it("answers POST batches it cannot run itself through tRPC (unknown procedure, bad body)", async () => {
    const headers = { authorization: `Bearer ${apiKey}`, "content-type": "application/json" };
    const unknown = await fetch(`${server.url}/trpc/vault.count,vault.nope?batch=1`, {
      method: "POST",
      headers,
      body: JSON.stringify({ 0: { collection: "same" }, 1: {} }),
    });
    expect(unknown.status).toBe(207);
    expect((await unknown.json()) as unknown[]).toMatchObject([
      { result: { data: 1 } },
      { error: { data: { httpStatus: 404 } } },
    ]);
    const notJson = await fetch(`${server.url}/trpc/vault.count?batch=1`, {
      method: "POST",
      headers,
      body: "{not json",
    });
    expect(notJson.status).toBe(400);
  });

  it("still refuses keys in URLs and unknown procedures", async () => {
    const inUrl = await fetch(`${server.url}/trpc/vault.count?key=${apiKey}`);
    expect(inUrl.status).toBe(400);
    expect((await call(server.url, "vault.nope", {}, apiKey)).status).toBe(404);
  });
});

describe("the express router mounted in an app", () => {
  it("serves tRPC behind a body parser that already read the body", async () => {
    const broker = createBroker({
      provider: memoryProvider(),
      processMetrics: false,
      logger: createLogger({ level: "warn" }),
      redisUrl: "",
    });
    const rootKey = (await broker.ensureRootKey()) as string;
    const app = express();
    app.use(express.json());
    app.use("/api", createExpressRouter(broker));
    const listener = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => listener.once("listening", resolve));
    const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/api`;
    try {
      const created = await ok<{ apiKey: string }>(
        url,
        "admin.createTenant",
        { tenant: "mounted" },
        rootKey,
      );
      const key = await ok<string>(
        url,
        "vault.store",
        { collection: "notes", doc: { n: 1 } },
        created.apiKey,
      );
      expect(await ok(url, "vault.retrieve", { collection: "notes", key }, created.apiKey)).toEqual(
        { _id: key, n: 1 },
      );
    } finally {
      await new Promise((resolve) => listener.close(resolve));
      await broker.close();
    }
  });
});
