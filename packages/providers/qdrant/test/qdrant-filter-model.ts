/**
 * A small model of how Qdrant evaluates the filter conditions the compiler emits, written from
 * Qdrant's filtering documentation, for property tests of the compiler without a server:
 * - a key `a.b` reads nested objects; `a[].b` reads `b` of every element of the array `a`;
 * - a condition on an array value holds when one element satisfies it;
 * - `match.value` is typed equality on strings, integers and booleans; `range` reads numbers;
 * - `is_empty`: missing, null or `[]`; `is_null`: exactly null;
 * - `values_count`: an array counts its elements, any other present value counts one;
 * - `nested`: some element of the array of objects at the key satisfies the inner filter.
 * It is a model, not Qdrant: the conformance suite against a real server (QDRANT_URL) is the
 * authority.
 */

import type { QdrantCondition, QdrantFilter } from "../src/qdrant-filter-compiler.js";

type Json = unknown;
const missing = Symbol("missing");

/** The raw values a key reaches (before flattening the last array). */
function reach(payload: Json, key: string): Json[] {
  let current: Json[] = [payload];
  for (const part of key.split(".")) {
    const spread = part.endsWith("[]");
    const name = spread ? part.slice(0, -2) : part;
    const next: Json[] = [];
    for (const value of current) {
      if (value === null || typeof value !== "object" || Array.isArray(value)) continue;
      if (!Object.hasOwn(value, name)) continue;
      const inner = (value as Record<string, Json>)[name];
      if (spread) {
        if (Array.isArray(inner)) next.push(...inner);
      } else next.push(inner);
    }
    current = next;
  }
  return current;
}

function flattened(payload: Json, key: string): Json[] {
  return reach(payload, key).flatMap((value) => (Array.isArray(value) ? value : [value]));
}

function raw(payload: Json, key: string): Json | typeof missing {
  const values = reach(payload, key);
  return values.length === 0 ? missing : values.length === 1 ? values[0] : values;
}

function matchesValue(candidate: Json, wanted: Json): boolean {
  if (typeof wanted === "number") {
    return typeof candidate === "number" && Number.isInteger(candidate) && candidate === wanted;
  }
  return candidate === wanted;
}

function holds(condition: QdrantCondition, payload: Json): boolean {
  if ("must" in condition || "should" in condition || "must_not" in condition) {
    return evaluate(condition as QdrantFilter, payload);
  }
  if ("is_empty" in condition) {
    const value = raw(payload, condition.is_empty.key);
    return value === missing || value === null || (Array.isArray(value) && value.length === 0);
  }
  if ("is_null" in condition) return raw(payload, condition.is_null.key) === null;
  if ("nested" in condition) {
    return flattened(payload, condition.nested.key).some(
      (element) =>
        element !== null &&
        typeof element === "object" &&
        !Array.isArray(element) &&
        evaluate(condition.nested.filter, element),
    );
  }
  const field = condition as Extract<QdrantCondition, { readonly key: string }>;
  const values = flattened(payload, field.key);
  if (field.match !== undefined) {
    const match = field.match;
    if ("value" in match) return values.some((value) => matchesValue(value, match.value));
    return values.some((value) =>
      (match.any as Json[]).some((wanted) => matchesValue(value, wanted)),
    );
  }
  if (field.range !== undefined) {
    const { gt, gte, lt, lte } = field.range;
    return values.some(
      (value) =>
        typeof value === "number" &&
        (gt === undefined || value > gt) &&
        (gte === undefined || value >= gte) &&
        (lt === undefined || value < lt) &&
        (lte === undefined || value <= lte),
    );
  }
  if (field.values_count !== undefined) {
    const value = raw(payload, field.key);
    const count = value === missing ? 0 : Array.isArray(value) ? value.length : 1;
    const { gte, lte } = field.values_count;
    return (gte === undefined || count >= gte) && (lte === undefined || count <= lte);
  }
  throw new Error(`The model does not know this condition: ${JSON.stringify(condition)}`);
}

/** Whether `payload` passes `filter` in the model. */
export function evaluate(filter: QdrantFilter, payload: Json): boolean {
  if (filter.must !== undefined && !filter.must.every((condition) => holds(condition, payload))) {
    return false;
  }
  if (filter.must_not?.some((condition) => holds(condition, payload))) return false;
  if (filter.should !== undefined && filter.should.length > 0) {
    return filter.should.some((condition) => holds(condition, payload));
  }
  return true;
}
