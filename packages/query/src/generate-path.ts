/**
 * Dot-path traversal as source: `path-values.ts`'s `matchPath`, specialised for one path and one
 * value test. The walk through objects is straight-line code; each array met on the way calls a
 * function generated for the rest of the path (`a<n>`: its elements, then the element an index
 * segment names), which enters sub-documents through `f<n>`. Same rules and same results as the
 * closures, which stay the reference.
 *
 * Reads are checked lazily. A walk reads `container[key]` without first asking whether the
 * container is a document and the field its own: when the value is missing, or when the test
 * gives the same answer it gives for a missing value (most documents, for most filters), the
 * answer cannot depend on those checks. Only a result that differs from "missing" is confirmed,
 * by checking each container read on the way: a plain object (prototype `Object.prototype` or
 * `null`) needs an own-field check only for names `Object.prototype` has (`constructor`,
 * `__proto__`, `toString`...), decided once here; any other object must be a document with the
 * field as its own; a root array must have been read by index. (A program that adds enumerable
 * data to `Object.prototype` at run time is outside what this guards against.)
 * @internal
 */

import type { GeneratedTest } from "./generate-value-test.js";
import { isFieldRead, isOwnFieldRead, segmentIndex } from "./path-values.js";
import type { SourceBuilder } from "./source-builder.js";

/** Paths longer than this run on the closures: rare, and generated code grows with depth². */
export const maxGeneratedSegments = 8;

/** {@link isFieldRead} for the first segment, whose container may also be an array read by index. */
function isRootFieldRead(container: object, key: string, index: number): boolean {
  return isFieldRead(container, key) || (Array.isArray(container) && index >= 0);
}

/** {@link isOwnFieldRead} for the first segment (see {@link isRootFieldRead}). */
function isRootOwnFieldRead(container: object, key: string, index: number): boolean {
  return isOwnFieldRead(container, key) || (Array.isArray(container) && index >= 0);
}

/** How a walk ends. */
export interface WalkEnds {
  /** The result when the path is missing. */
  readonly missing: boolean;
  /**
   * When the value before segment `level` (held in `x`) is an array: either statements setting
   * `r` to the result for that array (the reads before it are then confirmed), or statements
   * that return the final result themselves.
   */
  readonly onArray: (level: number) => { readonly sets?: string; readonly returns?: string };
  /** Statements setting `r` to the result for the (defined) value `x` at the end of the path. */
  readonly leaf: readonly string[];
}

/** Generates walks of one path. */
class PathWalker {
  private readonly fromDocument = new Map<number, string>();
  private readonly fromArray = new Map<number, string>();
  private readonly builder: SourceBuilder;
  private readonly segments: readonly string[];
  private readonly keys: readonly string[];
  private rootIndex: string | undefined;

  constructor(builder: SourceBuilder, segments: readonly string[]) {
    this.builder = builder;
    this.segments = segments;
    this.keys = segments.map((segment) => builder.fieldName(segment));
  }

  private rootIndexName(): string {
    this.rootIndex ??= this.builder.constant(segmentIndex(this.segments[0]!));
    return this.rootIndex;
  }

  /** Statements confirming the reads of segments `start` to `end` (see the module comment). */
  private confirm(start: number, end: number, missing: boolean): string[] {
    const { builder } = this;
    const lines: string[] = [];
    for (let level = start; level <= end; level++) {
      const inherited = this.segments[level]! in Object.prototype;
      const read =
        level === 0
          ? `${builder.shared(inherited ? isRootOwnFieldRead : isRootFieldRead)}(v0, ${this.keys[0]}, ${this.rootIndexName()})`
          : `${builder.shared(inherited ? isOwnFieldRead : isFieldRead)}(v${level}, ${this.keys[level]})`;
      lines.push(`if (!${read}) return ${missing};`);
    }
    return lines;
  }

  /** Statements returning `r`, once the reads of segments `start` to `end` are confirmed. */
  private settle(start: number, end: number, missing: boolean): string[] {
    return [
      `if (${missing ? "r" : "!r"}) return ${missing};`,
      ...this.confirm(start, end, missing),
      `return ${!missing};`,
    ];
  }

  /** The body of a function walking from segment `start` of the object in `v<start>`. */
  walk(start: number, ends: WalkEnds): string[] {
    const last = this.segments.length - 1;
    const locals = ["x", "r"];
    for (let level = start + 1; level <= last; level++) locals.push(`v${level}`);
    const lines = [`var ${locals.join(", ")};`];
    for (let level = start; level <= last; level++) {
      if (level > start) {
        const onArray = ends.onArray(level);
        const whenArray =
          onArray.returns ??
          `{ ${onArray.sets} ${this.settle(start, level - 1, ends.missing).join(" ")} }`;
        lines.push(
          `if (typeof x !== "object" || x === null) return ${ends.missing};`,
          `if (${this.builder.helper("isArray")}(x)) ${whenArray}`,
          `v${level} = x;`,
        );
      }
      lines.push(
        `x = v${level}[${this.keys[level]}];`,
        `if (x === undefined) return ${ends.missing};`,
      );
    }
    return [...lines, ...ends.leaf, ...this.settle(start, last, ends.missing)];
  }

  /** `f<n>(v)`: the path from segment `level`, read from the object `v`. */
  document(level: number, ends: WalkEnds): string {
    let name = this.fromDocument.get(level);
    if (name === undefined) {
      name = this.builder.reserveFunction("f");
      this.fromDocument.set(level, name);
      this.builder.defineFunction(name, `v${level}`, this.walk(level, ends));
    }
    return name;
  }

  /** `a<n>(a)`: the path from segment `level`, continuing through the array `a`. */
  array(level: number, ends: WalkEnds, test: GeneratedTest): string {
    let name = this.fromArray.get(level);
    if (name === undefined) {
      name = this.builder.reserveFunction("a");
      this.fromArray.set(level, name);
      this.builder.defineFunction(name, "a", this.arrayBody(level, ends, test));
    }
    return name;
  }

  private arrayBody(level: number, ends: WalkEnds, test: GeneratedTest): string[] {
    const { builder, segments } = this;
    const last = segments.length - 1;
    // MongoDB checks whether the rest of the path is empty: a trailing `.` ends it at the array.
    if (level === last && segments[level] === "") {
      return ["var x = a, r;", ...ends.leaf, "return r;"];
    }
    const isDocumentName = builder.helper("isDocument");
    // Only documents are entered. When a missing field fails the test, an object that is not a
    // document fails too (its reads are never confirmed), which spares the document check.
    const enters = ends.missing ? `${isDocumentName}(e)` : `typeof e === "object" && e !== null`;
    const lines = [
      "for (var i = 0; i < a.length; i++) {",
      "  var e = a[i];",
      `  if (${enters} && ${this.document(level, ends)}(e)) return true;`,
      "}",
    ];
    const index = segmentIndex(segments[level]!);
    if (index < 0) return [...lines, "return false;"];
    const position = builder.constant(index);
    lines.push(`if (${position} >= a.length) return false;`, `var y = a[${position}];`);
    // Reached by position, the element is the value itself: never expanded.
    if (level === last) return [...lines, `return ${test.emit("y")};`];
    return [
      ...lines,
      `if (${isDocumentName}(y)) return ${this.document(level + 1, ends)}(y);`,
      `if (${builder.helper("isArray")}(y)) return ${this.array(level + 1, ends, test)}(y);`,
      "return false;",
    ];
  }
}

/**
 * The body of a function of `d` walking the whole path with the given ends; `d` may be anything
 * (a non-object has no fields, an array is read by index).
 */
export function walkFromRoot(
  builder: SourceBuilder,
  segments: readonly string[],
  ends: WalkEnds,
  walker = new PathWalker(builder, segments),
): string[] {
  return [
    `if (typeof d !== "object" || d === null) return ${ends.missing};`,
    "var v0 = d;",
    ...walker.walk(0, ends),
  ];
}

/**
 * Generates `p<n>(d)`: whether any value the path yields from `d` passes the test; with
 * `expandArrays`, a path ending on an array also yields its elements. The path has one to
 * {@link maxGeneratedSegments} segments (the caller checks). Returns the function name.
 */
export function generatePathPredicate(
  builder: SourceBuilder,
  segments: readonly string[],
  test: GeneratedTest,
  expandArrays: boolean,
): string {
  let leaf: string[];
  if (test.holdsWhenDefined) leaf = ["r = true;"];
  else if (!expandArrays) leaf = [`r = ${test.emit("x")};`];
  else {
    leaf = [
      "r = false;",
      `if (${builder.helper("isArray")}(x)) {`,
      `  for (var i = 0; i < x.length; i++) { var e = x[i]; if (${test.emit("e")}) { r = true; break; } }`,
      "}",
      `if (!r) r = ${test.emit("x")};`,
    ];
  }
  const walker = new PathWalker(builder, segments);
  const ends: WalkEnds = {
    missing: test.missing,
    onArray: (level) => ({ sets: `r = ${walker.array(level, ends, test)}(x);` }),
    leaf,
  };
  return builder.addFunction("p", "d", walkFromRoot(builder, segments, ends, walker));
}
