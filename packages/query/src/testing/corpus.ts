/**
 * Adapts the shared MongoDB filter corpus (`shared/corpus/mongodb-filter-cases.json`) to
 * AgentVault's value model, so every filter implementation (the in-memory evaluator, SQLite,
 * PostgreSQL, ...) runs the same external oracle the same way.
 *
 * Per case: documents holding values the model cannot store are dropped with their ids;
 * a case whose filter needs such a value, or an operator AgentVault does not offer, is skipped
 * with a reason; error cases, script cases and filters MongoDB rejects must be rejected.
 */

import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { decodeExtendedJson } from "./extended-json.js";

/** The corpus tiers; `mongodb` is the authority. */
export type CorpusTier = "mongodb" | "library:sift" | "library:nedb" | "library:mongo-java-server";

/** What a filter implementation must do with a case. */
export type CorpusExpectation = "match" | "reject" | "skip";

/** One corpus case, adapted. */
export interface CorpusCase {
  readonly name: string;
  readonly source: string;
  readonly tier: CorpusTier;
  readonly kind: "ids" | "single" | "error";
  /** Operators and pseudo-tags (`<dot-path>`, `<eq-null>`, ...) the case exercises. */
  readonly operators: readonly string[];
  /** `match`: evaluate; `reject`: the filter must be refused; `skip`: see `skipReason`. */
  readonly expectation: CorpusExpectation;
  /** Why the case is skipped (`expectation: "skip"`). */
  readonly skipReason?: string;
  /** Why the filter must be rejected (`expectation: "reject"`). */
  readonly rejectReason?: string;
  /** The decoded filter (regexes as `{ $regularExpression }` literals). */
  readonly filter: unknown;
  /** The representable documents. */
  readonly documents: readonly Record<string, unknown>[];
  /** Whether each of `documents` must match, aligned by position. */
  readonly expectedMatches: readonly boolean[];
  /** The `_id`s of the documents that must match (ids cases). */
  readonly expectedIds: readonly unknown[];
  /** Why documents were dropped, one entry per dropped document. */
  readonly droppedDocuments: readonly string[];
}

/** The operators AgentVault's filter language offers. */
export const supportedFilterOperators: ReadonlySet<string> = new Set(
  "$eq $ne $gt $gte $lt $lte $in $nin $and $or $nor $not $exists $type $regex $options $all $size $elemMatch $mod".split(
    " ",
  ),
);

const numericTypeArguments = new Set<unknown>(["double", "int", "long", 1, 16, 18]);

/** Whether the filter asks `$type` about a specific number type (int, long or double). */
function asksNumericType(filter: unknown): boolean {
  if (Array.isArray(filter)) return filter.some(asksNumericType);
  if (typeof filter !== "object" || filter === null) return false;
  for (const [key, value] of Object.entries(filter)) {
    if (key === "$type") {
      const types = Array.isArray(value) ? value : [value];
      if (types.some((type) => numericTypeArguments.has(type))) return true;
    } else if (asksNumericType(value)) {
      return true;
    }
  }
  return false;
}

interface RawCase {
  name: string;
  source: string;
  tier: CorpusTier;
  kind: "ids" | "single" | "error";
  operators: string[];
  filter: unknown;
  docs?: unknown[];
  doc?: unknown;
  expected_ids?: unknown[];
  matches?: boolean;
  expected_error?: { message?: string; name?: string };
  out_of_scope?: boolean;
  mongodb_rejects_filter?: string;
}

function rejectReasonOf(raw: RawCase): string | undefined {
  if (raw.kind === "error") return `MongoDB rejects it: ${raw.expected_error?.message ?? "error"}`;
  if (raw.out_of_scope) return "script operator ($where/$expr): AgentVault never runs code";
  if (raw.mongodb_rejects_filter) return `MongoDB rejects it: ${raw.mongodb_rejects_filter}`;
  return undefined;
}

/** Adapts one raw corpus case (as parsed from the JSON file). */
export function adaptCorpusCase(raw: RawCase): CorpusCase {
  const base = { name: raw.name, source: raw.source, tier: raw.tier, kind: raw.kind };
  const operators = Object.freeze([...raw.operators]);
  const empty = { documents: [], expectedMatches: [], expectedIds: [], droppedDocuments: [] };
  const skip = (skipReason: string): CorpusCase => ({
    ...base,
    ...empty,
    operators,
    expectation: "skip",
    skipReason,
    filter: raw.filter,
  });
  const filter = decodeExtendedJson(raw.filter, "filter");
  if (filter.unrepresentable.length > 0) {
    return skip(`filter needs ${filter.unrepresentable.join(", ")}`);
  }
  const rejectReason = rejectReasonOf(raw);
  if (rejectReason !== undefined) {
    return {
      ...base,
      ...empty,
      operators,
      expectation: "reject",
      rejectReason,
      filter: filter.value,
    };
  }
  const unsupported = operators.filter(
    (op) => op.startsWith("$") && !supportedFilterOperators.has(op),
  );
  if (unsupported.length > 0) return skip(`operator not offered: ${unsupported.join(", ")}`);

  const dropAmbiguousNumbers = asksNumericType(filter.value);
  const rawDocuments = raw.kind === "single" ? [raw.doc] : (raw.docs ?? []);
  const expectedKeys = new Set((raw.expected_ids ?? []).map((id) => JSON.stringify(id)));
  const documents: Record<string, unknown>[] = [];
  const expectedMatches: boolean[] = [];
  const expectedIds: unknown[] = [];
  const droppedDocuments: string[] = [];
  for (const rawDocument of rawDocuments) {
    const decoded = decodeExtendedJson(rawDocument, "document");
    if (decoded.unrepresentable.length > 0) {
      droppedDocuments.push(decoded.unrepresentable.join(", "));
      continue;
    }
    if (dropAmbiguousNumbers && decoded.ambiguousNumberType) {
      droppedDocuments.push("number whose BSON type our number rule cannot tell ($type)");
      continue;
    }
    const document = decoded.value as Record<string, unknown>;
    const expected =
      raw.kind === "single"
        ? raw.matches === true
        : expectedKeys.has(JSON.stringify((rawDocument as Record<string, unknown>)._id));
    documents.push(document);
    expectedMatches.push(expected);
    if (expected) expectedIds.push(document._id);
  }
  if (raw.kind === "single" && documents.length === 0) {
    return skip(`document needs ${droppedDocuments.join(", ")}`);
  }
  return {
    ...base,
    operators,
    expectation: "match",
    filter: filter.value,
    documents,
    expectedMatches,
    expectedIds,
    droppedDocuments,
  };
}

/** Where the corpus lives: `$AGENTVAULT_FILTER_CORPUS`, else `../shared/corpus` beside the repo. */
export function defaultCorpusPath(): string {
  const fromEnvironment = process.env.AGENTVAULT_FILTER_CORPUS;
  if (fromEnvironment) return fromEnvironment;
  // This file is packages/query/{src,dist}/testing/: five levels below the repo's parent.
  const url = new URL("../../../../../shared/corpus/mongodb-filter-cases.json", import.meta.url);
  return fileURLToPath(url);
}

/**
 * Reads and adapts the whole corpus.
 * @throws Error naming the expected location when the corpus file is absent
 */
export function loadCorpus(options: { readonly path?: string } = {}): CorpusCase[] {
  const path = options.path ?? defaultCorpusPath();
  if (!existsSync(path)) {
    throw new Error(
      `MongoDB filter corpus not found at ${path}: check out shared/corpus beside the repository or set AGENTVAULT_FILTER_CORPUS`,
    );
  }
  const raw = JSON.parse(readFileSync(path, "utf8")) as RawCase[];
  return raw.map(adaptCorpusCase);
}
