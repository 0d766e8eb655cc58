/**
 * The filter AST: what `parseFilter` produces and what every provider compiles.
 *
 * Design rules, so that SQL, MongoDB and Qdrant compilers stay simple:
 * - Every field condition carries its dot path already split into `segments`, so compilers
 *   never re-parse strings. Numeric segments are kept as strings (`"0"`): whether they index an
 *   array or name an object key depends on the document, exactly as in MongoDB.
 * - One operator per `FieldNode`. `{ a: { $gt: 1, $lt: 5 } }` becomes an `and` of two field
 *   nodes: MongoDB applies each operator independently (different array elements may satisfy
 *   each), and the AST says so explicitly.
 * - Values are plain JavaScript values of the AgentVault value model (see `values.ts`):
 *   JSON plus `Date` and `Uint8Array`. Regular expressions appear only as `RegexValue`.
 * - Nodes are plain frozen data: safe to serialise, cache and compare.
 */

import type { BsonTypeName, Value } from "./values.js";

/** A regular expression as MongoDB describes it: a pattern and option letters (`imsx`). */
export interface RegexValue {
  readonly kind: "regex";
  readonly pattern: string;
  /** MongoDB option letters, any of `i`, `m`, `s`, `x`, sorted and deduplicated. */
  readonly options: string;
}

/** A dotted path, kept both whole and split. */
export interface FieldPath {
  /** The path exactly as written in the filter, for example `items.0.price`. */
  readonly path: string;
  /** The path split on dots: `["items", "0", "price"]`. */
  readonly segments: readonly string[];
}

/** Comparison operators that use MongoDB's ordering within one type bracket. */
export type RangeOperator = "gt" | "gte" | "lt" | "lte";

/**
 * A condition on the value(s) found at a path. Array traversal ("implicit membership") is part
 * of the semantics of each operator and is documented on it.
 */
export type FieldCondition =
  /** Equality; arrays match when equal as a whole or when any element is equal. `null` also matches a missing field. */
  | { readonly op: "eq"; readonly value: Value }
  /** The negation of `eq` (so `{ $ne: null }` excludes missing fields). */
  | { readonly op: "ne"; readonly value: Value }
  /** Range comparison against a value of the same type bracket only. */
  | { readonly op: RangeOperator; readonly value: Value }
  /** Matches when `eq` holds for any listed value, or when any listed regex matches. */
  | {
      readonly op: "in";
      readonly values: readonly Value[];
      readonly regexes: readonly RegexValue[];
    }
  /** The negation of `in`. */
  | {
      readonly op: "nin";
      readonly values: readonly Value[];
      readonly regexes: readonly RegexValue[];
    }
  /** Whether the path resolves to anything (including `null`). */
  | { readonly op: "exists"; readonly value: boolean }
  /** Type test; an array field matches when it, or any element, has one of the types. */
  | { readonly op: "type"; readonly types: readonly BsonTypeName[] }
  /** Pattern match against strings (or any array element that is a string). */
  | { readonly op: "regex"; readonly regex: RegexValue }
  /**
   * Every listed value, regex and `$elemMatch` is matched by the field: an AND of `eq`, `regex`
   * and `elemMatch` conditions on the same path. `$all: []` matches nothing. Each `elemMatches`
   * entry is a `FieldNode` with an `elemMatch` condition, written on this same path; compilers
   * apply its condition on the `$all`'s path and need not trust the entry's own `field` (path
   * rewriters may leave it as the user wrote it).
   */
  | {
      readonly op: "all";
      readonly values: readonly Value[];
      /** Regular expressions listed in `$all` (`{ tags: { $all: [/^a/, "b"] } }`). */
      readonly regexes: readonly RegexValue[];
      readonly elemMatches: readonly FilterNode[];
    }
  /** The field is an array of exactly `size` elements. */
  | { readonly op: "size"; readonly size: number }
  /**
   * Some array element satisfies `filter`. When `scalar` is true the filter was written as an
   * operator expression (`{ $elemMatch: { $gt: 3 } }`) and its field nodes have empty paths,
   * meaning "the element itself"; otherwise its paths are relative to each element.
   */
  | { readonly op: "elemMatch"; readonly filter: FilterNode; readonly scalar: boolean }
  /** Numeric modulo: `value % divisor === remainder` (truncated toward zero, as MongoDB). */
  | { readonly op: "mod"; readonly divisor: number; readonly remainder: number }
  /** Negation of a set of operator conditions on the same path (`$not`). Missing fields match. */
  | { readonly op: "not"; readonly conditions: readonly FieldCondition[] };

/** The operator names of `FieldCondition`, for capability tables. */
export type FieldOperatorName = FieldCondition["op"];

/** A condition on one path. A path of zero segments means "the value itself" (inside `$elemMatch`). */
export interface FieldNode {
  readonly type: "field";
  readonly field: FieldPath;
  readonly condition: FieldCondition;
}

/** A logical combination. An `and` with no children matches every document. */
export interface LogicalNode {
  readonly type: "and" | "or" | "nor";
  readonly children: readonly FilterNode[];
}

/** Any node of a filter. */
export type FilterNode = LogicalNode | FieldNode;

/** Sort direction per path, in priority order. */
export interface SortKey {
  readonly field: FieldPath;
  readonly direction: 1 | -1;
}

/** A parsed sort specification. */
export type SortSpec = readonly SortKey[];

/** A parsed projection: either only the listed paths, or everything except them. */
export interface ProjectionSpec {
  readonly mode: "include" | "exclude";
  readonly fields: readonly FieldPath[];
  /** Whether `_id` is kept. Defaults to true in both modes, as in MongoDB. */
  readonly includeId: boolean;
}

/** One update operation on one path. */
export type UpdateOperation =
  | { readonly op: "set"; readonly field: FieldPath; readonly value: Value }
  | { readonly op: "unset"; readonly field: FieldPath }
  | { readonly op: "inc" | "mul"; readonly field: FieldPath; readonly amount: number }
  | { readonly op: "min" | "max"; readonly field: FieldPath; readonly value: Value }
  | {
      readonly op: "push";
      readonly field: FieldPath;
      readonly values: readonly Value[];
      readonly position?: number;
      readonly slice?: number;
    }
  | { readonly op: "addToSet"; readonly field: FieldPath; readonly values: readonly Value[] }
  /**
   * Removes the array elements that match `filter`, read like `$elemMatch`: with `scalar`, the
   * filter's paths are empty and test the element itself (`{ $pull: { scores: { $gte: 6 } } }`),
   * with query semantics, so an element that is an array matches when one of its items does;
   * otherwise they are relative to each element, and only sub-document elements can match
   * (`{ $pull: { items: { sku: "a" } } }`). A `$pull` of a plain value (`{ $pull: { tags: "a" } }`)
   * parses to `pullAll` instead, because MongoDB compares it by exact equality.
   */
  | {
      readonly op: "pull";
      readonly field: FieldPath;
      readonly filter: FilterNode;
      readonly scalar: boolean;
    }
  /**
   * Removes the array elements exactly equal (MongoDB equality: deep, field order significant,
   * no implicit array membership) to any of `values`. Produced by `$pullAll` and by `$pull` with
   * a value that is not a document.
   */
  | { readonly op: "pullAll"; readonly field: FieldPath; readonly values: readonly Value[] }
  | { readonly op: "rename"; readonly field: FieldPath; readonly to: FieldPath }
  | { readonly op: "currentDate"; readonly field: FieldPath; readonly as: "date" | "timestamp" };

/**
 * A parsed update. A plain-object patch (no `$` keys) is read as a shallow merge: one `set` per
 * top-level field, which is what `vault.update(collection, key, patch)` promises. Mixing plain
 * fields with `$` operators is rejected. `replace` replaces the whole document.
 */
export type UpdateSpec =
  | { readonly kind: "operators"; readonly operations: readonly UpdateOperation[] }
  | { readonly kind: "replace"; readonly document: Readonly<Record<string, Value>> };
