/**
 * The closure compiler: a filter AST walked once into nested closures, so matching a document
 * never re-reads the AST. It is the reference the code generator (`generate-predicate.ts`) must
 * agree with, and the compiler used where functions cannot be compiled from strings. See
 * `path-values.ts` for how paths yield values and `value-tests.ts` for how each operator tests
 * one value.
 * @internal
 */

import type { FieldCondition, FieldNode, FilterNode } from "./ast.js";
import { compileSamePath, groupSamePathConditions } from "./compile-same-path.js";
import {
  arrayOnPath,
  compileLeafResolver,
  compilePathPredicate,
  isDocument,
  type ValueTest,
} from "./path-values.js";
import {
  equalityTest,
  membershipTest,
  modTest,
  rangeTest,
  regexTest,
  sizeTest,
  typeTest,
} from "./value-tests.js";
import type { Value } from "./values.js";

/** A compiled filter: whether one document matches. */
export type DocumentPredicate = (document: unknown) => boolean;

const always: DocumentPredicate = () => true;
const never: DocumentPredicate = () => false;
const exists: ValueTest = (value) => value !== undefined;

function every(predicates: readonly DocumentPredicate[]): DocumentPredicate {
  switch (predicates.length) {
    case 0:
      return always;
    case 1:
      return predicates[0]!;
    case 2: {
      const [first, second] = predicates as [DocumentPredicate, DocumentPredicate];
      return (document) => first(document) && second(document);
    }
    default:
      return (document) => {
        for (const predicate of predicates) if (!predicate(document)) return false;
        return true;
      };
  }
}

function some(predicates: readonly DocumentPredicate[]): DocumentPredicate {
  if (predicates.length === 1) return predicates[0]!;
  return (document) => {
    for (const predicate of predicates) if (predicate(document)) return true;
    return false;
  };
}

function negate(predicate: DocumentPredicate): DocumentPredicate {
  return (document) => !predicate(document);
}

/** `$elemMatch`: some element of an array value satisfies the sub-filter. */
function elemMatchTest(filter: FilterNode, scalar: boolean): ValueTest {
  const matchesElement = compileClosurePredicate(filter);
  if (scalar) {
    return (value) => Array.isArray(value) && value.some(matchesElement);
  }
  // The document form only looks at elements that are objects or arrays, as MongoDB does.
  return (value) =>
    Array.isArray(value) &&
    value.some(
      (element) => (isDocument(element) || Array.isArray(element)) && matchesElement(element),
    );
}

/**
 * The positive test of a condition on one value, for conditions that are "any yielded value
 * passes"; `undefined` for the negations and the composite conditions.
 */
export function closureValueTest(condition: FieldCondition): ValueTest | undefined {
  switch (condition.op) {
    case "eq":
      return equalityTest(condition.value);
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      return rangeTest(condition.op, condition.value);
    case "in":
      return membershipTest(condition.values, condition.regexes);
    case "type":
      return typeTest(condition.types);
    case "regex":
      return regexTest(condition.regex);
    case "mod":
      return modTest(condition.divisor, condition.remainder);
    case "size":
      return sizeTest(condition.size);
    case "elemMatch":
      return elemMatchTest(condition.filter, condition.scalar);
    case "exists":
      return exists;
    default:
      return undefined;
  }
}

/** Compiles one condition on a path into a predicate. */
export function compileClosureCondition(
  segments: readonly string[],
  condition: FieldCondition,
): DocumentPredicate {
  const onPath = (test: ValueTest, expandArrays = true): DocumentPredicate =>
    compilePathPredicate(segments, test, expandArrays);
  switch (condition.op) {
    case "ne":
      return negate(onPath(equalityTest(condition.value)));
    case "nin":
      return negate(onPath(membershipTest(condition.values, condition.regexes)));
    case "exists":
      return condition.value ? onPath(exists) : negate(onPath(exists));
    case "not":
      return negate(
        every(condition.conditions.map((inner) => compileClosureCondition(segments, inner))),
      );
    case "all": {
      // An AND of its entries; an empty `$all` matches nothing, as in MongoDB.
      const { values, regexes, elemMatches } = condition;
      if (values.length + regexes.length + elemMatches.length === 0) return never;
      if (
        segments.length > 0 &&
        regexes.length + elemMatches.length === 0 &&
        values.every(isPrimitive)
      ) {
        return compileAllPrimitives(
          segments,
          values,
          every(values.map((value) => onPath(equalityTest(value)))),
        );
      }
      return every([
        ...values.map((value) => onPath(equalityTest(value))),
        ...regexes.map((regex) => onPath(regexTest(regex))),
        // Each entry is applied on this `$all`'s own path, whatever path the entry carries, so
        // rewriting the `$all` path (as the record view does) is enough.
        ...elemMatches.map((entry) =>
          entry.type === "field"
            ? compileClosureCondition(segments, entry.condition)
            : compileClosurePredicate(entry),
        ),
      ]);
    }
    case "size":
    case "elemMatch":
      // These test the array as a whole: a path ending on an array does not yield its elements.
      return onPath(closureValueTest(condition)!, false);
    default:
      return onPath(closureValueTest(condition)!);
  }
}

/** SameValueZero, which `includes` uses: MongoDB's equality on primitives. */
export function sameValueZero(a: unknown, b: unknown): boolean {
  return (
    a === b ||
    (typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b))
  );
}

/** Whether a value is a primitive other than `null`. */
export function isPrimitive(value: Value): boolean {
  return value !== null && typeof value !== "object";
}

/**
 * `$all` of scalars (`{ tags: { $all: ["red", "sale"] } }`): reads the path once; each scalar
 * must equal the value or one of its elements (an array never equals a scalar as a whole).
 * `includes` uses SameValueZero, so `0` finds `-0` and NaN finds NaN, as MongoDB's equality.
 */
function compileAllPrimitives(
  segments: readonly string[],
  values: readonly Value[],
  separately: DocumentPredicate,
): DocumentPredicate {
  const resolve = compileLeafResolver(segments);
  return (document) => {
    const value = resolve(document);
    if (value === arrayOnPath) return separately(document);
    if (Array.isArray(value)) {
      for (const wanted of values) if (!value.includes(wanted)) return false;
      return true;
    }
    for (const wanted of values) if (!sameValueZero(wanted, value)) return false;
    return true;
  };
}

function compileField(node: FieldNode): DocumentPredicate {
  return compileClosureCondition(node.field.segments, node.condition);
}

function compileConjunction(children: readonly FilterNode[]): DocumentPredicate {
  const { groups, rest } = groupSamePathConditions(children);
  return every([
    ...groups.map((group) =>
      compileSamePath(group, every(group.map(compileField)), closureValueTest),
    ),
    ...rest.map(compileClosurePredicate),
  ]);
}

/**
 * Compiles a parsed filter into nested closures. A field node with an empty path tests the value
 * it is given itself (value-form `$elemMatch`).
 */
export function compileClosurePredicate(node: FilterNode): DocumentPredicate {
  switch (node.type) {
    case "field":
      return compileField(node);
    case "and":
      return compileConjunction(node.children);
    case "or":
      return node.children.length === 0 ? never : some(node.children.map(compileClosurePredicate));
    case "nor":
      return node.children.length === 0
        ? always
        : negate(some(node.children.map(compileClosurePredicate)));
  }
}
