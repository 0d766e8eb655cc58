/**
 * Every example, in the order `main.ts` runs them.
 */

import { cacheStore } from "./cache-store.js";
import { configStore } from "./config-store.js";
import { counterStore } from "./counter-store.js";
import { customerSupport } from "./customer-support.js";
import { dataHandler } from "./data-handler-agent.js";
import { eventSourcing } from "./event-sourcing.js";
import type { Example } from "./example-environment.js";
import { fitnessTracking } from "./fitness-tracking.js";
import { hybridStorage } from "./hybrid-storage-agent.js";
import { sessionStore } from "./session-store.js";
import { shoppingCart } from "./shopping-cart.js";
import { timeSeriesMetrics } from "./time-series-metrics.js";

/** The seed scenarios as runnable agents. */
export const examples: readonly Example[] = [
  shoppingCart,
  fitnessTracking,
  customerSupport,
  dataHandler,
  hybridStorage,
  configStore,
  sessionStore,
  counterStore,
  cacheStore,
  eventSourcing,
  timeSeriesMetrics,
];
