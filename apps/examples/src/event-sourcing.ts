/**
 * Seed 004: event sourcing through the data broker. A ledger service appends events to its
 * `events` collection (declared with its indexes in a manifest when the vault is the broker),
 * replays them page by page to rebuild account balances, marks them processed, and prunes old
 * processed events. It never touches the database: every step is a vault call.
 */

import type { Collection } from "@agentvault/core";
import type { Example, ExampleEnvironment } from "./example-environment.js";

interface LedgerEvent {
  eventId: string;
  sequence: number;
  eventType: "account.opened" | "money.deposited" | "money.withdrawn";
  timestamp: Date;
  data: { account: string; amount?: number };
  metadata: { service: string; correlationId: string };
  processed: boolean;
}

/** Seed 004's `dataRequirements`: the collection and the indexes its queries use. */
export const ledgerRequirements = {
  dataRequirements: {
    enabled: true,
    collections: [
      {
        name: "events",
        description: "Append-only ledger events",
        schemaHint: { eventId: "string", timestamp: "datetime", eventType: "string" },
        indexes: [
          { fields: ["sequence"], type: "ascending" },
          { fields: ["eventType", "timestamp"], type: "compound" },
        ],
      },
    ],
  },
};

/** Rebuilds balances by replaying events in order, `pageSize` at a time. */
async function replay(events: Collection<LedgerEvent>, since: Date | undefined, pageSize: number) {
  const balances: Record<string, number> = {};
  let pages = 0;
  for (let skip = 0; ; skip += pageSize) {
    const filter = since === undefined ? {} : { timestamp: { $gte: since } };
    const page = await events.query(filter, { sort: { sequence: 1 }, skip, limit: pageSize });
    if (page.length === 0) break;
    pages++;
    for (const event of page) {
      const account = event.data.account;
      if (event.eventType === "account.opened") balances[account] = 0;
      else if (event.eventType === "money.deposited")
        balances[account] = (balances[account] ?? 0) + (event.data.amount ?? 0);
      else balances[account] = (balances[account] ?? 0) - (event.data.amount ?? 0);
    }
  }
  return { balances, pages };
}

/** Appends, replays, marks and prunes ledger events. */
export async function eventSourcingExample(environment: ExampleEnvironment) {
  const { vault } = environment;
  await environment.admin?.applyManifest(ledgerRequirements);
  const events = vault.collection<LedgerEvent>("events");
  await events.clear();
  const start = environment.now().getTime();
  const history: [LedgerEvent["eventType"], string, number?][] = [
    ["account.opened", "acc-1"],
    ["money.deposited", "acc-1", 100],
    ["account.opened", "acc-2"],
    ["money.withdrawn", "acc-1", 30],
    ["money.deposited", "acc-2", 250],
    ["money.deposited", "acc-1", 5],
    ["money.withdrawn", "acc-2", 50],
  ];
  for (const [index, [eventType, account, amount]] of history.entries()) {
    await events.store(
      {
        eventId: `evt-${String(index + 1).padStart(3, "0")}`,
        sequence: index + 1,
        eventType,
        timestamp: new Date(start + index * 3_600_000),
        data: amount === undefined ? { account } : { account, amount },
        metadata: { service: "ledger", correlationId: `corr-${index % 3}` },
        processed: false,
      },
      { key: `evt-${String(index + 1).padStart(3, "0")}` },
    );
  }
  const full = await replay(events, undefined, 3);
  const recent = await replay(events, new Date(start + 4 * 3_600_000), 3);
  const deposits = await events.query(
    { eventType: "money.deposited", "data.amount": { $gt: 10 } },
    { sort: { timestamp: -1 }, projection: ["eventId", "data.amount"] },
  );
  const processed = await events.updateMany(
    { sequence: { $lte: 4 } },
    { $set: { processed: true, processedAt: new Date(start + 8 * 3_600_000) } },
  );
  const pruned = await events.deleteMany({
    timestamp: { $lt: new Date(start + 2 * 3_600_000) },
    processed: true,
  });
  return {
    appended: history.length,
    balances: full.balances,
    pages: full.pages,
    recentReplay: recent,
    deposits,
    processed,
    pruned,
    remaining: (await events.query({}, { sort: { sequence: 1 } })).map((event) => event.eventId),
    unprocessed: await events.count({ processed: false }),
  };
}

/** The example, for `main.ts` and the tests. */
export const eventSourcing: Example = {
  name: "event-sourcing",
  seed: "004",
  run: eventSourcingExample,
};
