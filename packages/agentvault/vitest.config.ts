import { packageTests, sourceConditions } from "@agentvault/tooling/vitest";

// openVault and loadProviderFactories may load @agentvault/provider-s3, whose AWS SDK "module"
// build (dist-es) is meant for bundlers and does not load in Node: resolve without it, as Node does.
const conditions = sourceConditions.filter((condition) => condition !== "module");
const config = packageTests();

export default {
  ...config,
  resolve: { ...config.resolve, conditions },
  ssr: { ...config.ssr, resolve: { ...config.ssr?.resolve, conditions } },
};
