/**
 * Deep copies of values, so stored data never shares objects with callers (the memory
 * provider's copy-in / copy-out). Unlike `structuredClone`, a `Uint8Array` view copies only its
 * own bytes (not a whole pooled `ArrayBuffer`), `Buffer`s come back as plain `Uint8Array`s,
 * `undefined` fields are dropped like JSON, and `__proto__` stays an ordinary field.
 */

import type { Value } from "@agentvault/query";
import { ValidationError } from "./errors.js";
import { setOwnField } from "./own-field.js";

// Deep enough for any value `validateValue` accepts (depth 100); a cycle stops here too.
const maxCloneDepth = 1000;

function cloneAt(value: unknown, depth: number): Value {
  if (value === null) return null;
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (Number.isFinite(value)) return value;
      throw new ValidationError(`Numbers must be finite, got ${value}`, "", { source: "clone" });
    case "object":
      break;
    default:
      throw new ValidationError(`Values of type ${typeof value} cannot be stored`, "", {
        source: "clone",
      });
  }
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (depth > maxCloneDepth) {
    throw new ValidationError("Value is nested too deeply or circular", "", { source: "clone" });
  }
  if (Array.isArray(value)) {
    const copy: Value[] = new Array(value.length);
    for (let index = 0; index < value.length; index++)
      copy[index] = cloneAt(value[index], depth + 1);
    return copy;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    throw new ValidationError(
      "Class instances other than Date and Uint8Array cannot be stored",
      "",
      {
        source: "clone",
      },
    );
  }
  const object = value as { readonly [field: string]: unknown };
  const copy: { [field: string]: Value } = {};
  for (const field in object) {
    const item = object[field];
    if (item !== undefined && Object.hasOwn(object, field)) {
      setOwnField(copy, field, cloneAt(item, depth + 1));
    }
  }
  return copy;
}

/**
 * Returns a deep copy of `value`.
 * @throws ValidationError when `value` holds something outside the value model.
 */
export function cloneValue<T extends Value>(value: T): T {
  return cloneAt(value, 0) as T;
}
