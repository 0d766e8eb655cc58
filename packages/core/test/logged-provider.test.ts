import { describe, expect, it } from "vitest";
import {
  createVault,
  logged,
  memoryProvider,
  type OperationRecord,
  ValidationError,
} from "../src/index.js";

const secret = "value-that-must-never-be-logged";

describe("logged", () => {
  it("reports each call with its shape, duration and outcome, never a value", async () => {
    const records: OperationRecord[] = [];
    const vault = createVault({
      provider: logged(memoryProvider(), (record) => records.push(record)),
    });
    await vault.store(
      "notes",
      { text: secret, n: 2 },
      { key: "n1", metadata: { tag: secret }, vector: [1, 0] },
    );
    await vault.retrieve("notes", "n1");
    await vault.retrieve("notes", "missing");
    await vault.query(
      "notes",
      { text: secret, n: { $in: [secret, 2] } },
      { sort: { n: -1 }, limit: 5 },
    );
    await vault.count("notes", { text: { $exists: true } });
    await vault.updateMany("notes", { text: secret }, { $set: { text: secret } });
    await expect(vault.search("notes", { vector: [1, 2, 3] })).rejects.toThrow(ValidationError);
    expect(records.map((record) => record.op)).toEqual([
      "put",
      "get",
      "get",
      "find",
      "count",
      "updateMany",
      "search",
    ]);
    expect(records[0]).toMatchObject({
      op: "put",
      provider: "memory",
      database: "default",
      collection: "notes",
      key: "n1",
      outcome: "ok",
    });
    expect(records[1]).toMatchObject({ key: "n1", resultCount: 1 });
    expect(records[2]).toMatchObject({ key: "missing", resultCount: 0 });
    expect(records[3]).toMatchObject({
      filter: "and(value.text $eq, value.n $in[2])",
      sort: "value.n:-1",
      limit: 5,
      resultCount: 1,
    });
    expect(records[4]).toMatchObject({ filter: "value.text $exists", resultCount: 1 });
    expect(records[5]).toMatchObject({ resultCount: 1 });
    expect(records[6]).toMatchObject({ outcome: "error", errorCode: "VALIDATION_FAILED" });
    for (const record of records) {
      expect(JSON.stringify(record)).not.toContain(secret);
      expect(record.durationMs).toBeGreaterThanOrEqual(0);
      expect(typeof record.startedAt).toBe("number");
    }
  });

  it("reports calls inside a transaction, then the transaction, and survives a failing sink", async () => {
    const ops: string[] = [];
    const provider = logged(memoryProvider(), (record) => {
      ops.push(`${record.op}:${record.outcome}`);
      throw new Error("sink is broken");
    });
    const vault = createVault({ provider });
    await expect(
      vault.transaction(async (tx) => {
        await tx.store("c", { v: 1 }, { key: "a" });
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect(ops).toEqual(["put:ok", "transaction:error"]);
    expect(await vault.retrieve("c", "a")).toBeNull();
  });
});

describe("vault.on('operation')", () => {
  it("emits the same records as logged until unsubscribed", async () => {
    const inner = memoryProvider();
    const fromWrapper: OperationRecord[] = [];
    const fromHook: OperationRecord[] = [];
    const vault = createVault({ provider: logged(inner, (record) => fromWrapper.push(record)) });
    const stop = vault.on("operation", (record) => fromHook.push(record));
    await vault.store("c", { v: 1 }, { key: "a" });
    await vault.query("c", { v: { $gt: 0 } });
    await (await vault.kv("prefs")).set("k", "v");
    await vault.transaction(async (tx) => {
      await tx.delete("c", "a");
    });
    const shape = ({ durationMs, startedAt, ...rest }: OperationRecord) => rest;
    expect(fromHook.map(shape)).toEqual(fromWrapper.map(shape));
    expect(fromHook.map((record) => record.op)).toContain("transaction");
    stop();
    const before = fromHook.length;
    await vault.retrieve("c", "a");
    expect(fromHook).toHaveLength(before);
    expect(() => vault.on("nope" as "operation", () => {})).toThrow(ValidationError);
  });

  it("lets each registration unsubscribe alone and isolates throwing listeners", async () => {
    const vault = createVault({ provider: memoryProvider() });
    const seen: string[] = [];
    const listener = (record: OperationRecord) => seen.push(record.op);
    const first = vault.on("operation", listener);
    vault.on("operation", listener);
    vault.on("operation", () => {
      throw new Error("broken listener");
    });
    await vault.retrieve("c", "a");
    expect(seen).toEqual(["get", "get"]);
    first();
    await vault.retrieve("c", "a");
    expect(seen).toEqual(["get", "get", "get"]);
  });
});
