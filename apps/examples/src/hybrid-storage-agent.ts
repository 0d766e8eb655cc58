/**
 * Seed 001: the `hybrid_storage` agent keeps each kind of data where it fits: a session in the
 * `cache` provider with a TTL, a transaction in `records`, and a large binary report in `files`.
 * Writes across providers are a pseudo-transaction: when one fails, the ones already made are
 * deleted through their references. `requiresStorage` refuses to start without all three.
 */

import { requiresStorage, type StorageContext, storageEnabled } from "@agentvault/agent";
import type { DataReference } from "@agentvault/core";
import type { Example, ExampleEnvironment } from "./example-environment.js";

const declaration = {
  providers: ["cache", "records", "files"],
  collections: ["cart_sessions", "transactions", "reports"],
};

/** A deterministic "large file": a 256 KiB report whose bytes depend on the order id. */
function reportBytes(orderId: string, size = 256 * 1024): Uint8Array {
  const bytes = new Uint8Array(size);
  let seed = [...orderId].reduce((sum, character) => sum + character.charCodeAt(0), 7);
  for (let index = 0; index < size; index++) {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    bytes[index] = seed % 256;
  }
  return bytes;
}

function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (const byte of bytes) sum = (sum * 31 + byte) % 1_000_000_007;
  return sum;
}

/** The agent. `reportKey` lets the demo make the third write fail on purpose. */
export function hybridAgent(environment: ExampleEnvironment) {
  const options = { ...declaration, ...environment.storage, agent: "hybrid_storage" };
  return requiresStorage(
    options,
    storageEnabled(
      options,
      async (
        order: { id: string; user: string; amount: number; reportKey?: string },
        { storage }: StorageContext,
      ) => {
        const written: DataReference[] = [];
        try {
          written.push(
            await storage.store(
              { user: order.user, cartOpen: true },
              {
                provider: "cache",
                collection: "cart_sessions",
                key: `session:${order.user}`,
                ttl: 1,
              },
            ),
          );
          written.push(
            await storage.store(
              { orderId: order.id, amount: order.amount, at: environment.now() },
              { provider: "records", collection: "transactions", key: order.id },
            ),
          );
          written.push(
            await storage.store(reportBytes(order.id), {
              provider: "files",
              collection: "reports",
              key: order.reportKey ?? `reports/${order.id}.bin`,
              metadata: { contentType: "application/octet-stream" },
            }),
          );
          return { success: true, references: written.map((reference) => reference.uri) };
        } catch (error) {
          for (const reference of written) await storage.delete(reference);
          return {
            success: false,
            error: error instanceof Error ? error.name : "Error",
            rolledBack: written.map((reference) => reference.uri),
          };
        }
      },
    ),
  );
}

/** Two orders (one failing half-way), then the session's expiry. */
export async function hybridStorageExample(environment: ExampleEnvironment) {
  const agent = hybridAgent(environment);
  const storage = agent.storage;
  for (const [provider, collection] of [
    ["cache", "cart_sessions"],
    ["records", "transactions"],
    ["files", "reports"],
  ] as const) {
    await storage.vault(provider).clear(collection);
  }
  const good = await agent({ id: "order-1", user: "alice", amount: 42.5 });
  const failed = await agent({
    id: "order-2",
    user: "bob",
    amount: 10,
    reportKey: "x".repeat(2000), // longer than any key may be: the third write fails
  });
  const report = await storage.retrieveByKey("files", "reports/order-1.bin", {
    collection: "reports",
  });
  const bytes = report instanceof Uint8Array ? report : new Uint8Array();
  const sessionBefore = await storage.retrieveByKey("cache", "session:alice", {
    collection: "cart_sessions",
  });
  await environment.sleep(1500);
  return {
    good,
    failed,
    order2Left: await storage.retrieveByKey("records", "order-2", { collection: "transactions" }),
    bobSessionLeft: await storage.retrieveByKey("cache", "session:bob", {
      collection: "cart_sessions",
    }),
    transaction: await storage.retrieveByKey("records", "order-1", { collection: "transactions" }),
    report: {
      binary: report instanceof Uint8Array,
      size: bytes.length,
      intact: checksum(bytes) === checksum(reportBytes("order-1")),
    },
    sessionBefore,
    sessionAfterTtl: await storage.retrieveByKey("cache", "session:alice", {
      collection: "cart_sessions",
    }),
  };
}

/** The example, for `main.ts` and the tests. */
export const hybridStorage: Example = {
  name: "hybrid-storage",
  seed: "001",
  run: hybridStorageExample,
};
