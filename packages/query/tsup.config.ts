import { packageBuild } from "@agentvault/tooling/tsup";
import { defineConfig } from "tsup";

export default defineConfig(
  packageBuild({ index: "src/index.ts", "testing/index": "src/testing/index.ts" }),
);
