/**
 * Plans a run of the external MongoDB filter corpus (adapted by `@agentvault/query/testing`)
 * against a store: cases that share the same documents are grouped, so each document set is
 * written once and every filter of the group runs against it; documents get keys (their `_id`
 * when it is a usable key); `sample` mode keeps an evenly spread subset of the cases.
 */

import { encodeValue, validateKey } from "@agentvault/core";
import type { Value } from "@agentvault/query";
import {
  type CorpusCase,
  type CorpusTier,
  corpusExclusions,
  loadCorpus,
} from "@agentvault/query/testing";

/** One document to store: its key and its fields (without `_id`). */
export interface CorpusDocument {
  readonly key: string;
  readonly document: { readonly [field: string]: Value };
}

/** One case to run, with the keys its filter must return. */
export interface PlannedCorpusCase {
  readonly testCase: CorpusCase;
  /** `match`: compare keys; `reject`: the filter must fail with `FilterValidationError`. */
  readonly expectation: "match" | "reject";
  /** Keys that must match, as a sorted list. */
  readonly expectedKeys: readonly string[];
  /**
   * Set for library cases that contradict MongoDB: the expectation above is already inverted
   * to MongoDB's behaviour, and this says why.
   */
  readonly exclusion?: string | undefined;
}

/** Cases sharing one document set. */
export interface CorpusGroup {
  readonly documents: readonly CorpusDocument[];
  readonly cases: PlannedCorpusCase[];
}

/** A case the plan does not run, and why. */
export interface SkippedCorpusCase {
  readonly testCase: CorpusCase;
  readonly reason: string;
}

/** What `runCorpus` executes. */
export interface CorpusPlan {
  readonly groups: readonly CorpusGroup[];
  readonly skipped: readonly SkippedCorpusCase[];
}

/** Options of `planCorpus`. */
export interface CorpusPlanOptions {
  /** The adapted cases. @default loadCorpus() */
  readonly cases?: readonly CorpusCase[] | undefined;
  /** Only these tiers. @default every tier */
  readonly tiers?: readonly CorpusTier[] | undefined;
  /** `sample` keeps about `sampleSize` evenly spread cases (rejections always run). @default "full" */
  readonly mode?: "full" | "sample" | undefined;
  /** @default 120 */
  readonly sampleSize?: number | undefined;
}

let cachedCases: readonly CorpusCase[] | undefined;

/** The adapted corpus, loaded once per process. */
export function corpusCases(): readonly CorpusCase[] {
  cachedCases ??= loadCorpus();
  return cachedCases;
}

function isUsableKey(id: unknown): id is string {
  try {
    validateKey(id);
    return true;
  } catch {
    return false;
  }
}

function mentionsId(filter: unknown): boolean {
  if (Array.isArray(filter)) return filter.some(mentionsId);
  if (filter === null || typeof filter !== "object") return false;
  for (const [field, value] of Object.entries(filter)) {
    if (field === "_id" || field.startsWith("_id.") || mentionsId(value)) return true;
  }
  return false;
}

function toDocuments(testCase: CorpusCase): { documents: CorpusDocument[]; ownKeys: boolean } {
  const ids = testCase.documents.map((document) => document._id);
  const ownKeys = ids.every(isUsableKey) && new Set(ids).size === ids.length;
  const documents = testCase.documents.map((document, index) => {
    const { _id, ...fields } = document;
    const key = ownKeys ? (_id as string) : `doc-${index}`;
    return { key, document: fields as { [field: string]: Value } };
  });
  return { documents, ownKeys };
}

function signature(documents: readonly CorpusDocument[]): string {
  return JSON.stringify(
    documents.map((entry) => [entry.key, encodeValue(entry.document as Value)]),
  );
}

function sampled<T>(items: readonly T[], size: number): T[] {
  if (items.length <= size) return [...items];
  const step = items.length / size;
  return Array.from({ length: size }, (_, index) => items[Math.floor(index * step)]!);
}

/** Groups, keys and (optionally) samples the corpus. */
export function planCorpus(options: CorpusPlanOptions = {}): CorpusPlan {
  const tiers = options.tiers === undefined ? undefined : new Set<string>(options.tiers);
  const all = (options.cases ?? corpusCases()).filter(
    (testCase) => tiers === undefined || tiers.has(testCase.tier),
  );
  const skipped: SkippedCorpusCase[] = [];
  const matching: CorpusCase[] = [];
  const rejecting: CorpusCase[] = [];
  for (const testCase of all) {
    if (testCase.expectation === "skip") {
      skipped.push({ testCase, reason: testCase.skipReason ?? "skipped by the adapter" });
    } else if (testCase.expectation === "reject") rejecting.push(testCase);
    else matching.push(testCase);
  }
  const chosen =
    options.mode === "sample" ? sampled(matching, options.sampleSize ?? 120) : matching;

  const groups = new Map<string, CorpusGroup>();
  const empty: CorpusGroup = { documents: [], cases: [] };
  groups.set(signature([]), empty);
  for (const testCase of rejecting) {
    empty.cases.push({ testCase, expectation: "reject", expectedKeys: [] });
  }
  for (const testCase of chosen) {
    const { documents, ownKeys } = toDocuments(testCase);
    if (!ownKeys && mentionsId(testCase.filter)) {
      skipped.push({ testCase, reason: "the filter tests _id values that are not string keys" });
      continue;
    }
    const exclusion = corpusExclusions.get(testCase.name);
    // An excluded library case: MongoDB returns exactly the documents the library said it would not.
    const expectedKeys = documents
      .filter((_, index) => testCase.expectedMatches[index] === (exclusion === undefined))
      .map((entry) => entry.key)
      .sort();
    const key = signature(documents);
    let group = groups.get(key);
    if (group === undefined) {
      group = { documents, cases: [] };
      groups.set(key, group);
    }
    group.cases.push({ testCase, expectation: "match", expectedKeys, exclusion });
  }
  return {
    groups: [...groups.values()].filter((group) => group.cases.length > 0),
    skipped,
  };
}
