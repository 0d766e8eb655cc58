/**
 * Turns the Vault's user inputs (filters, query options, updates, store options) into the
 * parsed, record-view-rooted forms providers receive. Providers never see raw user objects.
 */

import {
  type FieldPath,
  type FilterNode,
  type ProjectionSpec,
  parseFilter,
  parseProjection,
  parseSort,
  parseUpdate,
  type SortSpec,
  type UpdateSpec,
} from "@agentvault/query";
import { ValidationError } from "./errors.js";
import { toRecordFilter, toRecordSort } from "./record-view.js";
import { type ValueValidationOptions, validateDocument, validateValue } from "./validation.js";
import type { Filter, QueryOptions } from "./vault-types.js";

const source = "vault";

/** The filter that matches every record. */
export const matchAll: FilterNode = Object.freeze({ type: "and", children: Object.freeze([]) });

function isEmptyObject(object: object): boolean {
  for (const field in object) if (Object.hasOwn(object, field)) return false;
  return true;
}

/** Parses a user filter over documents and roots it in the record view. */
export function toProviderFilter(filter: Filter | undefined): FilterNode {
  if (filter === undefined || filter === null) return matchAll;
  if (typeof filter === "object" && !Array.isArray(filter) && isEmptyObject(filter))
    return matchAll;
  return toRecordFilter(parseFilter(filter));
}

/** Checks an optional count (`limit`, `skip`): a non-negative safe integer. */
export function checkCount(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(`${name} must be a non-negative integer`, name, { source });
  }
  return value;
}

/** `query` options, parsed. */
export interface ParsedQueryOptions {
  /** The sort over the record view. */
  readonly sort?: SortSpec | undefined;
  /** The projection over documents, applied by the Vault to what the provider returns. */
  readonly projection?: ProjectionSpec | undefined;
  readonly limit?: number | undefined;
  readonly skip?: number | undefined;
}

/** Parses and checks `query` options. */
export function parseQueryOptions(options: QueryOptions | undefined): ParsedQueryOptions {
  if (options === undefined) return {};
  const sort = options.sort === undefined ? undefined : parseSort(options.sort);
  return {
    sort: sort === undefined || sort.length === 0 ? undefined : toRecordSort(sort),
    projection: options.projection === undefined ? undefined : parseProjection(options.projection),
    limit: checkCount(options.limit, "limit"),
    skip: checkCount(options.skip, "skip"),
  };
}

function checkUpdatePath(field: FieldPath): void {
  if (field.segments[0] === "_id") {
    throw new ValidationError("_id is the record's key and cannot be updated", field.path, {
      source,
    });
  }
  for (const segment of field.segments) {
    if (segment.startsWith("$") || segment.includes("\u0000")) {
      throw new ValidationError('Field names cannot start with "$" or contain NUL', field.path, {
        source,
      });
    }
  }
}

/**
 * Checks that a parsed update only writes valid values to writable paths (never `_id`, never a
 * `$`-prefixed field).
 */
export function validateUpdateSpec(spec: UpdateSpec, options: ValueValidationOptions = {}): void {
  if (spec.kind === "replace") {
    validateDocument(spec.document, { ...options, source });
    if (Object.hasOwn(spec.document, "_id")) checkUpdatePath({ path: "_id", segments: ["_id"] });
    return;
  }
  for (const operation of spec.operations) {
    checkUpdatePath(operation.field);
    const path = operation.field.path;
    switch (operation.op) {
      case "set":
      case "min":
      case "max":
        validateValue(operation.value, { ...options, path, source });
        break;
      case "push":
      case "addToSet":
        validateValue(operation.values, { ...options, path, source });
        break;
      case "rename":
        checkUpdatePath(operation.to);
        break;
      default:
        break;
    }
  }
}

/**
 * Parses `vault.update` / `updateMany` input: plain fields merge, `$` operators apply. A plain
 * patch may repeat the record's own `_id` (as returned by `retrieve`); it is dropped.
 */
export function parseUserUpdate(
  patch: unknown,
  key: string | undefined,
  options: ValueValidationOptions = {},
): UpdateSpec {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) {
    throw new ValidationError("An update must be an object", "update", { source });
  }
  let input = patch as { readonly [field: string]: unknown };
  if (Object.hasOwn(input, "_id") && input._id === key && key !== undefined) {
    const { _id, ...rest } = input;
    input = rest;
  }
  const spec = parseUpdate(input);
  validateUpdateSpec(spec, options);
  return spec;
}

/** Converts a TTL in seconds into an expiry time. */
export function expiryFromTtl(ttl: unknown, now: number): number | undefined {
  if (ttl === undefined) return undefined;
  if (typeof ttl !== "number" || !Number.isFinite(ttl) || ttl <= 0) {
    throw new ValidationError("ttl must be a positive number of seconds", "ttl", { source });
  }
  return now + Math.round(ttl * 1000);
}
