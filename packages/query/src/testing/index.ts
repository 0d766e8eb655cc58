/**
 * `@agentvault/query/testing`: the shared MongoDB filter corpus, adapted to AgentVault's value
 * model, for any filter implementation's test suite. Node only (reads the corpus file).
 */

export {
  adaptCorpusCase,
  type CorpusCase,
  type CorpusExpectation,
  type CorpusTier,
  defaultCorpusPath,
  loadCorpus,
  supportedFilterOperators,
} from "./corpus.js";
export { corpusExclusions } from "./corpus-exclusions.js";
export { type CorpusOutcome, CorpusTally } from "./corpus-report.js";
export { type DecodedValue, type DecodeTarget, decodeExtendedJson } from "./extended-json.js";
