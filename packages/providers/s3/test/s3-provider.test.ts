/**
 * S3-specific behaviour against s3rver: where objects go (and that hostile keys stay under the
 * prefix), large values, the ETag cache, lazy connection, errors, `putMany` rollback and an
 * existing client.
 */

import {
  createVault,
  maxKeyLength,
  NotFoundError,
  ProviderUnavailableError,
  type StorageProvider,
} from "@agentvault/core";
import type { FilterNode } from "@agentvault/query";
import { ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { s3Provider } from "../src/index.js";
import { instrumentedClient } from "./instrumented-client.js";
import { startS3Server, type TestS3Server } from "./s3rver-server.js";

const all: FilterNode = { type: "and", children: [] };

describe("s3 provider", () => {
  let server: TestS3Server;
  let prefixes = 0;

  beforeAll(async () => {
    server = await startS3Server();
  });
  afterAll(async () => {
    await server.stop();
  });

  function open(options: { prefix?: string; now?: () => number } = {}): StorageProvider {
    prefixes += 1;
    return s3Provider({
      bucket: server.bucket,
      prefix: options.prefix ?? `unit-${prefixes}`,
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: server.credentials,
      now: options.now,
    });
  }

  async function objectKeys(prefix = ""): Promise<string[]> {
    const page = await server.client.send(
      new ListObjectsV2Command({ Bucket: server.bucket, Prefix: prefix }),
    );
    return (page.Contents ?? []).map((object) => object.Key as string).sort();
  }

  it("stores one object per record at <prefix>/<database>/<collection>/<key>.json", async () => {
    const provider = open({ prefix: "/layout/" });
    await provider
      .withDatabase("tenant_a")
      .put("notes", { key: "greeting", value: { text: "hi" } });
    expect(await objectKeys("layout/")).toEqual(["layout/tenant_a/notes/greeting.json"]);
    await provider.withDatabase("tenant_a").dropDatabase();
    expect(await objectKeys("layout/")).toEqual([]);
    await provider.close();
  });

  it("escapes database, collection and key names exactly as stored objects are named", async () => {
    const provider = open({ prefix: "escaped" }).withDatabase("Tenant.A");
    await provider.put("My Notes", { key: "User/é.txt", value: 1 });
    // Hand-encoded: uppercase, '.', ' ', '/' and each UTF-8 byte of 'é' become %xx.
    expect(await objectKeys("escaped/")).toEqual([
      "escaped/%54enant%2e%41/%4dy%20%4eotes/%55ser%2f%c3%a9%2etxt.json",
    ]);
    expect(await provider.listCollections()).toEqual(["My Notes"]);
    await provider.dropDatabase();
    await provider.close();
  });

  it("keeps hostile keys, collections and databases inside the prefix", async () => {
    const provider = open({ prefix: "hostile" });
    const vault = createVault({ provider });
    const keys = ["../x", "../../etc/passwd", "/abs", "a/b/c", "..", ".", "\\x", "__proto__"];
    keys.push("Key", "key", "É".repeat(maxKeyLength));
    for (const key of keys) await vault.store("things", { key }, { key });
    for (const key of keys) expect(await vault.retrieve("things", key)).toEqual({ _id: key, key });
    const outside = provider.withDatabase("../../outside");
    await outside.put("../up", { key: "../k", value: 1 });
    const stored = await objectKeys();
    const mine = stored.filter((key) => key.startsWith("hostile/"));
    expect(mine).toHaveLength(keys.length + 1);
    // Exactly prefix/database/collection/name: no key added or removed a path segment.
    for (const key of mine) expect(key.split("/")).toHaveLength(4);
    expect(await provider.listCollections()).toEqual(["things"]);
    expect(await outside.listCollections()).toEqual(["../up"]);
    await outside.dropDatabase();
    await provider.dropDatabase();
    await provider.close();
  });

  it("round-trips a 2 MB value with metadata, dates and binary", async () => {
    const provider = open();
    const value = {
      text: "ü".repeat(2 * 1024 * 1024),
      at: new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 123)),
      bytes: new Uint8Array([0, 1, 254, 255]),
    };
    await provider.put("big", { key: "k", value, metadata: { size: "large" }, vector: [1, 0] });
    const back = await provider.get("big", "k");
    expect(back?.value).toEqual(value);
    expect(back?.metadata).toEqual({ size: "large" });
    expect(back?.vector).toEqual([1, 0]);
    await provider.dropDatabase();
    await provider.close();
  });

  it("scans fetch only objects whose ETag changed since the last scan", async () => {
    const { client, sent } = instrumentedClient(server);
    const provider = s3Provider({ bucket: server.bucket, prefix: "cache", client });
    await provider.putMany(
      "items",
      Array.from({ length: 12 }, (_, index) => ({ key: `i${index}`, value: { n: index } })),
    );
    expect(await provider.count("items", all)).toBe(12);
    // Objects it did not write are ignored.
    for (const name of ["README.md", "Upper.json", "nested/x.json", "~name"]) {
      await server.client.send(
        new PutObjectCommand({
          Bucket: server.bucket,
          Key: `cache/default/items/${name}`,
          Body: "{}",
        }),
      );
    }
    expect(await provider.count("items", all)).toBe(12);
    sent.length = 0;
    expect(await provider.count("items", all)).toBe(12);
    expect(sent.map((command) => command.name)).toEqual(["ListObjectsV2Command"]);
    // Another writer changes one object: only it is fetched again, and its new value is seen.
    const body = JSON.stringify({ k: "i3", v: { n: 300 } });
    await server.client.send(
      new PutObjectCommand({
        Bucket: server.bucket,
        Key: "cache/default/items/i3.json",
        Body: body,
      }),
    );
    sent.length = 0;
    const found = await provider.find("items", { filter: all });
    expect(found.find((record) => record.key === "i3")?.value).toEqual({ n: 300 });
    expect(sent.map((command) => command.name).sort()).toEqual([
      "GetObjectCommand",
      "ListObjectsV2Command",
    ]);
    await provider.dropDatabase();
    await provider.close();
    client.destroy();
  });

  it("putMany puts back what it wrote when a write fails", async () => {
    let puts = 0;
    const { client } = instrumentedClient(server, ({ name }) => {
      if (name === "PutObjectCommand" && ++puts === 4) throw new Error("injected failure");
    });
    const provider = s3Provider({ bucket: server.bucket, prefix: "rollback", client });
    await provider.put("batch", { key: "existing", value: "before" });
    const records = [
      { key: "existing", value: "after" },
      { key: "new1", value: 1 },
      { key: "new2", value: 2 },
      { key: "new3", value: 3 },
    ];
    await expect(provider.putMany("batch", records)).rejects.toSatisfy(
      ProviderUnavailableError.isInstance,
    );
    expect((await provider.get("batch", "existing"))?.value).toBe("before");
    expect(await provider.getMany("batch", ["new1", "new2", "new3"])).toEqual([null, null, null]);
    expect(await objectKeys("rollback/")).toEqual(["rollback/default/batch/existing.json"]);
    await provider.dropDatabase();
    await provider.close();
    client.destroy();
  });

  it("never returns expired records and deletes their objects lazily", async () => {
    let time = Date.UTC(2025, 0, 1);
    const provider = open({ prefix: "ttl", now: () => time });
    await provider.put("sessions", { key: "short", value: 1, expiresAt: time + 1000 });
    await provider.put("sessions", { key: "long", value: 2, expiresAt: time + 60_000 });
    time += 1000;
    expect(await provider.get("sessions", "short")).toBeNull();
    expect((await provider.find("sessions", { filter: all })).map((record) => record.key)).toEqual([
      "long",
    ]);
    await provider.close();
    expect(await objectKeys("ttl/")).toEqual(["ttl/default/sessions/long.json"]);
    const cleanup = open({ prefix: "ttl" });
    await cleanup.dropDatabase();
    await cleanup.close();
  });

  it("lists a collection whose name is stored hashed under its real name", async () => {
    const provider = open();
    const long = `${"A.".repeat(59)}Zz`;
    await provider.put(long, { key: "k", value: 1 });
    await provider.put("short", { key: "k", value: 2 });
    expect(await provider.listCollections()).toEqual([long, "short"].sort());
    expect(await provider.dropCollection(long)).toBe(1);
    expect(await provider.listCollections()).toEqual(["short"]);
    await provider.dropDatabase();
    await provider.close();
  });

  it("connects lazily and reports an unreachable endpoint as ProviderUnavailableError", async () => {
    const provider = s3Provider({
      bucket: "b",
      endpoint: "http://127.0.0.1:9",
      forcePathStyle: true,
      credentials: server.credentials,
      timeoutMs: 1000,
    });
    const started = Date.now();
    const failure = await provider.get("c", "k").catch((error) => error);
    expect(ProviderUnavailableError.isInstance(failure)).toBe(true);
    expect(String(failure.message)).not.toContain("127.0.0.1");
    expect(Date.now() - started).toBeLessThan(10_000);
    const health = await provider.health();
    expect(health.ok).toBe(false);
    expect(health.message).not.toContain("127.0.0.1");
    await provider.close();
  });

  it("reports a missing bucket as NotFoundError, and in health", async () => {
    const provider = s3Provider({
      bucket: "no-such-bucket",
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: server.credentials,
    });
    await expect(provider.get("c", "k")).rejects.toSatisfy(NotFoundError.isInstance);
    expect(await provider.health()).toMatchObject({
      ok: false,
      message: expect.stringMatching(/bucket does not exist/),
    });
    await provider.close();
  });

  it("uses an existing client and leaves it open on close", async () => {
    const { client } = instrumentedClient(server);
    const provider = s3Provider({ bucket: server.bucket, prefix: "shared-client", client });
    expect(await provider.health()).toMatchObject({ ok: true });
    await provider.put("c", { key: "k", value: 1 });
    await provider.dropDatabase();
    await provider.close();
    await expect(provider.get("c", "k")).rejects.toSatisfy(ProviderUnavailableError.isInstance);
    // The client still works for its owner.
    const page = await client.send(new ListObjectsV2Command({ Bucket: server.bucket, MaxKeys: 1 }));
    expect(page.$metadata.httpStatusCode).toBe(200);
    client.destroy();
  });

  it("validates its options", () => {
    expect(() => s3Provider({} as never)).toThrow(/bucket/);
    expect(() => s3Provider({ bucket: "b", prefix: "x".repeat(400) })).toThrow(/prefix/);
    expect(() => s3Provider({ bucket: "b", concurrency: 0 })).toThrow(/concurrency/);
  });
});
