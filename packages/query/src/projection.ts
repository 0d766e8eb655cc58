/**
 * Applies a parsed projection to a document, with MongoDB's `find` projection semantics.
 */

import type { ProjectionSpec } from "./ast.js";
import { cloneValue, isPlainObject, setOwn } from "./paths.js";

const leaf = Symbol("projected field");

/** The projected paths as a tree: each segment leads to a subtree, or ends at a leaf. */
type PathTree = Map<string, PathTree | typeof leaf>;

function buildTree(spec: ProjectionSpec): PathTree {
  const root: PathTree = new Map();
  for (const field of spec.fields) {
    let node = root;
    field.segments.forEach((segment, index) => {
      if (index === field.segments.length - 1) {
        node.set(segment, leaf);
        return;
      }
      let next = node.get(segment);
      if (next === undefined || next === leaf) {
        next = new Map();
        node.set(segment, next);
      }
      node = next;
    });
  }
  const idWanted = spec.mode === "include" ? spec.includeId : !spec.includeId;
  // An explicit sub-path of `_id` (`"_id.region"`) is more precise than the default.
  if (idWanted && !(root.get("_id") instanceof Map)) root.set("_id", leaf);
  return root;
}

function includeObject(source: Record<string, unknown>, tree: PathTree) {
  const result: Record<string, unknown> = {};
  // Output follows the document's field order, as MongoDB's inclusion projection does.
  for (const key of Object.keys(source)) {
    const node = tree.get(key);
    if (node === undefined) continue;
    const value = source[key];
    if (node === leaf) {
      setOwn(result, key, cloneValue(value));
      continue;
    }
    const projected = includeValue(value, node);
    if (projected !== undefined) setOwn(result, key, projected);
  }
  return result;
}

/** A sub-path through a scalar yields nothing; through an array, each sub-document is projected and scalars are dropped. */
function includeValue(value: unknown, tree: PathTree): unknown {
  if (isPlainObject(value)) return includeObject(value, tree);
  if (!Array.isArray(value)) return undefined;
  const result: unknown[] = [];
  for (const element of value) {
    if (isPlainObject(element) || Array.isArray(element)) result.push(includeValue(element, tree));
  }
  return result;
}

function excludeObject(source: Record<string, unknown>, tree: PathTree) {
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    const node = tree.get(key);
    if (node === leaf) continue;
    const value = source[key];
    setOwn(result, key, node === undefined ? cloneValue(value) : excludeValue(value, node));
  }
  return result;
}

function excludeValue(value: unknown, tree: PathTree): unknown {
  if (isPlainObject(value)) return excludeObject(value, tree);
  if (Array.isArray(value)) return value.map((element) => excludeValue(element, tree));
  return cloneValue(value);
}

/**
 * Returns a new document holding only what `spec` keeps; the input is never modified and the
 * result shares nothing with it.
 *
 * Dot paths descend into sub-documents and through arrays of sub-documents: including `a.b`
 * keeps `b` in every element of an array `a` and drops elements that are not documents;
 * excluding `a.b` removes `b` from every such element. A numeric segment names a field, never
 * an array position (MongoDB's `find` projection does the same). Including a path whose parent
 * is a scalar omits the parent. Fields keep the document's order. Only own fields are read, so
 * inherited names such as `constructor` never appear.
 *
 * @example
 * applyProjection({ _id: "p1", name: "pen", price: { amount: 2, currency: "EUR" } },
 *   parseProjection({ name: 1, "price.amount": 1 }));
 * // { _id: "p1", name: "pen", price: { amount: 2 } }
 */
export function applyProjection<T extends object>(
  document: T,
  spec: ProjectionSpec,
): Record<string, unknown> {
  return compileProjection(spec)(document);
}

/**
 * Builds a reusable projector: parses nothing, builds the path tree once, then projects each
 * document (same semantics as {@link applyProjection}).
 */
export function compileProjection(
  spec: ProjectionSpec,
): (document: object) => Record<string, unknown> {
  const tree = buildTree(spec);
  return (document) => {
    if (!isPlainObject(document)) return cloneValue(document) as Record<string, unknown>;
    return spec.mode === "include" ? includeObject(document, tree) : excludeObject(document, tree);
  };
}
