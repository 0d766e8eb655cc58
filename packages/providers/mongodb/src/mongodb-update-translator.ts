/**
 * Translates a `RecordUpdate` (a parsed `UpdateSpec` for the value, plus replacements of
 * metadata, expiry and vector) into one MongoDB update document, so `findOneAndUpdate` and
 * `updateMany` apply it on the server, atomically per record.
 *
 * Value paths gain the `value.` prefix: `$inc: { visits: 1 }` becomes
 * `$inc: { "value.visits": 1 }`. `parseUpdate` already rejected what MongoDB would reject
 * (conflicting paths, `_id` changes, `$`-prefixed fields), so each operation maps one to one:
 *
 * | operation | MongoDB |
 * |---|---|
 * | merge patch field, `set` | `$set` |
 * | replace | `$set: { value: document }` |
 * | `unset` | `$unset` |
 * | `inc`, `mul`, `min`, `max` | `$inc`, `$mul`, `$min`, `$max` |
 * | `push` | `$push: { $each, $position?, $slice? }` |
 * | `addToSet` | `$addToSet: { $each }` |
 * | `pull` | `$pull` with the translated condition |
 * | `pullAll` | `$pullAll` |
 * | `rename` | `$rename` (both paths prefixed) |
 * | `currentDate` | `$currentDate: { $type: "date" }` (also for `timestamp`: the model has none) |
 *
 * `updatedAt` is always set to `now`; metadata, expiry and vector changes are `$set`s.
 */

import { type RecordUpdate, ValidationError, validateVector } from "@agentvault/core";
import type { UpdateOperation, UpdateSpec } from "@agentvault/query";
import type { Document } from "mongodb";
import { setOwn, toBson, toBsonNumber } from "./mongodb-bson.js";
import { source } from "./mongodb-errors.js";
import {
  translateElementConditions,
  translateRelativeFilter,
} from "./mongodb-filter-translator.js";

/** The operator groups of an update document, filled as operations are translated. */
type UpdateGroups = { [operator: string]: Document };

function valuePath(path: string): string {
  return `value.${path}`;
}

function put(groups: UpdateGroups, operator: string, path: string, argument: unknown): void {
  let group = groups[operator];
  if (group === undefined) {
    group = {};
    groups[operator] = group;
  }
  setOwn(group, path, argument);
}

function pushArgument(operation: Extract<UpdateOperation, { op: "push" }>): Document {
  const argument: Document = { $each: operation.values.map((value) => toBson(value)) };
  if (operation.position !== undefined) argument.$position = operation.position;
  if (operation.slice !== undefined) argument.$slice = operation.slice;
  return argument;
}

/** The MongoDB operator and argument of one operation. */
function operatorOf(operation: UpdateOperation): [operator: string, argument: unknown] {
  switch (operation.op) {
    case "set":
      return ["$set", toBson(operation.value, operation.field.path)];
    case "unset":
      return ["$unset", ""];
    case "inc":
    case "mul":
      return [`$${operation.op}`, toBsonNumber(operation.amount)];
    case "min":
    case "max":
      return [`$${operation.op}`, toBson(operation.value, operation.field.path)];
    case "push":
      return ["$push", pushArgument(operation)];
    case "addToSet":
      return ["$addToSet", { $each: operation.values.map((value) => toBson(value)) }];
    case "pull":
      return [
        "$pull",
        operation.scalar
          ? translateElementConditions(operation.filter)
          : translateRelativeFilter(operation.filter),
      ];
    case "pullAll":
      return ["$pullAll", operation.values.map((value) => toBson(value))];
    case "rename":
      return ["$rename", valuePath(operation.to.path)];
    case "currentDate":
      return ["$currentDate", { $type: "date" }];
  }
}

function expiryDate(expiresAt: number): Date {
  const date = new Date(typeof expiresAt === "number" ? expiresAt : Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw new ValidationError("expiresAt must be a valid time in epoch milliseconds", "expiresAt", {
      source,
    });
  }
  return date;
}

/** Translates the value part of an update into `groups`. */
function translateValueUpdate(groups: UpdateGroups, spec: UpdateSpec): void {
  if (spec.kind === "replace") {
    put(groups, "$set", "value", toBson(spec.document, "value"));
    return;
  }
  for (const operation of spec.operations) {
    const [operator, argument] = operatorOf(operation);
    put(groups, operator, valuePath(operation.field.path), argument);
  }
}

/**
 * The MongoDB update document for `changes` at `now` (epoch milliseconds).
 *
 * @example
 * translateUpdate({ value: parseUpdate({ $inc: { visits: 1 } }) }, 0);
 * // { $inc: { "value.visits": 1 }, $set: { updatedAt: new Date(0) } }
 * @throws ValidationError when a value cannot be stored (see `toBson`).
 */
export function translateUpdate(changes: RecordUpdate, now: number): Document {
  const groups: UpdateGroups = {};
  if (changes.value !== undefined) translateValueUpdate(groups, changes.value);
  const { metadata, expiresAt, vector } = changes;
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
      throw new ValidationError("Metadata must be an object", "metadata", { source });
    }
    put(groups, "$set", "metadata", toBson(metadata, "metadata"));
  }
  if (expiresAt !== undefined) {
    put(groups, "$set", "expiresAt", expiresAt === null ? null : expiryDate(expiresAt));
  }
  if (vector !== undefined) {
    put(groups, "$set", "vector", vector === null ? null : [...validateVector(vector, { source })]);
  }
  put(groups, "$set", "updatedAt", new Date(now));
  return groups;
}
