/**
 * The seed scenarios as small runnable agents. Each takes an `ExampleEnvironment` (a `Vault`,
 * a clock, and where the seed 001 agents find their providers), so it runs embedded and against
 * a server alike. `main.ts` runs them all.
 */

export { cacheStoreExample, readThroughCache } from "./cache-store.js";
export { configStoreExample } from "./config-store.js";
export { counterStoreExample } from "./counter-store.js";
export { customerSupportExample, supportTools } from "./customer-support.js";
export { dataHandlerAgents, dataHandlerExample, type Spore } from "./data-handler-agent.js";
export { type DocumentDictionary, documentDictionary } from "./document-dictionary.js";
export { eventSourcingExample, ledgerRequirements } from "./event-sourcing.js";
export * from "./example-environment.js";
export { examples } from "./examples.js";
export { fitnessTools, fitnessTrackingExample } from "./fitness-tracking.js";
export { hybridAgent, hybridStorageExample } from "./hybrid-storage-agent.js";
export { openEnvironment } from "./open-environment.js";
export { sessionStoreExample } from "./session-store.js";
export { cartTools, shoppingCartExample } from "./shopping-cart.js";
export { metricsRequirements, timeSeriesMetricsExample } from "./time-series-metrics.js";
