/**
 * Every example runs twice, embedded and through the client against a server started here, and
 * must report the same thing (generated keys aside). Each also gets checks written out by hand,
 * so that two equal mistakes cannot pass.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Example, examples } from "../src/index.js";
import {
  embeddedEnvironment,
  normalise,
  remoteEnvironment,
  startTime,
  type TestEnvironment,
} from "./support/environments.js";

type Reports = Map<string, unknown>;

async function runAll(environment: TestEnvironment): Promise<Reports> {
  const reports: Reports = new Map();
  for (const example of examples) {
    reports.set(example.name, await example.run(environment.environment));
  }
  return reports;
}

const hour = 3_600_000;
let embedded: Reports;
let remote: Reports;
const opened: TestEnvironment[] = [];

beforeAll(async () => {
  const local = await embeddedEnvironment();
  opened.push(local);
  embedded = await runAll(local);
  const hosted = await remoteEnvironment();
  opened.push(hosted);
  remote = await runAll(hosted);
}, 120_000);

afterAll(async () => {
  await Promise.all(opened.map((environment) => environment.close()));
});

// biome-ignore lint/suspicious/noExplicitAny: reports are checked field by field below
function report(reports: Reports, example: string): any {
  return reports.get(example);
}

describe.each(examples.map((example: Example) => [example.name, example.seed]))(
  "%s (seed %s)",
  (name) => {
    it("reports the same embedded and through a server", () => {
      expect(remote.has(name) && embedded.has(name)).toBe(true);
      expect(normalise(report(remote, name))).toEqual(normalise(report(embedded, name)));
    });
  },
);

describe.each([
  ["embedded", () => embedded],
  ["remote", () => remote],
] as const)("what a user sees (%s)", (_where, reportsOf) => {
  it("shopping cart: totals, merging, unknown products, atomic removal", () => {
    const cart = report(reportsOf(), "shopping-cart");
    expect(cart.steps).toEqual([
      { message: "Added 1x Laptop to cart", cartTotal: 999.99, itemCount: 1 },
      { message: "Added 2x Mouse to cart", cartTotal: 1059.97, itemCount: 2 },
      { message: "Added 1x Mouse to cart", cartTotal: 1089.96, itemCount: 2 },
      { message: "Added 1x Desk Lamp to cart", cartTotal: 1135.46, itemCount: 3 },
      { error: "Product tablet-404 not found" },
    ]);
    expect(cart.lampKey).toMatch(/^[a-z]{4}_[A-Za-z0-9_-]{16}$/);
    expect(cart.removed).toBe(true);
    expect(cart.afterRemoval.total).toBe(1045.49);
    expect(cart.afterRemoval.items.map((item: { name: string }) => item.name)).toEqual([
      "Laptop",
      "Desk Lamp",
    ]);
    expect(cart.emptyCart).toEqual({ message: "Cart is empty", items: [], total: 0 });
    expect(cart.expensive).toEqual(["Laptop"]);
    expect(cart.electronics).toBe(2);
    expect(cart.onSale).toEqual([{ _id: "mouse-001", name: "Mouse", price: 24.99 }]);
    expect(cart.catalogue).toEqual(["Mouse", "Desk Lamp", "Laptop"]);
  });

  it("fitness tracking: statistics by operators, streaks, the last week", () => {
    const fitness = report(reportsOf(), "fitness-tracking");
    expect(fitness.log.map((entry: { streakDays: number }) => entry.streakDays)).toEqual([
      1, 1, 2, 3, 4, 4, 1,
    ]);
    expect(fitness.aliceWeek).toMatchObject({
      periodDays: 7,
      workoutsThisPeriod: 5,
      totalDuration: 185,
      totalCalories: 1380,
      workoutTypes: ["run", "swim", "yoga"],
      overallStats: {
        totalWorkouts: 6,
        totalDuration: 215,
        totalCalories: 1680,
        favoriteActivities: { run: 4, swim: 1, yoga: 1 },
        streakDays: 4,
        lastWorkoutDate: "2025-06-02",
      },
    });
    expect(fitness.bobWeek.overallStats).toMatchObject({ totalWorkouts: 1, streakDays: 1 });
    expect(fitness.longRuns).toBe(2);
    expect(new Set(fitness.workoutIds).size).toBe(7);
  });

  it("customer support: recall in order, literal case-insensitive search", () => {
    const support = report(reportsOf(), "customer-support");
    expect(support.recallAll.contexts.map((item: { context: string }) => item.context)).toEqual([
      "Prefers email over phone",
      "Billing issue with invoice #1042",
      "Invoice #1042 refunded (c++ team)",
    ]);
    expect(support.recallAll.contexts[1].when).toEqual(new Date(startTime.getTime() + 60_000));
    expect(support.recallBilling.contextItems).toBe(2);
    expect(support.recallUnknown).toEqual({
      message: "No previous context found for this customer",
    });
    expect(support.searchEmail).toEqual([
      "cust-2: Asked about the EMAIL digest",
      "cust-1: Prefers email over phone",
    ]);
    expect(support.searchInvoice).toEqual([
      "cust-1: Invoice #1042 refunded (c++ team)",
      "cust-1: Billing issue with invoice #1042",
    ]);
    expect(support.searchLiteral).toEqual(["cust-1: Invoice #1042 refunded (c++ team)"]);
    expect(support.searchCategory).toEqual([
      "cust-3: Wants a call back on Monday",
      "cust-1: Prefers email over phone",
    ]);
    expect(support.perCategory).toEqual({ billing: 2, preferences: 2 });
    expect([support.forgotten, support.left]).toEqual([1, 4]);
  });

  it("data handler: references, metadata queries, scoped agents", () => {
    const handler = report(reportsOf(), "data-handler");
    expect(handler.uris).toEqual([
      "agentvault://records/processed/spore-1",
      "agentvault://records/processed/spore-2",
      "agentvault://records/processed/spore-3",
    ]);
    expect(handler.metadataSources).toEqual(["crawler", "inbox", "crawler"]);
    expect(handler.crawlerReport).toEqual([
      { key: "spore-1", data: { words: 6, distinct: 4, top: ["agents", "data", "query"] } },
      {
        key: "spore-3",
        data: { words: 10, distinct: 9, top: ["references", "agents", "and"] },
      },
    ]);
    expect(handler.longOnes).toEqual(["spore-3"]);
    expect(handler.manyWords).toEqual(["spore-3", "spore-1"]);
    expect(handler.viaUri).toEqual({ words: 2, distinct: 2, top: ["note", "short"] });
    expect([handler.deleted, handler.afterDelete]).toEqual([true, null]);
    expect(handler.refusals).toEqual({
      reporterWrites: "PermissionDeniedError",
      undeclaredCollection: "PermissionDeniedError",
      undeclaredProvider: "PermissionDeniedError",
    });
  });

  it("hybrid storage: three providers, rollback, binary, TTL", () => {
    const hybrid = report(reportsOf(), "hybrid-storage");
    expect(hybrid.good).toEqual({
      success: true,
      references: [
        "agentvault://cache/cart_sessions/session%3Aalice",
        "agentvault://records/transactions/order-1",
        "agentvault://files/reports/reports%2Forder-1.bin",
      ],
    });
    expect(hybrid.failed).toEqual({
      success: false,
      error: "ValidationError",
      rolledBack: [
        "agentvault://cache/cart_sessions/session%3Abob",
        "agentvault://records/transactions/order-2",
      ],
    });
    expect([hybrid.order2Left, hybrid.bobSessionLeft]).toEqual([null, null]);
    expect(hybrid.transaction).toEqual({ orderId: "order-1", amount: 42.5, at: startTime });
    expect(hybrid.report).toEqual({ binary: true, size: 262_144, intact: true });
    expect(hybrid.sessionBefore).toEqual({ user: "alice", cartOpen: true });
    expect(hybrid.sessionAfterTtl).toBeNull();
  });

  it("config store: every value type, defaults, access log, backup and restore", () => {
    const config = report(reportsOf(), "config-store");
    expect(config.keys).toEqual([
      "debugMode",
      "features",
      "host",
      "maxConnections",
      "modelConfig",
      "port",
      "rotatedAt",
      "signingKey",
      "temperature",
      "timeoutSeconds",
    ]);
    expect(config).toMatchObject({
      size: 10,
      hasHost: true,
      hasUser: false,
      userId: "anonymous",
      port: 5432,
      portAfter: 6543,
      modelTemperature: 0.7,
      setDefaultNew: 3,
      setDefaultExisting: "localhost",
      popped: false,
      poppedAgain: "absent",
      accessLog: ["READ: userId", "READ: port", "WRITE: port"],
      backupEntries: 10,
      restoredMatches: true,
      restoredDate: new Date("2025-01-15T00:00:00.000Z"),
    });
    expect(config.restoredBytes).toBeInstanceOf(Uint8Array);
    expect([...config.restoredBytes]).toEqual([222, 173, 190, 239]);
  });

  it("session store: expired sessions vanish from reads, counts and updates", () => {
    expect(report(reportsOf(), "session-store")).toEqual({
      touched: true,
      activeBefore: 3,
      activeAfter: 2,
      bobAfter: null,
      bobUpdate: false,
      aliceKept: "alice",
      workspaceUsers: ["alice", "carol"],
      debugOff: 2,
    });
  });

  it("counter store: 60 concurrent increments end exact", () => {
    expect(report(reportsOf(), "counter-store")).toEqual({
      applied: 60,
      missing: false,
      corrected: true,
      totals: {
        admin: { views: 20, peak: 7 },
        docs: { views: 15, peak: 7 },
        home: { views: 20, peak: 7 },
      },
      busy: 2,
      reset: 2,
      afterReset: ["admin=20", "docs=0", "home=0"],
    });
  });

  it("cache store: hits while fresh, a fetch again after expiry", () => {
    const cache = report(reportsOf(), "cache-store");
    expect(cache.lookups).toEqual([
      { currency: "EUR", rate: 1.08 },
      { currency: "EUR", rate: 1.08 },
      { currency: "GBP", rate: 1.27 },
      { currency: "EUR", rate: 1.08 },
      { currency: "EUR", rate: 1.09 },
    ]);
    expect(cache.fetched).toEqual(["EUR", "GBP", "EUR"]);
    expect(cache.statistics).toEqual({ hits: 2, misses: 3 });
    expect([cache.cachedBefore, cache.cachedAfter, cache.cachedNow]).toEqual([2, 0, 1]);
  });

  it("event sourcing: replay in pages rebuilds balances; marking and pruning", () => {
    const ledger = report(reportsOf(), "event-sourcing");
    expect(ledger.balances).toEqual({ "acc-1": 75, "acc-2": 200 });
    expect(ledger.pages).toBe(3);
    expect(ledger.recentReplay).toEqual({ balances: { "acc-1": 5, "acc-2": 200 }, pages: 1 });
    expect(ledger.deposits).toEqual([
      { _id: "evt-005", eventId: "evt-005", data: { amount: 250 } },
      { _id: "evt-002", eventId: "evt-002", data: { amount: 100 } },
    ]);
    expect([ledger.processed, ledger.pruned, ledger.unprocessed]).toEqual([4, 2, 3]);
    expect(ledger.remaining).toEqual(["evt-003", "evt-004", "evt-005", "evt-006", "evt-007"]);
  });

  it("time-series metrics: windows, aggregates, paging, retention", () => {
    const series = report(reportsOf(), "time-series-metrics");
    // The earlier examples let 4.6 s pass (their TTLs); the series ends at the clock's time.
    expect(series.until).toEqual(new Date(startTime.getTime() + 4600));
    const end = series.until.getTime();
    // Response times of the last two hours: points 23 to 35 of the series.
    const expected = Array.from({ length: 13 }, (_, offset) => {
      const index = 23 + offset;
      return 80 + ((index * 37) % 60) + (index >= 24 ? 40 : 0);
    });
    expect(series.window.points).toBe(13);
    expect(series.window.max).toBe(Math.max(...expected));
    expect(series.window.min).toBe(Math.min(...expected));
    expect(series.slow).toBe(expected.filter((value) => value > 100).length);
    expect(series.window.first).toEqual({
      _id: expect.any(String),
      metricName: "response_time",
      value: expected[0],
      timestamp: new Date(end - 2 * hour),
    });
    expect(series.newest).toEqual([
      { value: 3, timestamp: new Date(end) },
      { value: 7, timestamp: new Date(end - 600_000) },
      { value: 0, timestamp: new Date(end - 1_200_000) },
    ]);
    expect(series.paged).toBe(72);
    expect([series.expired, series.kept]).toEqual([22, 50]);
    expect(series.oldestKept).toEqual(new Date(end - 4 * hour));
  });
});
