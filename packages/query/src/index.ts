export { type ApplyUpdateOptions, applyUpdate } from "./apply-update.js";
export type * from "./ast.js";
export { bsonTypeOf, TypeBracket, typeBracket } from "./bson-type.js";
export { compareStrings, compareValues, valuesEqual } from "./compare.js";
export {
  type CompileOptions,
  compileFilter,
  compilePredicate,
  type DocumentPredicate,
  matches,
} from "./compile-filter.js";
export * from "./errors.js";
export { defaultFilterLimits, type FilterLimits } from "./filter-limits.js";
export { parseFilter } from "./parse-filter.js";
export { type ProjectionInput, parseProjection } from "./parse-projection.js";
export { parseSort, type SortDirectionInput, type SortInput } from "./parse-sort.js";
export { parseUpdate } from "./parse-update.js";
export { getPathValues } from "./path-values.js";
export { applyProjection, compileProjection } from "./projection.js";
export { type CompiledRegex, compileRegex } from "./regex.js";
export { compareBySort, sortDocuments } from "./sort.js";
export type * from "./values.js";
