/**
 * `$type` arguments: MongoDB's type aliases and numeric codes.
 * @internal
 */

import { fail, joinPath, type Site } from "./parse-context.js";
import type { BsonTypeName } from "./values.js";

/** MongoDB's numeric type codes. */
const typeCodes: ReadonlyMap<number, BsonTypeName> = new Map<number, BsonTypeName>([
  [1, "double"],
  [2, "string"],
  [3, "object"],
  [4, "array"],
  [5, "binData"],
  [6, "undefined"],
  [7, "objectId"],
  [8, "bool"],
  [9, "date"],
  [10, "null"],
  [11, "regex"],
  [12, "dbPointer"],
  [13, "javascript"],
  [14, "symbol"],
  [15, "javascriptWithScope"],
  [16, "int"],
  [17, "timestamp"],
  [18, "long"],
  [19, "decimal"],
  [-1, "minKey"],
  [127, "maxKey"],
]);

const typeNames: ReadonlySet<string> = new Set<string>([...typeCodes.values(), "number"]);

function parseOneType(raw: unknown, path: string): BsonTypeName {
  if (typeof raw === "string") {
    if (typeNames.has(raw)) return raw as BsonTypeName;
    return fail(`Unknown $type name "${raw}"`, path);
  }
  if (typeof raw === "number") {
    // Whole doubles are accepted as codes (16.0 is 16), as MongoDB does.
    const name = Number.isInteger(raw) ? typeCodes.get(raw) : undefined;
    if (name !== undefined) return name;
    return fail(`Unknown $type code ${raw}`, path);
  }
  return fail("$type needs a type name, a type code or an array of them", path);
}

/** Parses a `$type` argument into a deduplicated list of type names. */
export function parseTypeList(raw: unknown, site: Site): readonly BsonTypeName[] {
  const { path } = site;
  const { maxInValues } = site.context.limits;
  if (!Array.isArray(raw)) return Object.freeze([parseOneType(raw, path)]);
  if (raw.length === 0) fail("$type needs at least one type", path);
  if (raw.length > maxInValues) fail(`$type lists more than ${maxInValues} types`, path);
  const names = new Set<BsonTypeName>();
  for (let index = 0; index < raw.length; index++) {
    names.add(parseOneType(raw[index], joinPath(path, index)));
  }
  return Object.freeze([...names]);
}
