import { packageTests } from "@agentvault/tooling/vitest";
import { mergeConfig } from "vitest/config";

// The files share one Redis server with each other and with other packages' suites, and the
// real-time TTL tests are sensitive to scheduling delays: run the files one after another.
export default mergeConfig(packageTests(), { test: { fileParallelism: false } });
