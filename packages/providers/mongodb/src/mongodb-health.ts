/**
 * `health()`: connect if needed and ping, bounded by a timeout, reporting failures as a status
 * instead of throwing. The message names the failure's class and code, never the driver's text
 * (which carries host names).
 */

import type { HealthStatus } from "@agentvault/core";
import type { MongoConnection } from "./mongodb-connection.js";
import { closedError, describeFailure } from "./mongodb-errors.js";

/**
 * Pings the deployment of `connection` within `connection.options.healthTimeoutMs`.
 * Never throws.
 */
export async function checkMongoHealth(connection: MongoConnection): Promise<HealthStatus> {
  if (connection.closed) return { ok: false, message: closedError().message };
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
  const timeoutMs = connection.options.healthTimeoutMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<HealthStatus>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({ ok: false, latencyMs: elapsed(), message: `No answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  const ping = (async (): Promise<HealthStatus> => {
    try {
      const client = await connection.connect();
      await client.db("admin").command({ ping: 1 });
      return { ok: true, latencyMs: elapsed() };
    } catch (error) {
      return { ok: false, latencyMs: elapsed(), message: describeFailure(error) };
    }
  })();
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
