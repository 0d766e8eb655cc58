import { packageBuild } from "@agentvault/tooling/tsup";
import { defineConfig } from "tsup";

export default defineConfig(packageBuild());
