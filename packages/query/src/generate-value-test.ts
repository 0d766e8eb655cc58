/**
 * Single-value tests as source: each condition becomes an expression over one variable, inlined
 * where the operand's type allows (`x === c3`, `typeof x === "number" && x >= c4`) and a call of
 * the closure from `value-tests.ts` otherwise. Every expression must agree with that closure on
 * every value, `undefined` (missing) included: the closure is the reference.
 * @internal
 */

import type { FieldCondition, FilterNode, RangeOperator, RegexValue } from "./ast.js";
import { closureValueTest, compileClosurePredicate } from "./compile-closures.js";
import type { ValueTest } from "./path-values.js";
import { compileRegex } from "./regex.js";
import type { SourceBuilder } from "./source-builder.js";
import type { BsonTypeName, Value } from "./values.js";

/** Writes the test of the value held by the variable `name` as an expression. */
export type TestEmitter = (name: string) => string;

/** A condition's single-value test, as source. */
export interface GeneratedTest {
  readonly emit: TestEmitter;
  /** The test's result on a missing value (the reference closure's), folded into the source. */
  readonly missing: boolean;
  /** Whether every value other than `undefined` passes (`$exists`): a found value decides. */
  readonly holdsWhenDefined: boolean;
}

/** Generates a filter for `$elemMatch` elements; returns the name of a function of one value. */
export type SubFilterGenerator = (filter: FilterNode) => string;

const comparison: Record<RangeOperator, string> = { gt: ">", gte: ">=", lt: "<", lte: "<=" };

const nullOrMissing: TestEmitter = (x) => `(${x} === null || ${x} === undefined)`;
const isNaNValue: TestEmitter = (x) => `(typeof ${x} === "number" && ${x} !== ${x})`;
const alwaysFalse: TestEmitter = () => "false";

function callClosure(builder: SourceBuilder, closure: ValueTest): TestEmitter {
  const name = builder.constant(closure);
  return (x) => `${name}(${x})`;
}

function isNaNNumber(value: unknown): boolean {
  return typeof value === "number" && Number.isNaN(value);
}

function equality(builder: SourceBuilder, operand: Value): TestEmitter | undefined {
  if (operand === null) return nullOrMissing;
  if (isNaNNumber(operand)) return isNaNValue;
  if (typeof operand !== "object") {
    const name = builder.constant(operand);
    return (x) => `${x} === ${name}`;
  }
  if (operand instanceof Date) {
    const date = builder.helper("date");
    const time = builder.constant(operand.getTime());
    return (x) => `(${x} instanceof ${date} && ${x}.getTime() === ${time})`;
  }
  return undefined;
}

function range(
  builder: SourceBuilder,
  operator: RangeOperator,
  operand: Value,
): TestEmitter | undefined {
  const inclusive = operator === "gte" || operator === "lte";
  if (operand === null) return inclusive ? nullOrMissing : alwaysFalse;
  if (isNaNNumber(operand)) return inclusive ? isNaNValue : alwaysFalse;
  const symbol = comparison[operator];
  if (typeof operand === "number") {
    const name = builder.constant(operand);
    return (x) => `(typeof ${x} === "number" && ${x} ${symbol} ${name})`;
  }
  if (operand instanceof Date) {
    // The closure compares `getTime() - time` with 0: the same, as times are exact integers.
    const date = builder.helper("date");
    const time = builder.constant(operand.getTime());
    return (x) => `(${x} instanceof ${date} && ${x}.getTime() ${symbol} ${time})`;
  }
  return undefined;
}

function regex(builder: SourceBuilder, value: RegexValue): TestEmitter {
  const compiled = builder.constant(compileRegex(value));
  return (x) => `(typeof ${x} === "string" && ${compiled}.test(${x}))`;
}

/** Lists longer than this are faster in the closure's hash set than as a chain of `===`. */
const inlineListLimit = 8;

function membership(
  builder: SourceBuilder,
  values: readonly Value[],
  regexes: readonly RegexValue[],
): TestEmitter | undefined {
  if (values.length + regexes.length > inlineListLimit) return undefined;
  const parts: TestEmitter[] = [];
  for (const value of values) {
    // Dates and structured values keep the closure, which hashes dates and compares deeply.
    if (value !== null && typeof value === "object") return undefined;
    parts.push(equality(builder, value)!);
  }
  for (const pattern of regexes) parts.push(regex(builder, pattern));
  if (parts.length === 0) return alwaysFalse;
  return (x) => `(${parts.map((part) => part(x)).join(" || ")})`;
}

/** `$type` names decided by `typeof` or one comparison, as `bsonTypeOf` decides them. */
const typeChecks: Partial<Record<BsonTypeName, TestEmitter>> = {
  string: (x) => `typeof ${x} === "string"`,
  bool: (x) => `typeof ${x} === "boolean"`,
  number: (x) => `typeof ${x} === "number"`,
  null: (x) => `${x} === null`,
};

function type(types: readonly BsonTypeName[]): TestEmitter | undefined {
  const checks = types.map((name) => typeChecks[name]);
  if (checks.length === 0 || checks.some((check) => check === undefined)) return undefined;
  return (x) => `(${checks.map((check) => check!(x)).join(" || ")})`;
}

function elemMatch(
  builder: SourceBuilder,
  filter: FilterNode,
  scalar: boolean,
  subFilter: SubFilterGenerator,
): TestEmitter {
  const isArray = builder.helper("isArray");
  const matchesElement = subFilter(filter);
  // `some` skips holes, as the closure does. The document form only tests elements that are
  // documents or arrays; but any other value reads as an empty document (every path is missing
  // in it), so when the filter rejects `{}` the check can be left to the filter itself.
  const test =
    scalar || !compileClosurePredicate(filter)({})
      ? matchesElement
      : builder.addFunction("e", "e", [
          `return (${builder.helper("isDocument")}(e) || ${isArray}(e)) && ${matchesElement}(e);`,
        ]);
  return (x) => `(${isArray}(${x}) && ${x}.some(${test}))`;
}

function inlineTest(builder: SourceBuilder, condition: FieldCondition): TestEmitter | undefined {
  switch (condition.op) {
    case "eq":
      return equality(builder, condition.value);
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      return range(builder, condition.op, condition.value);
    case "in":
      return membership(builder, condition.values, condition.regexes);
    case "type":
      return type(condition.types);
    case "regex":
      return regex(builder, condition.regex);
    case "size": {
      const isArray = builder.helper("isArray");
      const size = builder.constant(condition.size);
      return (x) => `(${isArray}(${x}) && ${x}.length === ${size})`;
    }
    case "exists":
      return (x) => `${x} !== undefined`;
    default:
      return undefined;
  }
}

/**
 * The single-value test of a positive condition (`eq`, ranges, `in`, `type`, `regex`, `mod`,
 * `size`, `elemMatch`, `exists`); throws for the others, which the caller composes.
 */
export function generateValueTest(
  builder: SourceBuilder,
  condition: FieldCondition,
  subFilter: SubFilterGenerator,
): GeneratedTest {
  // `$elemMatch` needs an array: no closure (which would compile the sub-filter) is needed.
  if (condition.op === "elemMatch") {
    const emit = elemMatch(builder, condition.filter, condition.scalar, subFilter);
    return { emit: (name) => `(${emit(name)})`, missing: false, holdsWhenDefined: false };
  }
  const closure = closureValueTest(condition);
  if (closure === undefined) throw new TypeError(`No single-value test for ${condition.op}`);
  const emit = inlineTest(builder, condition) ?? callClosure(builder, closure);
  return {
    // Parenthesised, so callers may negate or combine it freely.
    emit: (name) => `(${emit(name)})`,
    missing: closure(undefined),
    holdsWhenDefined: condition.op === "exists",
  };
}
