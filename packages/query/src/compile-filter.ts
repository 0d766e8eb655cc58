/**
 * Compiles filters into predicates. Where the runtime allows it, each filter becomes one
 * generated function (`generate-predicate.ts`), specialised to its paths and operands; otherwise,
 * and for one-shot matches, the closure compiler (`compile-closures.ts`) builds it. Both give the
 * same results.
 */

import type { FilterNode } from "./ast.js";
import { compileClosurePredicate, type DocumentPredicate } from "./compile-closures.js";
import type { FilterLimits } from "./filter-limits.js";
import { generatePredicate } from "./generate-predicate.js";
import { parseFilter } from "./parse-filter.js";

export type { DocumentPredicate } from "./compile-closures.js";

/** Options of {@link compilePredicate}. */
export interface CompileOptions {
  /**
   * Whether to generate a specialised function for the filter (when the runtime allows
   * compiling code from strings). Generated predicates are faster per document but cost more
   * to compile: pass `false` for a filter tested on a handful of values, or to get the closure
   * compiler the generated code is checked against.
   * @default true
   */
  readonly generateCode?: boolean;
}

/**
 * Compiles a parsed filter into a predicate, once; the predicate is then cheap per document.
 * A field node with an empty path tests the value it is given itself (value-form `$elemMatch`).
 *
 * @example
 * const isCheap = compilePredicate(parseFilter({ price: { $lt: 10 } }));
 * documents.filter(isCheap);
 */
export function compilePredicate(
  node: FilterNode,
  options: CompileOptions = {},
): DocumentPredicate {
  return (
    (options.generateCode !== false && generatePredicate(node)) || compileClosurePredicate(node)
  );
}

/**
 * Parses, validates and compiles a MongoDB-style filter into a document predicate.
 *
 * @throws FilterValidationError when the filter is invalid (see `parseFilter`)
 * @example
 * const isActiveAdult = compileFilter({ status: "active", age: { $gte: 18 } });
 * users.filter(isActiveAdult);
 */
export function compileFilter(filter: unknown, limits?: FilterLimits): DocumentPredicate {
  return compilePredicate(parseFilter(filter, limits));
}

/**
 * Whether `document` matches `filter`. Compiles the filter on every call: when testing many
 * documents, use {@link compileFilter} once instead.
 *
 * @throws FilterValidationError when the filter is invalid
 * @example
 * matches({ tags: "sale" }, { tags: ["new", "sale"] }); // true
 */
export function matches(filter: unknown, document: unknown): boolean {
  // One document: generating code would cost more than it saves.
  return compileClosurePredicate(parseFilter(filter))(document);
}
