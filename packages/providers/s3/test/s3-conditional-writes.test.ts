/**
 * Atomicity across processes rests on conditional writes. s3rver ignores `If-Match` and
 * `If-None-Match`, so these tests check the provider's side of the protocol: which conditions
 * it sends, and that a write rejected with 412 (emulated here, as AWS S3 answers it) is retried
 * from a fresh read, so another writer's change is never lost.
 */

import { parseUpdate } from "@agentvault/query";
import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { s3Provider } from "../src/index.js";
import { type CommandHook, instrumentedClient, preconditionFailed } from "./instrumented-client.js";
import { startS3Server, type TestS3Server } from "./s3rver-server.js";

const objectKey = "conditional/default/counters/shared.json";

describe("s3 provider: conditional writes", () => {
  let server: TestS3Server;

  beforeAll(async () => {
    server = await startS3Server();
  });
  afterAll(async () => {
    await server.stop();
  });

  async function currentEtag(key: string): Promise<string | undefined> {
    try {
      return (await server.client.send(new HeadObjectCommand({ Bucket: server.bucket, Key: key })))
        .ETag;
    } catch {
      return undefined;
    }
  }

  /** Checks `If-Match` / `If-None-Match` the way S3 does, before s3rver sees the request. */
  const emulateConditions: CommandHook = async ({ name, input }) => {
    if (name !== "PutObjectCommand") return;
    const etag = await currentEtag(input.Key as string);
    if (input.IfNoneMatch === "*" && etag !== undefined) throw preconditionFailed();
    if (input.IfMatch !== undefined && input.IfMatch !== etag) throw preconditionFailed();
  };

  function writeRaw(value: number): Promise<unknown> {
    const body = JSON.stringify({ k: "shared", v: { value } });
    return server.client.send(
      new PutObjectCommand({ Bucket: server.bucket, Key: objectKey, Body: body }),
    );
  }

  it("sends If-None-Match for new records and If-Match with the ETag read for updates", async () => {
    const { client, sent } = instrumentedClient(server);
    const provider = s3Provider({ bucket: server.bucket, prefix: "conditional", client });
    await provider.put("counters", { key: "shared", value: { value: 0 } });
    const created = sent.filter((command) => command.name === "PutObjectCommand");
    expect(created.map((command) => command.input.IfNoneMatch)).toEqual(["*"]);
    const etag = await currentEtag(objectKey);
    sent.length = 0;
    await provider.update("counters", "shared", { metadata: { touched: true } });
    const updates = sent.filter((command) => command.name === "PutObjectCommand");
    expect(updates.map((command) => command.input.IfMatch)).toEqual([etag]);
    await provider.dropDatabase();
    await provider.close();
  });

  it("retries from a fresh read when another writer changed the record in between", async () => {
    let intruded = false;
    const { client, sent } = instrumentedClient(server, async (command) => {
      // Another process writes between our read and our write, once.
      if (command.name === "PutObjectCommand" && command.input.IfMatch !== undefined && !intruded) {
        intruded = true;
        await writeRaw(100);
      }
      await emulateConditions(command);
    });
    const provider = s3Provider({ bucket: server.bucket, prefix: "conditional", client });
    await provider.put("counters", { key: "shared", value: { value: 0 } });
    const updated = await provider.update("counters", "shared", {
      value: parseUpdate({ $inc: { value: 1 } }),
    });
    expect(updated?.value).toEqual({ value: 101 });
    expect((await provider.get("counters", "shared"))?.value).toEqual({ value: 101 });
    expect(sent.filter((command) => command.name === "PutObjectCommand").length).toBe(3);
    await provider.dropDatabase();
    await provider.close();
  });

  it("ifAbsent puts lose to a record created by another writer in between", async () => {
    const { client } = instrumentedClient(server, async (command) => {
      if (command.name === "PutObjectCommand" && command.input.IfNoneMatch === "*")
        await writeRaw(7);
      await emulateConditions(command);
    });
    const provider = s3Provider({ bucket: server.bucket, prefix: "conditional", client });
    await expect(
      provider.put("counters", { key: "shared", value: { value: 1 } }, { ifAbsent: true }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await provider.get("counters", "shared"))?.value).toEqual({ value: 7 });
    await provider.dropDatabase();
    await provider.close();
  });

  it("with conditionalWrites: false, no condition is sent", async () => {
    const { client, sent } = instrumentedClient(server);
    const provider = s3Provider({
      bucket: server.bucket,
      prefix: "conditional",
      client,
      conditionalWrites: false,
    });
    await provider.put("counters", { key: "shared", value: { value: 0 } });
    await provider.update("counters", "shared", { metadata: { touched: true } });
    for (const command of sent.filter((item) => item.name === "PutObjectCommand")) {
      expect(command.input.IfMatch).toBeUndefined();
      expect(command.input.IfNoneMatch).toBeUndefined();
    }
    await provider.dropDatabase();
    await provider.close();
  });
});
