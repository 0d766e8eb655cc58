/**
 * `@agentvault/conformance`: the suite every AgentVault provider must pass, and the corpus and
 * random-data helpers it is built from, for packages that want to reuse them.
 */

export type { AreaContext } from "./area-context.js";
export * from "./conformance-options.js";
export {
  type CorpusDocument,
  type CorpusGroup,
  type CorpusPlan,
  type CorpusPlanOptions,
  corpusCases,
  type PlannedCorpusCase,
  planCorpus,
  type SkippedCorpusCase,
} from "./corpus/corpus-plan.js";
export {
  type CorpusFailure,
  type CorpusQuery,
  type CorpusReport,
  type CorpusTarget,
  type CorpusTierCounts,
  type LoadedCorpusGroup,
  type RunCorpusOptions,
  runCorpus,
} from "./corpus/run-corpus.js";
export { vaultCorpusTarget } from "./corpus/vault-corpus-target.js";
export { createManualClock, type ManualClock } from "./manual-clock.js";
export { generateDocuments, randomDocument } from "./random/random-documents.js";
export {
  type RandomSortedQuery,
  type RawFilter,
  randomFilter,
  randomSort,
  randomSortedQuery,
} from "./random/random-filters.js";
export { runConformance } from "./run-conformance.js";
export * from "./services.js";
