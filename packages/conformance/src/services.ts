/**
 * Finding the external services a suite needs. A suite whose service is absent is skipped with
 * the reason in its name, unless `AGENTVAULT_REQUIRE_SERVICES=1`, which turns absence into a
 * failure (CI sets it, so a missing server can never pass silently).
 */

import { Socket } from "node:net";

/** Defaults for the services that run on every development and CI machine. */
export const serviceDefaults = {
  REDIS_URL: "redis://127.0.0.1:6379",
  POSTGRES_URL: "postgres://postgres@127.0.0.1:5432/test",
} as const;

/** Whether absent services must fail the run instead of skipping. */
export function servicesRequired(): boolean {
  return process.env.AGENTVAULT_REQUIRE_SERVICES === "1";
}

/** Whether a TCP connection to host:port succeeds within `timeoutMs`. */
export function canConnect(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/** What a suite knows about one service before it starts. */
export interface ServiceProbe {
  /** The URL to use, or undefined when the variable is unset and there is no default. */
  readonly url: string | undefined;
  /** Whether the service answered. */
  readonly available: boolean;
  /** Why the suite is skipped, for its name; empty when available. */
  readonly skipReason: string;
}

/**
 * Looks up a service by its environment variable (falling back to the local default, if any)
 * and checks that it accepts connections. Throws when it is absent and services are required.
 */
export async function probeService(variable: string, defaultPort?: number): Promise<ServiceProbe> {
  const url = process.env[variable] ?? serviceDefaults[variable as keyof typeof serviceDefaults];
  if (!url) {
    const probe = { url, available: false, skipReason: `skipped: ${variable} is not set` };
    if (servicesRequired() && variable in serviceDefaults) throw new Error(probe.skipReason);
    return probe;
  }
  const parsed = new URL(url);
  const port = Number(parsed.port || defaultPort || 0);
  const available = await canConnect(parsed.hostname || "127.0.0.1", port);
  if (!available && servicesRequired()) {
    throw new Error(
      `${variable} (${parsed.host}) is not reachable and AGENTVAULT_REQUIRE_SERVICES=1`,
    );
  }
  return {
    url,
    available,
    skipReason: available ? "" : `skipped: nothing answers at ${parsed.host} (${variable})`,
  };
}
