import { packageTests } from "@agentvault/tooling/vitest";
import ts from "typescript";
import { mergeConfig, type Plugin } from "vitest/config";

/**
 * Vite 8's transformer (oxc) lowers only legacy decorators, and Node 20 runs none, so test files
 * that use standard (TC39) decorators are compiled by TypeScript first, exactly as `tsc` would
 * for a user with `experimentalDecorators` off.
 */
function standardDecorators(): Plugin {
  return {
    name: "agentvault:standard-decorators",
    enforce: "pre",
    transform(code, id) {
      if (!id.endsWith(".ts") || !/^\s*@\w/m.test(code)) return undefined;
      const output = ts.transpileModule(code, {
        fileName: id,
        compilerOptions: {
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.ESNext,
          sourceMap: true,
          verbatimModuleSyntax: true,
        },
      });
      return { code: output.outputText, map: output.sourceMapText };
    },
  };
}

export default mergeConfig(packageTests(), { plugins: [standardDecorators()] });
