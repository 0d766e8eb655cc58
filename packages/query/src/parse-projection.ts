/**
 * Parses the projections users write into the `ProjectionSpec` AST.
 */

import type { FieldPath, ProjectionSpec } from "./ast.js";
import { FilterValidationError, UnsupportedOperatorError } from "./errors.js";
import { isPathPrefix, isPlainObject, querySource, toFieldPath } from "./paths.js";

/**
 * What {@link parseProjection} accepts: `{ a: 1, "b.c": 1 }` (inclusion), `{ a: 0 }`
 * (exclusion), or an array of paths to include (`["a", "b.c"]`). `true`/`false` work like
 * `1`/`0`.
 */
export type ProjectionInput = Readonly<Record<string, 0 | 1 | boolean>> | readonly string[];

const unsupportedMessage =
  "is not supported in projections; only inclusion (1) and exclusion (0) of fields are";

function readFlag(field: string, value: unknown): boolean {
  if (value === 1 || value === true) return true;
  if (value === 0 || value === false) return false;
  if (isPlainObject(value)) {
    const operator = Object.keys(value).find((key) => key.startsWith("$"));
    if (operator !== undefined) {
      throw new UnsupportedOperatorError(
        operator,
        `The projection operator ${operator.slice(0, 40)} ${unsupportedMessage} (at ${field})`,
        { source: querySource },
      );
    }
  }
  throw new FilterValidationError("A projection value must be 1, 0, true or false", field, {
    source: querySource,
  });
}

function checkPositional(field: string): void {
  if (field === "$" || field.endsWith(".$") || field.includes(".$.")) {
    throw new UnsupportedOperatorError(
      "$",
      `The positional projection operator $ ${unsupportedMessage} (at ${field})`,
      { source: querySource },
    );
  }
}

/**
 * Parses a projection. `_id` is kept unless excluded, and may be excluded in an inclusion
 * projection (`{ name: 1, _id: 0 }`); otherwise mixing inclusion and exclusion is rejected, as
 * are overlapping paths (`{ a: 1, "a.b": 1 }`, MongoDB's path collision) and the projection
 * operators `$slice`, `$elemMatch`, `$` and `$meta`, which are unsupported. An empty projection
 * keeps every field.
 *
 * @example
 * parseProjection({ name: 1, "price.amount": 1, _id: 0 });
 * parseProjection(["name", "price"]);
 * @throws FilterValidationError (with the field as path), or UnsupportedOperatorError for a
 * projection operator.
 */
export function parseProjection(input: unknown): ProjectionSpec {
  let entries: [string, boolean][];
  if (Array.isArray(input)) {
    entries = input.map((field: unknown, index) => {
      if (typeof field !== "string") {
        throw new FilterValidationError("A projection array must hold field paths", String(index), {
          source: querySource,
        });
      }
      return [field, true];
    });
  } else if (isPlainObject(input)) {
    entries = Object.keys(input).map((field) => [field, readFlag(field, input[field])]);
  } else {
    throw new FilterValidationError(
      "A projection must be an object such as { name: 1 } or an array of field paths",
      "",
      { source: querySource },
    );
  }
  let includeId = true;
  let mode: "include" | "exclude" | undefined;
  let idMentioned = false;
  const fields: FieldPath[] = [];
  for (const [field, include] of entries) {
    checkPositional(field);
    if (field === "_id") {
      includeId = include;
      idMentioned = true;
      continue;
    }
    const path = toFieldPath(field, { errorPath: field, context: "projection" });
    const fieldMode = include ? "include" : "exclude";
    if (mode !== undefined && mode !== fieldMode) {
      throw new FilterValidationError(
        "A projection cannot mix inclusion and exclusion (except excluding _id)",
        field,
        { source: querySource },
      );
    }
    mode = fieldMode;
    const collision = fields.find(
      (other) =>
        isPathPrefix(other.segments, path.segments) || isPathPrefix(path.segments, other.segments),
    );
    if (collision) {
      throw new FilterValidationError(
        `Path collision between "${collision.path}" and "${path.path}" in the projection`,
        field,
        { source: querySource },
      );
    }
    fields.push(path);
  }
  // `{ _id: 1 }` alone keeps only `_id`, as MongoDB does.
  if (mode === undefined) mode = idMentioned && includeId ? "include" : "exclude";
  return Object.freeze({ mode, fields: Object.freeze(fields), includeId });
}
