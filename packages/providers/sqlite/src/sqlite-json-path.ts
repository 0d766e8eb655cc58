/**
 * SQLite JSON paths (`$.a."b c"[0]`) built from filter segments. Paths are written into SQL as
 * string literals rather than bound, because SQLite only matches an expression index when the
 * path in the query is the same literal as in the index. Every label is JSON-quoted and the
 * whole path SQL-quoted, so no segment can end the literal; segments that cannot be spelled
 * exactly (control characters, lone surrogates) are reported as unrepresentable instead.
 */

import { quoteSqlString } from "./sql-fragment.js";

/** One step of a JSON path: an object label or an array position. */
export type JsonPathStep =
  | { readonly kind: "label"; readonly name: string }
  | { readonly kind: "index"; readonly index: number };

const plainLabel = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * Whether an object label can be written into a JSON path exactly: control characters (which
 * JSON.stringify escapes as `\uXXXX`) and lone surrogates (which have no UTF-8 form) cannot,
 * since SQLite would compare them in a form we cannot guarantee to spell the same way.
 */
export function isRepresentableLabel(name: string): boolean {
  for (let index = 0; index < name.length; index++) {
    const code = name.charCodeAt(index);
    if (code < 0x20) return false;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = name.charCodeAt(index + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      index++;
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      return false;
    }
  }
  return true;
}

function stepText(step: JsonPathStep): string {
  if (step.kind === "index") return `[${step.index}]`;
  if (plainLabel.test(step.name)) return `.${step.name}`;
  return `."${step.name.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/**
 * The JSON path text for `steps`, for example `$.items[0]."unit price"`.
 * @throws Error when a label is unrepresentable (check with `isRepresentableLabel` first).
 */
export function jsonPathText(steps: readonly JsonPathStep[]): string {
  let text = "$";
  for (const step of steps) {
    if (step.kind === "label" && !isRepresentableLabel(step.name)) {
      throw new Error("JSON path label is not representable");
    }
    text += stepText(step);
  }
  return text;
}

/** The JSON path as a SQL string literal, for example `'$.a."it''s"'`. */
export function jsonPathLiteral(steps: readonly JsonPathStep[]): string {
  return quoteSqlString(jsonPathText(steps));
}

/** Label steps for plain object keys. */
export function labels(names: readonly string[]): JsonPathStep[] {
  return names.map((name) => ({ kind: "label", name }));
}

/**
 * The array position a path segment addresses: digits without leading zeros (MongoDB compares
 * the segment with an element's index as a string), else -1.
 */
export function segmentIndex(segment: string): number {
  if (!/^(0|[1-9][0-9]{0,8})$/.test(segment)) return -1;
  return Number(segment);
}
