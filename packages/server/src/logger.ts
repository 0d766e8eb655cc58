/**
 * Structured logs with pino. Authorization headers and anything named like a key are redacted
 * at the logger itself, so no code path can write an API key to the log by accident; request
 * URLs are logged without their query string, which is where tRPC puts query inputs.
 */

import { type Logger, type LoggerOptions, pino } from "pino";

/** Paths pino replaces with `[redacted]` in every log line. */
export const redactedLogPaths = [
  "authorization",
  "headers.authorization",
  "req.headers.authorization",
  "apiKey",
  "*.apiKey",
  "rootKey",
  "*.rootKey",
];

/**
 * Creates the server's logger.
 * @param options pino options; `redact` is always extended with `redactedLogPaths`.
 * @param destination Where lines go (a stream with `write`); stdout when absent.
 */
export function createLogger(
  options: LoggerOptions = {},
  destination?: { write(line: string): void },
): Logger {
  const merged: LoggerOptions = {
    level: process.env.AGENTVAULT_LOG_LEVEL ?? "info",
    ...options,
    redact: { paths: redactedLogPaths, censor: "[redacted]" },
  };
  return destination === undefined ? pino(merged) : pino(merged, destination as never);
}
