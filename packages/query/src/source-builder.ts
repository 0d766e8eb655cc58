/**
 * Collects the pieces of one generated predicate: the constants array and the functions that
 * read it. Every value the generated code needs (field names, operands, compiled patterns,
 * helper functions, fallback closures) goes through {@link SourceBuilder.constant}, which
 * returns only an identifier made of a letter and an integer (`c7`): user text never enters the
 * source. See `code-generation.ts` for the check applied to the finished source.
 * @internal
 */

import { isDocument } from "./path-values.js";

/** Prefixes of generated function names (see `code-generation.ts` for the accepted names). */
export type FunctionPrefix = "p" | "f" | "a" | "e" | "g";

/** Values the generated code calls or compares with, each declared once per source. */
const helpers = {
  isArray: Array.isArray,
  date: Date,
  isDocument,
} as const;

/** The name of a helper in {@link helpers}. */
export type HelperName = keyof typeof helpers;

/** Builds the source and constants of one generated predicate. */
export class SourceBuilder {
  private readonly constants: unknown[] = [];
  private readonly fieldNames = new Map<string, string>();
  private readonly sharedNames = new Map<unknown, string>();
  private readonly functions: string[] = [];
  private functionCount = 0;

  /** Adds a constant; returns the identifier the source reads it by. */
  constant(value: unknown): string {
    this.constants.push(value);
    return `c${this.constants.length - 1}`;
  }

  /** The identifier of a field name (a path segment), declared once per source. */
  fieldName(segment: string): string {
    let identifier = this.fieldNames.get(segment);
    if (identifier === undefined) {
      identifier = this.constant(segment);
      this.fieldNames.set(segment, identifier);
    }
    return identifier;
  }

  /** The identifier of a function of ours, declared once per source. */
  shared(value: object): string {
    let identifier = this.sharedNames.get(value);
    if (identifier === undefined) {
      identifier = this.constant(value);
      this.sharedNames.set(value, identifier);
    }
    return identifier;
  }

  /** The identifier of a helper, declared on first use. */
  helper(name: HelperName): string {
    return this.shared(helpers[name]);
  }

  /** Reserves a function name, for functions that refer to each other. */
  reserveFunction(prefix: FunctionPrefix): string {
    return `${prefix}${this.functionCount++}`;
  }

  /** Declares the function `name(parameter) { body }`. */
  defineFunction(name: string, parameter: string, body: readonly string[]): string {
    this.functions.push(`function ${name}(${parameter}) {\n  ${body.join("\n  ")}\n}`);
    return name;
  }

  /** Declares a new function; returns its name. */
  addFunction(prefix: FunctionPrefix, parameter: string, body: readonly string[]): string {
    return this.defineFunction(this.reserveFunction(prefix), parameter, body);
  }

  /** The factory source returning `function (d) { return <expression>; }`, and its constants. */
  build(expression: string): { source: string; constants: readonly unknown[] } {
    const declarations = this.constants.map((_, index) => `c${index} = c[${index}]`);
    const lines = ['"use strict";'];
    if (declarations.length > 0) lines.push(`var ${declarations.join(", ")};`);
    // A filter that is one generated function call is that function.
    const single = /^([pg][0-9]+)\(d\)$/.exec(expression);
    const root = single ? single[1] : `function (d) { return ${expression}; }`;
    lines.push(...this.functions, `return ${root};`);
    return { source: lines.join("\n"), constants: this.constants };
  }
}
