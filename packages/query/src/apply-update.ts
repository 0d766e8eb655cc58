/**
 * Applies a parsed update to a document, copy-on-write: the input document is never modified,
 * and the result shares only untouched sub-trees' copies, never the input's containers that
 * were written to.
 */

import type { FieldPath, FilterNode, UpdateOperation, UpdateSpec } from "./ast.js";
import { bsonTypeOf } from "./bson-type.js";
import { compareValues, valuesEqual } from "./compare.js";
import { compilePredicate } from "./compile-filter.js";
import { FilterValidationError } from "./errors.js";
import { parseUpdate } from "./parse-update.js";
import { cloneValue, getOwn, isArrayIndex, isPlainObject, querySource, setOwn } from "./paths.js";
import type { Document } from "./values.js";

/** Options of {@link applyUpdate}. */
export interface ApplyUpdateOptions {
  /**
   * The time `$currentDate` writes.
   * @default new Date()
   */
  readonly now?: Date;
}

type Container = Record<string, unknown> | unknown[];

const operatorNames: Record<UpdateOperation["op"], string> = {
  set: "$set",
  unset: "$unset",
  inc: "$inc",
  mul: "$mul",
  min: "$min",
  max: "$max",
  push: "$push",
  addToSet: "$addToSet",
  pull: "$pull",
  // `$pull` of a plain value parses to pullAll; users far more often wrote `$pull`.
  pullAll: "$pull",
  rename: "$rename",
  currentDate: "$currentDate",
};

function fail(message: string, operation: UpdateOperation, field = operation.field) {
  return new FilterValidationError(message, `${operatorNames[operation.op]}.${field.path}`, {
    source: querySource,
  });
}

/** Tracks which containers belong to the result, so each input container is copied once. */
class Draft {
  private readonly owned = new WeakSet<object>();
  readonly root: Record<string, unknown>;

  constructor(document: object) {
    this.root = this.own(document as Record<string, unknown>);
  }

  own<T extends Container>(container: T): T {
    if (this.owned.has(container)) return container;
    const copy = (Array.isArray(container) ? [...container] : { ...container }) as T;
    this.owned.add(copy);
    return copy;
  }

  created<T extends Container>(container: T): T {
    this.owned.add(container);
    return container;
  }
}

function read(container: Container, segment: string): unknown {
  if (!Array.isArray(container)) return getOwn(container, segment);
  return isArrayIndex(segment) ? container[Number(segment)] : undefined;
}

/**
 * How far past an array's end one write may reach. MongoDB pads with nulls up to its 16 MB
 * document limit; an unbounded index (`a.4000000000`) would let one request exhaust memory.
 */
export const maxArrayPadding = 10_000;

/** Writes a field or array element; writing past an array's end pads with nulls, as MongoDB. */
function write(container: Container, segment: string, value: unknown): void {
  if (!Array.isArray(container)) {
    setOwn(container, segment, value);
    return;
  }
  const index = Number(segment);
  if (index - container.length > maxArrayPadding) {
    throw new FilterValidationError(
      `Array index ${index} is more than ${maxArrayPadding} elements past the end of the array`,
      segment,
    );
  }
  while (container.length < index) container.push(null);
  container[index] = value;
}

function describe(value: unknown): string {
  return Array.isArray(value) ? "an array" : `a value of type ${bsonTypeOf(value)}`;
}

/**
 * Finds the container holding the last segment of `field`, copying containers on the way.
 * With `create`, missing parents are created as objects, and a path that cannot exist (through
 * a scalar, or a non-numeric segment in an array) is an error; without it, the result is
 * `undefined` instead.
 */
function locate(
  draft: Draft,
  field: FieldPath,
  options: { create: boolean; operation: UpdateOperation },
): { container: Container; key: string } | undefined {
  const { segments } = field;
  let container: Container = draft.root;
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index]!;
    if (Array.isArray(container) && !isArrayIndex(segment)) {
      if (!options.create) return undefined;
      throw fail(
        `Cannot create field "${segment}" in an array at "${segments.slice(0, index).join(".")}"`,
        options.operation,
        field,
      );
    }
    if (index === segments.length - 1) return { container, key: segment };
    const child = read(container, segment);
    let next: Container;
    if (Array.isArray(child) || isPlainObject(child)) {
      next = draft.own(child);
    } else if (child === undefined) {
      if (!options.create) return undefined;
      next = draft.created({});
    } else {
      if (!options.create) return undefined;
      throw fail(
        `Cannot create field "${segments[index + 1]}" in "${segments.slice(0, index + 1).join(".")}", which holds ${describe(child)}`,
        options.operation,
        field,
      );
    }
    write(container, segment, next);
    container = next;
  }
  return undefined;
}

/**
 * Reads the `$rename` source as MongoDB does: a missing source is a no-op (`undefined`), a path
 * through an array or a scalar is an error.
 */
function renameSource(root: object, operation: Extract<UpdateOperation, { op: "rename" }>) {
  const { segments } = operation.field;
  let container: unknown = root;
  for (let index = 0; index < segments.length; index++) {
    if (Array.isArray(container)) {
      throw fail("$rename cannot move a field out of an array", operation);
    }
    if (!isPlainObject(container)) {
      throw fail(
        `Cannot use the path "${operation.field.path}": "${segments.slice(0, index).join(".")}" holds ${describe(container)}`,
        operation,
      );
    }
    if (!Object.hasOwn(container, segments[index]!)) return undefined;
    container = container[segments[index]!];
  }
  return { value: container };
}

/** Throws when an existing parent of the `$rename` target is an array, as MongoDB does. */
function assertTargetOutsideArrays(
  root: object,
  operation: Extract<UpdateOperation, { op: "rename" }>,
) {
  let container: unknown = root;
  for (const segment of operation.to.segments) {
    if (Array.isArray(container)) {
      throw fail("$rename cannot move a field into an array", operation, operation.to);
    }
    if (!isPlainObject(container) || !Object.hasOwn(container, segment)) return;
    container = container[segment];
  }
}

const predicates = new WeakMap<FilterNode, (element: unknown) => boolean>();
const wrapperPath: FieldPath = { path: "element", segments: ["element"] };

/** Points the filter's element-itself conditions (empty paths) at the wrapper field. */
function rebase(node: FilterNode): FilterNode {
  if (node.type === "field") {
    return node.field.segments.length === 0 ? { ...node, field: wrapperPath } : node;
  }
  return { ...node, children: node.children.map(rebase) };
}

/**
 * A test of one array element, as MongoDB's `$pull` runs it: an operator condition
 * (`{ $gte: 6 }`) is a query on `{ element }`, so an element that is itself an array matches
 * when one of its items does; a sub-document condition (`{ sku: "a" }`) is a query on each
 * sub-document element and never matches other elements.
 */
function elementTest(operation: Extract<UpdateOperation, { op: "pull" }>) {
  let test = predicates.get(operation.filter);
  if (!test) {
    if (operation.scalar) {
      const predicate = compilePredicate(rebase(operation.filter));
      test = (element) => predicate({ element });
    } else {
      const predicate = compilePredicate(operation.filter);
      test = (element) => isPlainObject(element) && predicate(element);
    }
    predicates.set(operation.filter, test);
  }
  return test;
}

function arrayAt(
  container: Container,
  key: string,
  operation: UpdateOperation,
): unknown[] | undefined {
  const existing = read(container, key);
  if (existing === undefined || Array.isArray(existing)) return existing;
  throw fail(
    `${operatorNames[operation.op]} needs an array, but the field holds ${describe(existing)}`,
    operation,
  );
}

function applyOperation(draft: Draft, operation: UpdateOperation, now: Date): void {
  if (operation.op === "unset") {
    const target = locate(draft, operation.field, { create: false, operation });
    if (!target) return;
    const { container, key } = target;
    // Unsetting an array element leaves a null in its place, as MongoDB does.
    if (Array.isArray(container)) {
      if (Number(key) < container.length) container[Number(key)] = null;
    } else if (Object.hasOwn(container, key)) {
      delete container[key];
    }
    return;
  }
  if (operation.op === "rename") {
    const source = renameSource(draft.root, operation);
    if (!source) return;
    assertTargetOutsideArrays(draft.root, operation);
    const from = locate(draft, operation.field, { create: false, operation })!;
    delete (from.container as Record<string, unknown>)[from.key];
    const target = locate(draft, operation.to, { create: true, operation })!;
    write(target.container, target.key, source.value);
    return;
  }
  if (operation.op === "pull" || operation.op === "pullAll") {
    // Like `$unset`, `$pull` ignores a path that does not exist or cannot exist.
    const target = locate(draft, operation.field, { create: false, operation });
    const array = target && arrayAt(target.container, target.key, operation);
    if (!target || array === undefined) return;
    const matches =
      operation.op === "pull"
        ? elementTest(operation)
        : (element: unknown) => operation.values.some((value) => valuesEqual(element, value));
    write(
      target.container,
      target.key,
      draft.created(array.filter((element) => !matches(element))),
    );
    return;
  }
  const { container, key } = locate(draft, operation.field, { create: true, operation })!;
  const existing = read(container, key);
  switch (operation.op) {
    case "set":
      write(container, key, cloneValue(operation.value));
      return;
    case "inc":
    case "mul": {
      if (existing === undefined) {
        write(container, key, operation.op === "inc" ? operation.amount : 0);
      } else if (typeof existing === "number") {
        const result =
          operation.op === "inc" ? existing + operation.amount : existing * operation.amount;
        write(container, key, result);
      } else {
        throw fail(
          `Cannot apply ${operatorNames[operation.op]} to a non-numeric field (it holds ${describe(existing)})`,
          operation,
        );
      }
      return;
    }
    case "min":
    case "max": {
      const order = existing === undefined ? 0 : compareValues(operation.value, existing);
      const replace = existing === undefined || (operation.op === "min" ? order < 0 : order > 0);
      if (replace) write(container, key, cloneValue(operation.value));
      return;
    }
    case "push": {
      const array = [...(arrayAt(container, key, operation) ?? [])];
      const length = array.length;
      const position =
        operation.position === undefined
          ? length
          : operation.position < 0
            ? Math.max(0, length + operation.position)
            : Math.min(length, operation.position);
      array.splice(position, 0, ...operation.values.map(cloneValue));
      let result = array;
      if (operation.slice !== undefined) {
        result =
          operation.slice >= 0 ? array.slice(0, operation.slice) : array.slice(operation.slice);
      }
      write(container, key, draft.created(result));
      return;
    }
    case "addToSet": {
      const array = [...(arrayAt(container, key, operation) ?? [])];
      for (const value of operation.values) {
        if (!array.some((element) => valuesEqual(element, value))) array.push(cloneValue(value));
      }
      write(container, key, draft.created(array));
      return;
    }
    case "currentDate":
      write(container, key, new Date(now.getTime()));
      return;
  }
}

/** Recognises a parsed `UpdateSpec` by its exact shape (see {@link applyUpdate}). */
function isUpdateSpec(update: object): update is UpdateSpec {
  if (!isPlainObject(update)) return false;
  const keys = Object.keys(update);
  if (keys.length !== 2) return false;
  if (update.kind === "operators") return Array.isArray(update.operations);
  return update.kind === "replace" && isPlainObject(update.document);
}

function checkIdUnchanged(before: object, after: Record<string, unknown>): void {
  const previous = getOwn(before, "_id");
  if (previous !== undefined && !valuesEqual(previous, getOwn(after, "_id"))) {
    throw new FilterValidationError("The _id field cannot be modified", "_id", {
      source: querySource,
    });
  }
}

/**
 * Applies an update to a document and returns the new document; `document` is never modified,
 * even when the update fails part-way (the error is thrown and nothing is returned).
 *
 * `update` is either an `UpdateSpec` from {@link parseUpdate} (recognised by its exact shape:
 * only `kind` and `operations`, or `kind` and `document`) or a raw update, which is parsed
 * first. Pass untrusted input through `parseUpdate` yourself: a raw merge patch with exactly the
 * fields `kind` and `operations` would be read as a parsed spec.
 *
 * MongoDB semantics: missing parents are created as objects; numeric segments index arrays and
 * writing past the end pads with nulls; writing inside a scalar (`a.b` where `a` is 5) is an
 * error; `$unset` of an array element leaves `null`; `$inc` on a missing field sets the amount,
 * `$mul` sets 0; `$min`/`$max` compare with MongoDB's cross-type order; `$push` applies
 * `$position` (negative counts from the end) then `$slice`; `$addToSet` and `$pullAll` use
 * MongoDB equality; `$pull` conditions read like `$elemMatch`; `$rename` refuses paths through
 * arrays; `$currentDate` writes `options.now` (a Date, also for `{ $type: "timestamp" }`).
 * A `$set` of `_id` must keep its value. Array sizes are not limited here.
 *
 * @example
 * applyUpdate({ _id: "a", visits: 1, tags: ["x"] }, { $inc: { visits: 1 }, $push: { tags: "y" } });
 * // { _id: "a", visits: 2, tags: ["x", "y"] }
 * @throws FilterValidationError with the operator and path, for example `$inc.visits`.
 */
export function applyUpdate(
  document: object,
  update: UpdateSpec | object,
  options: ApplyUpdateOptions = {},
): Document {
  const spec = isUpdateSpec(update) ? update : parseUpdate(update);
  if (spec.kind === "replace") {
    const replacement = cloneValue(spec.document) as Record<string, unknown>;
    const id = getOwn(document, "_id");
    if (id === undefined) return replacement as Document;
    checkIdUnchanged(document, { _id: getOwn(replacement, "_id") ?? id });
    const result: Record<string, unknown> = { _id: cloneValue(id) };
    for (const key of Object.keys(replacement)) setOwn(result, key, replacement[key]);
    return result as Document;
  }
  const draft = new Draft(document);
  const now = options.now ?? new Date();
  for (const operation of spec.operations) applyOperation(draft, operation, now);
  checkIdUnchanged(document, draft.root);
  return draft.root as Document;
}
