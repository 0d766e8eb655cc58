/**
 * The AgentVault value model: JSON plus `Date` and binary (`Uint8Array`). Every provider stores
 * and returns exactly these values; the core's codec maps them to each backend's format.
 */

/** Any value a document may hold. */
export type Value =
  | null
  | boolean
  | number
  | string
  | Date
  | Uint8Array
  | readonly Value[]
  | { readonly [field: string]: Value };

/** A document: a plain object of values. */
export type Document = { [field: string]: Value };

/**
 * MongoDB's `$type` names. Our numbers are JavaScript numbers: an integer within int32 reports
 * `int`, a larger safe integer `long`, anything else `double`; `number` matches all three.
 * Names for types our model cannot hold (`objectId`, `timestamp`, ...) are accepted by `$type`
 * and simply match nothing.
 */
export type BsonTypeName =
  | "double"
  | "string"
  | "object"
  | "array"
  | "binData"
  | "undefined"
  | "objectId"
  | "bool"
  | "date"
  | "null"
  | "regex"
  | "dbPointer"
  | "javascript"
  | "symbol"
  | "javascriptWithScope"
  | "int"
  | "timestamp"
  | "long"
  | "decimal"
  | "minKey"
  | "maxKey"
  | "number";
