/**
 * Prometheus metrics with prom-client, in a registry of the broker's own (never the global
 * one), so two brokers in one process never clash and tests see only their own numbers.
 */

import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** The broker's metrics. */
export class BrokerMetrics {
  readonly registry = new Registry();
  /** Calls by procedure and outcome (`allowed`, `denied`, `failed`). */
  readonly calls = new Counter({
    name: "agentvault_calls_total",
    help: "Procedure calls by procedure and outcome",
    labelNames: ["procedure", "outcome"] as const,
    registers: [this.registry],
  });
  /** Call durations in seconds by procedure. */
  readonly callDuration = new Histogram({
    name: "agentvault_call_duration_seconds",
    help: "Procedure call duration in seconds",
    labelNames: ["procedure"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });
  /** HTTP requests by route kind and status code. */
  readonly httpRequests = new Counter({
    name: "agentvault_http_requests_total",
    help: "HTTP requests by route and status",
    labelNames: ["route", "status"] as const,
    registers: [this.registry],
  });

  readonly #callChildren = new Map<string, { inc(): void; observe(seconds: number): void }>();

  /**
   * Counts one finished call and its duration. The labelled children are kept per procedure and
   * outcome, so a call does not hash its labels again.
   */
  recordCall(procedure: string, outcome: string, seconds: number): void {
    const key = `${procedure} ${outcome}`;
    let child = this.#callChildren.get(key);
    if (child === undefined) {
      const counter = this.calls.labels(procedure, outcome);
      const histogram = this.callDuration.labels(procedure);
      child = {
        inc: () => counter.inc(),
        observe: (value) => histogram.observe(value),
      };
      this.#callChildren.set(key, child);
    }
    child.inc();
    child.observe(seconds);
  }

  /** @param defaultMetrics Also collect process metrics (CPU, memory, event loop). @default true */
  constructor(defaultMetrics = true) {
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
