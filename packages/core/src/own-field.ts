/**
 * Prototype-safe field writes. Assigning `object["__proto__"] = value` would replace the
 * object's prototype; documents treat `__proto__` as an ordinary field name (as `JSON.parse`
 * does), so writes of untrusted field names go through here.
 */

/** Sets `field` as an own, enumerable, writable property, even when it is `__proto__`. */
export function setOwnField<T>(target: { [field: string]: T }, field: string, value: T): void {
  if (field === "__proto__") {
    Object.defineProperty(target, field, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[field] = value;
  }
}
