import { packageTests, sourceConditions } from "@agentvault/tooling/vitest";

// The AWS SDK's "module" build (dist-es) is meant for bundlers: its extensionless imports do
// not load in Node, so these tests resolve dependencies without that condition (as provider-s3's).
const conditions = sourceConditions.filter((condition) => condition !== "module");
const config = packageTests({ testTimeout: 60_000 });

export default {
  ...config,
  resolve: { ...config.resolve, conditions },
  ssr: { ...config.ssr, resolve: { ...config.ssr?.resolve, conditions } },
};
