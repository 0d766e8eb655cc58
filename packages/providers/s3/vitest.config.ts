import { packageTests, sourceConditions } from "@agentvault/tooling/vitest";

// The AWS SDK's "module" build (dist-es) is meant for bundlers: its extensionless imports do
// not load in Node, so this package resolves dependencies without that condition.
const conditions = sourceConditions.filter((condition) => condition !== "module");
const config = packageTests();

export default {
  ...config,
  resolve: { ...config.resolve, conditions },
  ssr: { ...config.ssr, resolve: { ...config.ssr?.resolve, conditions } },
};
