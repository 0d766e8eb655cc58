import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  createVault,
  type EncryptionKey,
  encodeRecord,
  encrypted,
  type Filter,
  IntegrityError,
  memoryProvider,
  type QueryOptions,
  reencrypt,
  ValidationError,
} from "../src/index.js";

function manualClock(start = Date.UTC(2025, 0, 1)) {
  let now = start;
  return Object.assign(() => now, {
    advance(milliseconds: number) {
      now += milliseconds;
    },
  });
}

function newKey(id: string): EncryptionKey {
  return { id, key: randomBytes(32) };
}

const secret = "Sup3r-secret-token";
const products = [
  { _id: "lamp", name: "Lamp", price: 40, tags: ["home"], at: new Date(5) },
  { _id: "desk", name: "Desk", price: 250, tags: ["home", "office"], bytes: new Uint8Array([7]) },
  { _id: "pen", name: "Pen", price: 2, tags: ["office"], note: secret },
  { _id: "chair", name: "Chair", price: 120, tags: ["office"], nested: { deep: [1, { x: "ü" }] } },
];

async function seeded(keys: EncryptionKey[] = [newKey("k1")]) {
  const clock = manualClock();
  const inner = memoryProvider({ clock });
  const vault = createVault({ provider: encrypted(inner, { keys, clock }), now: clock });
  const plain = createVault({ provider: memoryProvider({ clock }), now: clock });
  for (const product of products) {
    await vault.store("products", product, { metadata: { owner: secret } });
    await plain.store("products", product, { metadata: { owner: secret } });
  }
  return { clock, inner, vault, plain, keys };
}

describe("encrypted: what reaches the backend", () => {
  it("round-trips documents, metadata, vectors and expiry, and stores none of them in plaintext", async () => {
    const { inner, vault, clock } = await seeded();
    await vault.store("notes", { text: secret }, { key: "n", vector: [0.25, 0.5], ttl: 60 });
    expect(await vault.retrieve("products", "lamp")).toEqual(products[0]);
    expect(await vault.retrieve("products", "desk")).toEqual(products[1]);
    const stored = await inner.get("notes", "n");
    expect(stored?.metadata).toBeUndefined();
    expect(stored?.vector).toBeUndefined();
    expect(stored?.expiresAt).toBe(clock() + 60_000);
    expect(stored?.value).toMatchObject({ alg: "A256GCM", kid: "k1" });
    for (const collection of ["products", "notes"]) {
      for (const record of await inner.find(collection, {
        filter: { type: "and", children: [] },
      })) {
        const text = encodeRecord(record);
        expect(text).not.toContain(secret);
        expect(text).not.toContain("Lamp");
        expect(text).not.toContain("office");
      }
    }
    expect((await vault.search("notes", { vector: [0.25, 0.5] }))[0]?.doc).toEqual({
      _id: "n",
      text: secret,
    });
    clock.advance(60_000);
    expect(await vault.retrieve("notes", "n")).toBeNull();
  });

  it("answers queries on encrypted fields exactly as an unencrypted vault does", async () => {
    const { vault, plain } = await seeded();
    const queries: [Filter, QueryOptions][] = [
      [{ price: { $gte: 40 } }, { sort: { price: -1 } }],
      [{ tags: "office" }, { sort: { name: 1 }, skip: 1, limit: 1 }],
      [{ $or: [{ name: /^L/ }, { "nested.deep.x": "ü" }] }, { projection: { name: 1 } }],
      [{ _id: { $in: ["pen", "lamp"] }, price: { $lt: 10 } }, {}],
      [{ _id: { $gt: "d" } }, { sort: { _id: -1 }, limit: 2 }],
      [{}, { sort: { price: 1 } }],
    ];
    for (const [filter, options] of queries) {
      expect(await vault.query("products", filter, options)).toEqual(
        await plain.query("products", filter, options),
      );
      expect(await vault.count("products", filter)).toBe(await plain.count("products", filter));
    }
    for (const target of [vault, plain]) {
      expect(await target.updateMany("products", { tags: "home" }, { $inc: { price: 1 } })).toBe(2);
      expect(await target.deleteMany("products", { price: { $gt: 200 } })).toBe(1);
    }
    expect(await vault.retrieve("products")).toEqual(await plain.retrieve("products"));
  });

  it("keeps 50 concurrent increments exact across two wrappers, and within one without compare-and-swap", async () => {
    const keys = [newKey("k1")];
    const backend = memoryProvider();
    // Two wrappers have separate locks, like two processes: only compare-and-swap saves them.
    const first = createVault({ provider: encrypted(backend, { keys }) });
    const second = createVault({ provider: encrypted(backend, { keys }) });
    const local = createVault({
      provider: encrypted(backend, { keys, crossProcessUpdates: false }),
    });
    await first.store("counters", { n: 0 }, { key: "c" });
    await first.store("counters", { n: 0 }, { key: "local" });
    await Promise.all(
      Array.from({ length: 50 }, (_, index) => [
        (index % 2 === 0 ? first : second).update("counters", "c", { $inc: { n: 1 } }),
        local.update("counters", "local", { $inc: { n: 1 } }),
      ]).flat(),
    );
    expect(await first.retrieve("counters", "c")).toEqual({ _id: "c", n: 50 });
    expect(await first.retrieve("counters", "local")).toEqual({ _id: "local", n: 50 });
  });

  it("rolls back transactions and keeps key-value stores working", async () => {
    const { vault } = await seeded();
    await expect(
      vault.transaction(async (tx) => {
        await tx.update("products", "pen", { price: 999 });
        await tx.store("products", { name: "Ghost" }, { key: "ghost" });
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect(await vault.retrieve("products", "pen")).toEqual(products[2]);
    expect(await vault.retrieve("products", "ghost")).toBeNull();
    const store = await vault.kv("prefs");
    await store.set("token", secret);
    expect(await store.get("token")).toBe(secret);
    expect([...(await store.keys())]).toEqual(["token"]);
  });
});

describe("encrypted: integrity", () => {
  it("rejects tampered ciphertext, ciphertext moved between records or databases, and plaintext", async () => {
    const { inner, vault } = await seeded();
    const lamp = (await inner.get("products", "lamp"))!;
    const sealed = lamp.value as { ct: string };
    const flipped = `${sealed.ct[0] === "A" ? "B" : "A"}${sealed.ct.slice(1)}`;
    await inner.put("products", { ...lamp, value: { ...sealed, ct: flipped } });
    await expect(vault.retrieve("products", "lamp")).rejects.toThrow(IntegrityError);

    const pen = (await inner.get("products", "pen"))!;
    await inner.put("products", { ...pen, key: "desk" });
    await expect(vault.retrieve("products", "desk")).rejects.toThrow(IntegrityError);
    await inner.put("other", pen);
    await expect(vault.retrieve("other", "pen")).rejects.toThrow(IntegrityError);
    await inner.withDatabase("elsewhere").put("products", pen);
    const elsewhere = createVault({
      provider: encrypted(inner.withDatabase("elsewhere"), { keys: [newKey("k1")] }),
    });
    await expect(elsewhere.retrieve("products", "pen")).rejects.toThrow(IntegrityError);

    await inner.put("products", { key: "plain", value: { name: "not encrypted" } });
    await expect(vault.retrieve("products", "plain")).rejects.toThrow(/not encrypted/);
    // The untouched record still reads, and queries that must decrypt a bad record fail loudly.
    expect(await vault.retrieve("products", "chair")).toEqual(products[3]);
    await expect(vault.query("products", { price: 1 })).rejects.toThrow(IntegrityError);
  });

  it("names an unknown key id and refuses bad key rings", async () => {
    const { inner } = await seeded();
    const stranger = createVault({ provider: encrypted(inner, { keys: [newKey("k2")] }) });
    await expect(stranger.retrieve("products", "pen")).rejects.toThrow(/unknown key id "k1"/);
    const bad: unknown[] = [
      [],
      [{ id: "a", key: randomBytes(16) }],
      [{ id: "", key: randomBytes(32) }],
      [newKey("same"), newKey("same")],
      [{ id: "a", key: "x".repeat(32) }],
    ];
    for (const keys of bad) {
      expect(() => encrypted(inner, { keys: keys as EncryptionKey[] })).toThrow(ValidationError);
    }
  });
});

describe("encrypted: rotation", () => {
  it("re-encrypts everything with the new key so the old one can be retired", async () => {
    const old = newKey("2024");
    const fresh = newKey("2025");
    const { inner, clock } = await seeded([old]);
    const rotating = createVault({ provider: encrypted(inner, { keys: [fresh, old] }) });
    await rotating.store("products", { name: "New" }, { key: "new" });
    await (await rotating.kv("prefs")).set("theme", "dark");
    const report = await reencrypt(inner, { keys: [fresh, old], clock });
    // Four products sealed with the old key; "new" and the key-value records already use the new one.
    expect(report).toMatchObject({ records: 7, rewritten: 4, encrypted: 0 });
    const retired = createVault({ provider: encrypted(inner, { keys: [fresh] }) });
    expect(await retired.retrieve("products", "pen")).toEqual(products[2]);
    expect(await (await retired.kv("prefs")).get("theme")).toBe("dark");
    const oldOnly = createVault({ provider: encrypted(inner, { keys: [old] }) });
    await expect(oldOnly.retrieve("products", "lamp")).rejects.toThrow(IntegrityError);
    expect((await reencrypt(inner, { keys: [fresh] })).rewritten).toBe(0);
  });

  it("encrypts a plaintext store when asked, and refuses to otherwise", async () => {
    const inner = memoryProvider();
    await createVault({ provider: inner }).store("notes", { text: secret }, { key: "a" });
    const keys = [newKey("k")];
    await expect(reencrypt(inner, { keys })).rejects.toThrow(IntegrityError);
    expect(await reencrypt(inner, { keys, encryptPlaintext: true })).toMatchObject({
      encrypted: 1,
    });
    expect(encodeRecord((await inner.get("notes", "a"))!)).not.toContain(secret);
    const vault = createVault({ provider: encrypted(inner, { keys }) });
    expect(await vault.retrieve("notes", "a")).toEqual({ _id: "a", text: secret });
  });
});
