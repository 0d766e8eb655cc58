/**
 * `runConformance`: registers the whole suite, one `describe` per area, against a provider
 * factory. Every provider package's test file starts by running it.
 */

import { type AreaContext, defineArea } from "./area-context.js";
import { bulkTests } from "./areas/bulk.js";
import { codecsTests } from "./areas/codecs.js";
import { collectionsTests } from "./areas/collections.js";
import { concurrencyTests } from "./areas/concurrency.js";
import { crudTests } from "./areas/crud.js";
import { errorsTests } from "./areas/errors.js";
import { filtersTests } from "./areas/filters.js";
import { keyValueTests } from "./areas/key-value.js";
import { keysTests } from "./areas/keys.js";
import { sortProjectionPaginationTests } from "./areas/sort-projection-pagination.js";
import { transactionsTests } from "./areas/transactions.js";
import { ttlTests } from "./areas/ttl.js";
import { updatesTests } from "./areas/updates.js";
import { vectorsTests } from "./areas/vectors.js";
import {
  type ConformanceArea,
  type ConformanceOptions,
  conformanceAreas,
  resolveLimits,
} from "./conformance-options.js";

const areaTests: Readonly<Record<ConformanceArea, (context: AreaContext) => void>> = {
  crud: crudTests,
  filters: filtersTests,
  "sort-projection-pagination": sortProjectionPaginationTests,
  updates: updatesTests,
  concurrency: concurrencyTests,
  ttl: ttlTests,
  keys: keysTests,
  codecs: codecsTests,
  bulk: bulkTests,
  errors: errorsTests,
  collections: collectionsTests,
  "key-value": keyValueTests,
  transactions: transactionsTests,
  vectors: vectorsTests,
};

/**
 * Registers the conformance suite for one provider. Call it at the top level of a test file.
 * Each area gets a fresh provider from `createProvider`; areas switched off in `areas` are
 * registered as skipped suites, so the report says what did not run.
 *
 * @example
 * import * as vitest from "vitest";
 * import { runConformance } from "@agentvault/conformance";
 * import { sqliteProvider } from "../src/index.js";
 *
 * runConformance({
 *   ...vitest,
 *   name: "sqlite",
 *   createProvider: async ({ database, clock }) =>
 *     sqliteProvider({ directory: "/tmp/conformance", database, clock }),
 * });
 */
export function runConformance(options: ConformanceOptions): void {
  const limits = resolveLimits(options.limits);
  options.describe(`${options.name} conformance`, () => {
    for (const area of conformanceAreas) {
      if (options.areas?.[area] === false) {
        options.describe.skip(
          `${area} (skipped: switched off by the provider's areas option)`,
          () => {
            options.it("not run", () => {});
          },
        );
        continue;
      }
      defineArea(options, limits, area, areaTests[area]);
    }
  });
}
