/**
 * The native `RegExp` fast path for patterns that provably cannot backtrack.
 *
 * Accepted: literal characters, escaped punctuation, `\d \D \w \W \s \S`, `\b \B` (not with
 * `i`), `\n \t \r \f \v`, `.`, `^`, `$`, simple character classes, and `|` at the top level only.
 * Anything else (quantifiers, groups, braces, POSIX classes, lone surrogates, ...) returns
 * `undefined` and runs on RE2. With no quantifier and no nested alternation, a backtracking engine
 * tries each branch once per start position: linear in the input times the pattern length.
 *
 * The translation keeps RE2's (and PCRE's) meaning where JavaScript's differs: `.` excludes only
 * `\n`, `^`/`$` in multiline mode only see `\n`, and `\d \w \s` are ASCII.
 */

import type { CompiledRegex } from "./regex.js";

const digit = "0-9";
const word = "0-9A-Za-z_";
const space = "\\t\\n\\f\\r ";
/** Characters that must stay escaped in a JavaScript pattern with the `u` flag. */
const syntaxCharacters = "^$\\.*+?()[]{}|/";
/** Characters that end the fast path: quantifiers, groups and braces. */
const unsupported = "*+?(){}]";
const controlEscapes: Record<string, string> = { n: "\\n", t: "\\t", r: "\\r", f: "\\f", v: "\\v" };

function isPunctuation(char: string): boolean {
  const code = char.charCodeAt(0);
  return (
    code > 0x20 &&
    code < 0x7f &&
    !(
      (code >= 0x30 && code <= 0x39) ||
      (code >= 0x41 && code <= 0x5a) ||
      (code >= 0x61 && code <= 0x7a)
    )
  );
}

function literal(char: string): string {
  return syntaxCharacters.includes(char) ? `\\${char}` : char;
}

/** Translates one `[...]` class starting at `start`; returns the output and the next index. */
function translateClass(pattern: string, start: number): [string, number] | undefined {
  let index = start + 1;
  let output = "[";
  if (pattern[index] === "^") {
    output += "^";
    index++;
  }
  if (pattern[index] === "]") return undefined;
  let expandedEscape = false;
  for (; index < pattern.length; index++) {
    const char = pattern[index]!;
    if (char === "]") {
      // A `-` next to an expanded \d/\w/\s could form a range JavaScript reads differently.
      if (expandedEscape && output.includes("-")) return undefined;
      return [`${output}]`, index + 1];
    }
    if (char === "[") return undefined;
    if (char !== "\\") {
      output += char === "-" ? "-" : literal(char);
      continue;
    }
    const next = pattern[++index];
    if (next === undefined) return undefined;
    if (next === "d" || next === "w" || next === "s") {
      output += next === "d" ? digit : next === "w" ? word : space;
      expandedEscape = true;
    } else if (controlEscapes[next] !== undefined) {
      output += controlEscapes[next];
    } else if (isPunctuation(next)) {
      output += next === "-" ? "\\-" : literal(next);
    } else {
      return undefined;
    }
  }
  return undefined;
}

function translateEscape(next: string, caseInsensitive: boolean): string | undefined {
  switch (next) {
    case "d":
      return `[${digit}]`;
    case "D":
      return `[^${digit}]`;
    case "w":
      return `[${word}]`;
    case "W":
      return `[^${word}]`;
    case "s":
      return `[${space}]`;
    case "S":
      return `[^${space}]`;
    case "b":
    case "B":
      // With `iu`, JavaScript's \b folds Unicode case into \w; RE2's does not.
      return caseInsensitive ? undefined : `\\${next}`;
    default:
      if (controlEscapes[next] !== undefined) return controlEscapes[next];
      return isPunctuation(next) ? literal(next) : undefined;
  }
}

/**
 * Translates `pattern` (already stripped of extended syntax) into a native regular expression,
 * or returns `undefined` when the pattern is outside the provably linear subset.
 */
export function translateToNativeSource(pattern: string, options: string): string | undefined {
  if (/[\ud800-\udfff]/.test(pattern)) return undefined;
  const multiline = options.includes("m");
  const caseInsensitive = options.includes("i");
  let output = "";
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!;
    if (unsupported.includes(char)) return undefined;
    switch (char) {
      case "\\": {
        const next = pattern[++index];
        if (next === undefined) return undefined;
        const translated = translateEscape(next, caseInsensitive);
        if (translated === undefined) return undefined;
        output += translated;
        break;
      }
      case "[": {
        const translated = translateClass(pattern, index);
        if (translated === undefined) return undefined;
        output += translated[0];
        index = translated[1] - 1;
        break;
      }
      case ".":
        output += options.includes("s") ? "[^]" : "[^\\n]";
        break;
      case "^":
        output += multiline ? "(?<![^\\n])" : "^";
        break;
      case "$":
        output += multiline ? "(?![^\\n])" : "$";
        break;
      case "|":
        output += "|";
        break;
      default:
        output += literal(char);
    }
  }
  return output;
}

/** Compiles the fast path, or returns `undefined` so the caller falls back to RE2. */
export function compileNativeRegex(pattern: string, options: string): CompiledRegex | undefined {
  const source = translateToNativeSource(pattern, options);
  if (source === undefined) return undefined;
  let regex: RegExp;
  try {
    regex = new RegExp(source, options.includes("i") ? "iu" : "u");
  } catch {
    // Whatever JavaScript rejects (for example an inverted range) gets RE2's error message.
    return undefined;
  }
  return { engine: "native", test: (input) => regex.test(input) };
}
