/**
 * The code generator: a filter AST compiled into the source of one specialised predicate, so each
 * filter gets its own machine code and its own inline caches instead of sharing closures (and
 * their megamorphic call sites) with every other filter. It mirrors `compile-closures.ts` node
 * for node, with the same evaluation order, and falls back to those closures for what it does
 * not inline; the tests check both compilers agree.
 * @internal
 */

import type { FieldCondition, FieldNode, FilterNode } from "./ast.js";
import { codeGenerationAvailable, instantiate } from "./code-generation.js";
import {
  compileClosureCondition,
  type DocumentPredicate,
  isPrimitive,
  sameValueZero,
} from "./compile-closures.js";
import { groupSamePathConditions, positiveForm } from "./compile-same-path.js";
import { generatePathPredicate, maxGeneratedSegments, walkFromRoot } from "./generate-path.js";
import { generateValueTest } from "./generate-value-test.js";
import { SourceBuilder } from "./source-builder.js";
import type { Value } from "./values.js";

/** Joins expressions with `&&` (`true` when there are none), as the closures' `every`. */
function every(expressions: readonly string[]): string {
  if (expressions.length === 0) return "true";
  return expressions.length === 1 ? expressions[0]! : `(${expressions.join(" && ")})`;
}

/** Joins expressions with `||`, as the closures' `some`. */
function some(expressions: readonly string[]): string {
  if (expressions.length === 0) return "false";
  return expressions.length === 1 ? expressions[0]! : `(${expressions.join(" || ")})`;
}

/** Negates an expression. */
function not(expression: string): string {
  return `!(${expression})`;
}

/** Generates the expressions (over the document `d`) of one filter's nodes. */
class PredicateGenerator {
  private readonly builder: SourceBuilder;

  constructor(builder: SourceBuilder) {
    this.builder = builder;
  }

  node(node: FilterNode): string {
    switch (node.type) {
      case "field":
        return this.condition(node.field.segments, node.condition);
      case "and":
        return this.conjunction(node.children);
      case "or":
        return some(node.children.map((child) => this.node(child)));
      case "nor":
        return node.children.length === 0
          ? "true"
          : not(some(node.children.map((child) => this.node(child))));
    }
  }

  /** A function `g<n>(d)` testing a sub-filter, for `$elemMatch` and fallbacks. */
  private subFilter(expression: string): string {
    return this.builder.addFunction("g", "d", [`return ${expression};`]);
  }

  /** A positive condition on the values the path yields. */
  private onPath(segments: readonly string[], condition: FieldCondition, expand = true): string {
    const test = generateValueTest(this.builder, condition, (filter) =>
      this.subFilter(this.node(filter)),
    );
    if (segments.length === 0) return test.emit("d");
    return `${generatePathPredicate(this.builder, segments, test, expand)}(d)`;
  }

  private condition(segments: readonly string[], condition: FieldCondition): string {
    if (segments.length > maxGeneratedSegments) {
      return `${this.builder.constant(compileClosureCondition(segments, condition))}(d)`;
    }
    switch (condition.op) {
      case "ne":
      case "nin": {
        const form = positiveForm(condition)!;
        return not(this.onPath(segments, form.condition));
      }
      case "exists": {
        const found = this.onPath(segments, condition);
        return condition.value ? found : not(found);
      }
      case "not":
        return not(every(condition.conditions.map((inner) => this.condition(segments, inner))));
      case "all":
        return this.all(segments, condition);
      case "size":
      case "elemMatch":
        return this.onPath(segments, condition, false);
      default:
        return this.onPath(segments, condition);
    }
  }

  private all(segments: readonly string[], condition: FieldCondition & { op: "all" }): string {
    const { values, regexes, elemMatches } = condition;
    if (values.length + regexes.length + elemMatches.length === 0) return "false";
    const separately = () =>
      every([
        ...values.map((value) => this.onPath(segments, { op: "eq", value })),
        ...regexes.map((regex) => this.onPath(segments, { op: "regex", regex })),
        ...elemMatches.map((entry) =>
          entry.type === "field" ? this.condition(segments, entry.condition) : this.node(entry),
        ),
      ]);
    if (segments.length === 0 || regexes.length + elemMatches.length > 0) return separately();
    if (!values.every(isPrimitive)) return separately();
    // Built only if an array can sit before the end of the path.
    let name: string | undefined;
    return this.allPrimitives(segments, values, () => {
      name ??= this.subFilter(separately());
      return name;
    });
  }

  /** `$all` of scalars: one read of the path, as `compileAllPrimitives` in the closures. */
  private allPrimitives(
    segments: readonly string[],
    values: readonly Value[],
    separately: () => string,
  ) {
    const { builder } = this;
    const names = values.map((value) => builder.constant(value));

    const leaf = [
      `if (${builder.helper("isArray")}(x)) {`,
      ...names.map((name) => `  if (!x.includes(${name})) return false;`),
      "  return true;",
      "}",
      ...names.map((name, index) =>
        Number.isNaN(values[index])
          ? `if (!(typeof x === "number" && x !== x)) return false;`
          : `if (x !== ${name}) return false;`,
      ),
      "return true;",
    ];
    const body = walkFromRoot(builder, segments, {
      missing: values.every((value) => sameValueZero(value, undefined)),
      onArray: () => ({ returns: `return ${separately()}(d);` }),
      leaf: [`r = ${builder.addFunction("e", "x", leaf)}(x);`],
    });
    return `${builder.addFunction("p", "d", body)}(d)`;
  }

  /** An AND: same-path conditions read their path once, as `compile-same-path.ts`. */
  private conjunction(children: readonly FilterNode[]): string {
    const { groups, rest } = groupSamePathConditions(children);
    return every([
      ...groups.map((group) =>
        group[0]!.field.segments.length <= maxGeneratedSegments
          ? this.samePath(group)
          : every(group.map((node) => this.node(node))),
      ),
      ...rest.map((child) => this.node(child)),
    ]);
  }

  private samePath(group: readonly FieldNode[]): string {
    const { builder } = this;
    // Built only if an array can sit before the end of the path, that is for paths of two or more.
    let separately: string | undefined;
    const onArrayOnPath = () => {
      separately ??= this.subFilter(every(group.map((node) => this.node(node))));
      return { returns: `return ${separately}(d);` };
    };
    const checks = group.map((node) => {
      const form = positiveForm(node.condition)!;
      const test = generateValueTest(builder, form.condition, () => {
        throw new TypeError("Same-path conditions have no $elemMatch");
      });
      return { ...test, negated: form.negated };
    });
    const onArray = [`if (${builder.helper("isArray")}(x)) {`, "  var h;"];
    for (const check of checks) {
      onArray.push(
        "  h = false;",
        `  for (var i = 0; i < x.length; i++) { var e = x[i]; if (${check.emit("e")}) { h = true; break; } }`,
        `  if (!h) h = ${check.emit("x")};`,
        `  if (${check.negated ? "h" : "!h"}) return false;`,
      );
    }
    const leaf = [...onArray, "  return true;", "}"];
    for (const check of checks) {
      const test = check.emit("x");
      leaf.push(`if (${check.negated ? test : not(test)}) return false;`);
    }
    leaf.push("return true;");
    const body = walkFromRoot(builder, group[0]!.field.segments, {
      missing: checks.every((check) => check.missing !== check.negated),
      onArray: onArrayOnPath,
      leaf: [`r = ${builder.addFunction("e", "x", leaf)}(x);`],
    });
    return `${builder.addFunction("p", "d", body)}(d)`;
  }
}

/**
 * Compiles a parsed filter into a generated predicate, or returns `undefined` when functions
 * cannot be compiled from strings here.
 */
export function generatePredicate(node: FilterNode): DocumentPredicate | undefined {
  if (!codeGenerationAvailable()) return undefined;
  const builder = new SourceBuilder();
  const expression = new PredicateGenerator(builder).node(node);
  const { source, constants } = builder.build(expression);
  return instantiate(source, constants);
}

/** The generated source of a filter, for tests and curious readers. @internal */
export function generatedSource(node: FilterNode): string {
  const builder = new SourceBuilder();
  return builder.build(new PredicateGenerator(builder).node(node)).source;
}
