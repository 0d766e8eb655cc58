/**
 * The shared conformance suite against the S3 provider, talking to s3rver started by the test.
 * Every area runs. s3rver ignores `If-Match` / `If-None-Match`, so the concurrency area here
 * exercises the provider's in-process atomicity; cross-process atomicity needs a store with
 * conditional writes (see the README and s3-conditional-writes.test.ts).
 */

import { runConformance } from "@agentvault/conformance";
import * as vitest from "vitest";
import { s3Provider } from "../src/index.js";
import { startS3Server, type TestS3Server } from "./s3rver-server.js";

let server: TestS3Server | undefined;

vitest.afterAll(async () => {
  await server?.stop();
});

runConformance({
  ...vitest,
  name: "s3",
  createProvider: async ({ database, clock }) => {
    server ??= await startS3Server();
    return s3Provider({
      bucket: server.bucket,
      prefix: "conformance",
      database,
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: server.credentials,
      now: clock,
    });
  },
  // Every operation is an HTTP request and every query a scan: the corpus is sampled and the
  // bulk and random areas are smaller, to keep the package's suite well under a minute.
  limits: { corpus: "sample", corpusSampleSize: 50, bulkRecords: 150, randomFilters: 60 },
});
