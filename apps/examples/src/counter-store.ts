/**
 * Seeds 002 and 003: counters shared by concurrent workers, as the vaults seed's thread-safety
 * demo does with ten threads. Each increment is one atomic update (`$inc`), so many workers at
 * once end with exact totals; `$max` keeps a high-water mark and `updateMany` resets a group.
 */

import type { Example, ExampleEnvironment } from "./example-environment.js";

interface Counter {
  page: string;
  views: number;
  peakConcurrent: number;
  group: string;
}

/** Counts page views from many concurrent workers. */
export async function counterStoreExample(environment: ExampleEnvironment) {
  const counters = environment.vault.collection<Counter>("page_counters");
  await counters.clear();
  const pages = [
    { page: "home", group: "public" },
    { page: "docs", group: "public" },
    { page: "admin", group: "internal" },
  ];
  // Create every counter before the workers start: an increment of a missing key changes nothing.
  for (const { page, group } of pages) {
    await counters.store({ page, group, views: 0, peakConcurrent: 0 }, { key: page });
  }

  const visits = Array.from({ length: 60 }, (_, index) => pages[index % 3]?.page ?? "home");
  const applied = await Promise.all(
    visits.map((page, index) =>
      counters.update(page, { $inc: { views: 1 }, $max: { peakConcurrent: (index % 7) + 1 } }),
    ),
  );
  const missing = await counters.update("pricing", { $inc: { views: 1 } });
  const corrected = await counters.update("docs", { $inc: { views: -5 } });
  const totals = Object.fromEntries(
    (await counters.query({}, { sort: { page: 1 } })).map((counter) => [
      counter.page,
      { views: counter.views, peak: counter.peakConcurrent },
    ]),
  );
  const busy = await counters.count({ views: { $gte: 20 } });
  const reset = await counters.updateMany({ group: "public" }, { $set: { views: 0 } });
  return {
    applied: applied.filter(Boolean).length,
    missing,
    corrected,
    totals,
    busy,
    reset,
    afterReset: (await counters.query({}, { sort: { page: 1 } })).map(
      (counter) => `${counter.page}=${counter.views}`,
    ),
  };
}

/** The example, for `main.ts` and the tests. */
export const counterStore: Example = {
  name: "counter-store",
  seed: "002",
  run: counterStoreExample,
};
