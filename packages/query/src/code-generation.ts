/**
 * Turning generated predicate source into functions, safely.
 *
 * Generated source is assembled only from the generator's own fixed fragments and integer
 * indices: field names, values and patterns reach the function as elements of a constants array
 * (`c[0]`, `c[1]`, ...), never as text. {@link instantiate} re-checks that promise on every new
 * source before compiling it, so a generator bug cannot turn into code injection: the source may
 * hold no quote except a few fixed literals, no backslash, slash or backtick (so no string,
 * template, regex literal or comment), and only identifiers from a closed list.
 *
 * Where strings cannot be compiled (a Content Security Policy without `unsafe-eval`, Node's
 * `--disallow-code-generation-from-strings`), {@link codeGenerationAvailable} says so once and
 * callers keep the closure compiler.
 * @internal
 */

/** A compiled factory: takes the constants, returns the predicate. */
type Factory = (constants: readonly unknown[]) => (document: unknown) => boolean;

/** The only string literals generated source may contain. */
const allowedLiterals = ['"use strict"', '"number"', '"string"', '"boolean"', '"object"'];

/** Keywords, and property names of values the generator reads. */
const allowedWords = new Set([
  "var",
  "function",
  "return",
  "if",
  "else",
  "for",
  "break",
  "typeof",
  "instanceof",
  "true",
  "false",
  "null",
  "undefined",
  "length",
  "getTime",
  "test",
  "some",
  "includes",
]);

/** Generated names: `c0` (constants), `p3`, `f2`, `a1` (functions), `v2` and one-letter locals. */
const generatedName = /^(?:[a-z]|[cpfaegv][0-9]+)$/;

/** Whether `source` holds only fixed fragments, generated names and integers. */
export function isOwnSource(source: string): boolean {
  let stripped = source;
  for (const literal of allowedLiterals) stripped = stripped.split(literal).join(" ");
  if (/["'`\\/]/.test(stripped)) return false;
  for (const word of stripped.match(/[A-Za-z_$][\w$]*/g) ?? []) {
    if (!allowedWords.has(word) && !generatedName.test(word)) return false;
  }
  return true;
}

let available: boolean | undefined;

/** Whether this runtime lets us compile functions from strings; decided once. */
export function codeGenerationAvailable(): boolean {
  if (available === undefined) {
    try {
      available = new Function("return true")() === true;
    } catch {
      available = false;
    }
  }
  return available;
}

/**
 * Factories by source. Filters of the same shape (same operators, paths of the same length, same
 * kinds of operands) produce the same source, so a service sees a few hundred distinct sources at
 * most; the bound keeps hostile filter variety from growing memory without limit.
 */
const factories = new Map<string, Factory>();
const factoryLimit = 500;

/**
 * Compiles (or reuses) the factory for `source` and applies it to `constants`. Returns
 * `undefined` when code generation is unavailable or the source fails {@link isOwnSource}.
 */
export function instantiate(
  source: string,
  constants: readonly unknown[],
): ((document: unknown) => boolean) | undefined {
  let factory = factories.get(source);
  if (factory === undefined) {
    if (!codeGenerationAvailable() || !isOwnSource(source)) return undefined;
    factory = new Function("c", source) as Factory;
    if (factories.size >= factoryLimit) {
      // Maps iterate in insertion order: drop the oldest.
      factories.delete(factories.keys().next().value!);
    }
    factories.set(source, factory);
  }
  return factory(constants);
}
