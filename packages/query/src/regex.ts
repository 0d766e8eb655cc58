/**
 * Regular expressions that can never block the event loop.
 *
 * Patterns run on `re2js`, a linear-time port of RE2: no pattern, however hostile, backtracks.
 * Patterns a conservative static check proves trivially linear (no quantifiers, no groups,
 * alternation only at the top level: literal prefix/substring/suffix searches, the common case)
 * run on a translated native `RegExp`, which is several times faster; see `native-regex.ts`.
 *
 * Deliberate differences from MongoDB's PCRE, documented in the README: backreferences,
 * lookaround, atomic groups, possessive quantifiers and some escapes (`\Z`, `\h`, `\R`, `\cX`,
 * `\e`) are rejected; repetition counts above 1,000 are rejected; `\s` does not match `\v`.
 */

import { RE2JS } from "re2js";
import type { RegexValue } from "./ast.js";
import { FilterValidationError } from "./errors.js";
import { compileNativeRegex } from "./native-regex.js";

/** A compiled pattern: a stateless, linear-time test. */
export interface CompiledRegex {
  /** Which engine runs the pattern; useful for benchmarks and tests. */
  readonly engine: "native" | "re2";
  /** Whether the pattern matches anywhere in `input` (unanchored, like MongoDB's `$regex`). */
  test(input: string): boolean;
}

/** MongoDB's `$options` letters that AgentVault supports. */
export const supportedRegexOptions = "imsx";

const cacheLimit = 1000;
const cache = new Map<string, CompiledRegex>();

/**
 * Strips PCRE extended-mode (`x`) whitespace and `#` comments outside character classes, so
 * engines without an `x` flag see the pattern PCRE would.
 */
export function stripExtendedSyntax(pattern: string): string {
  let output = "";
  let inClass = false;
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!;
    if (char === "\\") {
      if (!inClass && pattern[index + 1] === "Q") {
        // \Q...\E quotes literally, whitespace included.
        const end = pattern.indexOf("\\E", index + 2);
        const stop = end === -1 ? pattern.length : end + 2;
        output += pattern.slice(index, stop);
        index = stop - 1;
        continue;
      }
      output += pattern.slice(index, index + 2);
      index++;
      continue;
    }
    if (inClass) {
      if (char === "[" && pattern[index + 1] === ":") {
        const end = pattern.indexOf(":]", index + 2);
        if (end !== -1) {
          output += pattern.slice(index, end + 2);
          index = end + 1;
          continue;
        }
      }
      if (char === "]") inClass = false;
      output += char;
      continue;
    }
    if (char === "[") {
      inClass = true;
      output += char;
      // A `]` right after `[` or `[^` is a literal member, not the end of the class.
      if (pattern[index + 1] === "^") output += pattern[++index];
      if (pattern[index + 1] === "]") output += pattern[++index];
      continue;
    }
    if (char === "#") {
      const end = pattern.indexOf("\n", index);
      index = end === -1 ? pattern.length : end;
      continue;
    }
    if (char === " " || (char >= "\t" && char <= "\r")) continue;
    output += char;
  }
  return output;
}

/**
 * PCRE's `$` (without `m`) also matches before a final newline; RE2's does not. When the pattern
 * uses `$` that way, a string ending in `\n` is also tried without it: a match there is exactly a
 * PCRE match whose `$` sits before the final newline (`\z` opts out, as in PCRE).
 */
function needsFinalNewlineRetry(pattern: string, multiline: boolean): boolean {
  return !multiline && pattern.includes("$") && !pattern.includes("\\z");
}

function compileRe2(pattern: string, options: string): CompiledRegex {
  let flags = 0;
  if (options.includes("i")) flags |= RE2JS.CASE_INSENSITIVE;
  if (options.includes("m")) flags |= RE2JS.MULTILINE;
  if (options.includes("s")) flags |= RE2JS.DOTALL;
  const compiled = RE2JS.compile(pattern, flags);
  return { engine: "re2", test: (input) => compiled.test(input) };
}

function withFinalNewlineRetry(regex: CompiledRegex): CompiledRegex {
  const { test } = regex;
  return {
    engine: regex.engine,
    test: (input) =>
      test(input) ||
      (input.charCodeAt(input.length - 1) === 10 && test(input.slice(0, input.length - 1))),
  };
}

/**
 * Compiles a MongoDB regular expression (pattern plus `imsx` options) into a linear-time test.
 * Results are cached by pattern and options.
 *
 * @param path where the regex sits in the filter, for the error
 * @throws FilterValidationError when the pattern is invalid or uses syntax RE2 cannot run in
 *   linear time (backreferences, lookaround, ...)
 */
export function compileRegex(regex: RegexValue, path = ""): CompiledRegex {
  const key = `${regex.options}/${regex.pattern}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const pattern = regex.options.includes("x") ? stripExtendedSyntax(regex.pattern) : regex.pattern;
  let compiled: CompiledRegex;
  try {
    compiled = compileNativeRegex(pattern, regex.options) ?? compileRe2(pattern, regex.options);
  } catch (error) {
    const reason =
      error instanceof Error ? error.message.replace(/^error parsing regexp: /, "") : "";
    throw new FilterValidationError(
      `Invalid or unsupported regular expression (${reason}); AgentVault runs patterns on RE2, ` +
        "which has no backreferences or lookaround",
      path,
      { cause: error, source: "query" },
    );
  }
  if (needsFinalNewlineRetry(pattern, regex.options.includes("m"))) {
    compiled = withFinalNewlineRetry(compiled);
  }
  if (cache.size >= cacheLimit) cache.delete(cache.keys().next().value!);
  cache.set(key, compiled);
  return compiled;
}

/**
 * Normalises MongoDB option letters: sorted and deduplicated. Returns `undefined` when a letter
 * is not one of `imsx`.
 */
export function normalizeRegexOptions(options: string): string | undefined {
  let normalized = "";
  for (const letter of supportedRegexOptions) if (options.includes(letter)) normalized += letter;
  for (const letter of options) if (!supportedRegexOptions.includes(letter)) return undefined;
  return normalized;
}
