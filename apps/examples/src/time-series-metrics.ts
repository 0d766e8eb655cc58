/**
 * Seed 004: time-series metrics through the data broker. A service records a point per metric
 * every ten minutes, reads recent windows sorted by time with a projection, aggregates them,
 * pages through the whole series and drops points past retention.
 */

import type { Example, ExampleEnvironment } from "./example-environment.js";

interface MetricPoint {
  metricName: string;
  value: number;
  timestamp: Date;
  tags: { service: string; version: string };
}

/** Seed 004's `dataRequirements` for the metrics collection. */
export const metricsRequirements = {
  dataRequirements: {
    collections: [
      {
        name: "metrics",
        description: "Performance metrics",
        schemaHint: { metricName: "string", value: "number", timestamp: "datetime" },
        indexes: [{ fields: ["metricName", "timestamp"], type: "compound" }],
      },
    ],
  },
};

/** A repeatable series: response times rise in the afternoon, queue depth stays small. */
function sample(metric: string, index: number): number {
  return metric === "response_time"
    ? 80 + ((index * 37) % 60) + (index >= 24 ? 40 : 0)
    : (index * 7) % 11;
}

/** Records six hours of two metrics and queries them. */
export async function timeSeriesMetricsExample(environment: ExampleEnvironment) {
  const { vault } = environment;
  await environment.admin?.applyManifest(metricsRequirements);
  const metrics = vault.collection<MetricPoint>("metrics");
  await metrics.clear();
  const end = environment.now().getTime();
  const tenMinutes = 600_000;
  const points = 36;
  await Promise.all(
    ["response_time", "queue_depth"].flatMap((metricName) =>
      Array.from({ length: points }, (_, index) =>
        metrics.store({
          metricName,
          value: sample(metricName, index),
          timestamp: new Date(end - (points - 1 - index) * tenMinutes),
          tags: { service: "checkout", version: "1.4.2" },
        }),
      ),
    ),
  );

  const since = new Date(end - 2 * 3_600_000);
  const lastTwoHours = await metrics.query(
    { metricName: "response_time", timestamp: { $gte: since } },
    { sort: { timestamp: 1 }, projection: ["metricName", "value", "timestamp"] },
  );
  const values = lastTwoHours.map((point) => point.value);
  const slow = await metrics.count({
    metricName: "response_time",
    value: { $gt: 100 },
    timestamp: { $gte: since },
  });
  const newest = await metrics.query(
    { metricName: "queue_depth" },
    { sort: { timestamp: "desc" }, limit: 3, projection: { _id: 0, value: 1, timestamp: 1 } },
  );
  let paged = 0;
  for (let skip = 0; ; skip += 25) {
    const page = await metrics.query(
      {},
      { sort: { timestamp: 1, metricName: 1 }, skip, limit: 25 },
    );
    paged += page.length;
    if (page.length < 25) break;
  }
  const retentionCutoff = new Date(end - 4 * 3_600_000);
  const expired = await metrics.deleteMany({ timestamp: { $lt: retentionCutoff } });
  return {
    until: new Date(end),
    stored: points * 2,
    window: {
      points: values.length,
      first: lastTwoHours[0],
      average:
        Math.round((values.reduce((sum, value) => sum + value, 0) / values.length) * 100) / 100,
      max: Math.max(...values),
      min: Math.min(...values),
    },
    slow,
    newest,
    paged,
    expired,
    kept: await metrics.count(),
    oldestKept: (await metrics.query({}, { sort: { timestamp: 1 }, limit: 1 }))[0]?.timestamp,
  };
}

/** The example, for `main.ts` and the tests. */
export const timeSeriesMetrics: Example = {
  name: "time-series-metrics",
  seed: "004",
  run: timeSeriesMetricsExample,
};
