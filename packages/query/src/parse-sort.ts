/**
 * Parses the sort specifications users write into the `SortSpec` AST.
 */

import type { SortKey, SortSpec } from "./ast.js";
import { FilterValidationError } from "./errors.js";
import { isPlainObject, querySource, toFieldPath } from "./paths.js";

/** A direction as users may write it. */
export type SortDirectionInput = 1 | -1 | "asc" | "desc" | "ascending" | "descending";

/**
 * What {@link parseSort} accepts: an object in priority order (`{ price: -1, name: 1 }`) or an
 * array of `[field, direction]` pairs (`[["price", "desc"], ["name", "asc"]]`).
 */
export type SortInput =
  | Readonly<Record<string, SortDirectionInput>>
  | readonly (readonly [string, SortDirectionInput])[];

function parseDirection(direction: unknown, errorPath: string): 1 | -1 {
  switch (direction) {
    case 1:
    case "asc":
    case "ascending":
      return 1;
    case -1:
    case "desc":
    case "descending":
      return -1;
    default:
      throw new FilterValidationError(
        `A sort direction must be 1, -1, "asc" or "desc", got ${describe(direction)}`,
        errorPath,
        { source: querySource },
      );
  }
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.slice(0, 40));
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    return keys.length > 0 && keys[0]!.startsWith("$")
      ? `the unsupported operator ${keys[0]!.slice(0, 40)}`
      : "an object";
  }
  if (Array.isArray(value)) return "an array";
  return String(value);
}

/**
 * Parses a sort specification.
 *
 * Keys keep their written order, which is their priority. Directions are `1`/`"asc"`/
 * `"ascending"` or `-1`/`"desc"`/`"descending"`. `$meta` sorts are not supported.
 *
 * @example
 * parseSort({ price: -1, name: 1 });
 * parseSort([["price", "desc"], ["name", "asc"]]);
 * @throws FilterValidationError with the offending path (for example `price` or `1.1`).
 */
export function parseSort(input: unknown): SortSpec {
  const keys: SortKey[] = [];
  const seen = new Set<string>();
  const add = (field: unknown, direction: unknown, errorPath: string) => {
    const path = toFieldPath(field, { errorPath, context: "sort" });
    if (seen.has(path.path)) {
      throw new FilterValidationError(`The sort names "${path.path}" twice`, errorPath, {
        source: querySource,
      });
    }
    seen.add(path.path);
    keys.push(Object.freeze({ field: path, direction: parseDirection(direction, errorPath) }));
  };
  if (Array.isArray(input)) {
    input.forEach((pair: unknown, index) => {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new FilterValidationError(
          "A sort array must hold [field, direction] pairs",
          String(index),
          { source: querySource },
        );
      }
      add(pair[0], pair[1], `${index}`);
    });
  } else if (isPlainObject(input)) {
    for (const field of Object.keys(input)) add(field, input[field], field);
  } else {
    throw new FilterValidationError(
      "A sort must be an object such as { price: -1 } or an array of [field, direction] pairs",
      "",
      { source: querySource },
    );
  }
  return Object.freeze(keys);
}
