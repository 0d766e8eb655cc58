// @ts-check
import { defineConfig } from "vitest/config";

/**
 * Workspace packages resolve to their TypeScript sources through the `@agentvault/source`
 * export condition, so tests never need a build first. The rest is Vite's default server list.
 */
export const sourceConditions = ["@agentvault/source", "module", "node", "development|production"];

/**
 * Vitest settings shared by every package.
 * @param {{ testTimeout?: number, include?: string[] }} [overrides]
 */
export function packageTests(overrides = {}) {
  return defineConfig({
    resolve: { conditions: sourceConditions },
    ssr: { resolve: { conditions: sourceConditions } },
    test: {
      include: overrides.include ?? ["src/**/*.test.ts", "test/**/*.test.ts"],
      testTimeout: overrides.testTimeout ?? 60_000,
      hookTimeout: 60_000,
      passWithNoTests: true,
      // Each package also writes a JSON report, summed by tooling/scripts/test-summary.mjs.
      reporters: ["default", "json"],
      outputFile: { json: "node_modules/.vitest-report.json" },
    },
  });
}
