// @ts-check

/**
 * The tsup settings every publishable package shares: ESM only, declarations, Node 20.19+.
 * @param {Record<string, string> | string[]} [entry]
 * @returns {import("tsup").Options}
 */
export function packageBuild(entry = ["src/index.ts"]) {
  return {
    entry,
    format: ["esm"],
    target: "node20",
    platform: "node",
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: false,
    treeshake: true,
  };
}
