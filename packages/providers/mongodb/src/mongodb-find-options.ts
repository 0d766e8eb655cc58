/**
 * Sort, skip, limit and projection of a `FindQuery`, translated for `collection.find`.
 *
 * Sort and projection paths are record-view paths, which the envelope stores under the same
 * names. Paths outside the view (neither `_id`, `value.*` nor `metadata.*`) are missing in every
 * record, so they are dropped rather than read from the envelope's own fields.
 */

import type { FindQuery } from "@agentvault/core";
import type { FieldPath, ProjectionSpec, SortSpec } from "@agentvault/query";
import type { Document, FindOptions } from "mongodb";
import { setOwn } from "./mongodb-bson.js";

/** The envelope fields a record needs besides what a projection asks for. */
const bookkeepingFields = ["expiresAt", "createdAt", "updatedAt"] as const;

function inView(field: FieldPath): boolean {
  const root = field.segments[0];
  return root === "_id" || root === "value" || root === "metadata";
}

/**
 * The sort as `[path, direction]` pairs (an array, so no path is reordered the way integer-like
 * object keys would be), ending with `_id` so that ties come back in one order and pages never
 * overlap. Returns undefined when nothing is left to sort by.
 */
export function toMongoSort(sort: SortSpec | undefined): [string, 1 | -1][] | undefined {
  if (sort === undefined || sort.length === 0) return undefined;
  const pairs: [string, 1 | -1][] = [];
  for (const key of sort) {
    if (inView(key.field)) pairs.push([key.field.path, key.direction]);
  }
  if (!pairs.some(([path]) => path === "_id")) pairs.push(["_id", 1]);
  return pairs;
}

/** Whether MongoDB can project a path as the core does (no `$` or empty segments). */
function projectable(field: FieldPath): boolean {
  return field.segments.every((segment) => segment !== "" && !segment.startsWith("$"));
}

/**
 * The projection for a record-view `ProjectionSpec`, or undefined to read whole records.
 *
 * The provider still needs each record's key and expiry, so `_id` and the bookkeeping fields are
 * always read; the core applies the projection again over the record view, so what MongoDB
 * returns only has to project the same way. MongoDB's `find` projection and the core's agree:
 * dot paths go through arrays of documents, numeric segments name fields, a scalar parent is
 * omitted. A value that the projection omits entirely reads back as `null`, which projects the
 * same way. Vectors are never read back for a projected query.
 */
export function toMongoProjection(projection: ProjectionSpec | undefined): Document | undefined {
  if (projection === undefined) return undefined;
  const fields = projection.fields.filter((field) => field.segments[0] !== "_id");
  if (!fields.every(projectable)) return undefined;
  const viewFields = fields.filter(inView);
  const result: Document = {};
  if (projection.mode === "include") {
    result._id = 1;
    for (const field of bookkeepingFields) result[field] = 1;
    for (const field of viewFields) setOwn(result, field.path, 1);
    return result;
  }
  for (const field of viewFields) setOwn(result, field.path, 0);
  result.vector = 0;
  return result;
}

/**
 * The `find` options for a query: sort, skip, limit and projection. A `limit` of 0 is the
 * caller's business (MongoDB reads it as "no limit"; `find` returns nothing instead).
 */
export function toMongoFindOptions(query: FindQuery): FindOptions {
  const options: FindOptions = {};
  const sort = toMongoSort(query.sort);
  if (sort !== undefined) options.sort = sort;
  if (query.skip !== undefined && query.skip > 0) options.skip = query.skip;
  if (query.limit !== undefined && query.limit > 0) options.limit = query.limit;
  const projection = toMongoProjection(query.projection);
  if (projection !== undefined) options.projection = projection;
  return options;
}
