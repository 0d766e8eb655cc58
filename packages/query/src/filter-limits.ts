/**
 * Size limits that keep a hostile filter from exhausting memory, stack or CPU. Every filter
 * that reaches `parseFilter` is checked against them before anything is compiled.
 */

/** Limits applied by `parseFilter`. Every field is optional; missing ones take the defaults. */
export interface FilterLimits {
  /**
   * Maximum nesting of objects and arrays in the filter, counting the filter object itself as
   * level 1 (so `{ a: { $in: [1] } }` is 3 levels deep). Literal values count too.
   * @default 20
   */
  readonly maxDepth?: number;
  /**
   * Maximum number of AST nodes (field conditions and logical nodes) the filter may produce.
   * @default 1000
   */
  readonly maxNodes?: number;
  /**
   * Maximum length of one regular expression pattern, in UTF-16 code units.
   * @default 512
   */
  readonly maxRegexLength?: number;
  /**
   * Maximum number of entries in one `$in`, `$nin`, `$all` or `$type` list.
   * @default 10000
   */
  readonly maxInValues?: number;
}

/** The limits applied when `parseFilter` is given none. */
export const defaultFilterLimits: Readonly<Required<FilterLimits>> = Object.freeze({
  maxDepth: 20,
  maxNodes: 1000,
  maxRegexLength: 512,
  maxInValues: 10000,
});

/**
 * The longest dotted path accepted, in segments. Fixed rather than configurable: documents
 * cannot nest deeper than MongoDB's own 100-level limit, so longer paths can never match.
 */
export const maxPathSegments = 100;

/** Fills in defaults and checks that every limit is a positive integer. @internal */
export function resolveFilterLimits(limits: FilterLimits | undefined): Required<FilterLimits> {
  const resolved = { ...defaultFilterLimits, ...pickDefined(limits) };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`FilterLimits.${name} must be a positive integer`);
    }
  }
  return resolved;
}

function pickDefined(limits: FilterLimits | undefined): FilterLimits {
  if (limits === undefined) return {};
  const picked: Record<string, number> = {};
  for (const name of Object.keys(defaultFilterLimits)) {
    const value = (limits as Record<string, number | undefined>)[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}
