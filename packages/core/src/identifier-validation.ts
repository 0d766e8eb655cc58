/**
 * Checks on the names callers choose: collection names, record keys, and vectors. Each failure
 * is a `ValidationError` naming the offending option.
 */

import { ValidationError } from "./errors.js";

/** Options for `validateCollectionName`. */
export interface CollectionNameOptions {
  /** Accept names starting with `_av`, which the core reserves for its own collections. @default false */
  readonly allowReserved?: boolean | undefined;
  /** Component named in error messages. @default "validation" */
  readonly source?: string | undefined;
}

const collectionNamePattern = /^[A-Za-z0-9_.-]{1,120}$/;

/**
 * Checks a collection name: 1 to 120 characters of `[A-Za-z0-9_.-]`, not starting with `.`,
 * and not starting with `_av` (reserved for internal collections such as key-value stores).
 * @throws ValidationError otherwise.
 */
export function validateCollectionName(name: unknown, options: CollectionNameOptions = {}): string {
  const source = options.source ?? "validation";
  if (typeof name !== "string" || !collectionNamePattern.test(name)) {
    throw new ValidationError(
      "Collection names are 1-120 characters of letters, digits, '_', '.' and '-'",
      "collection",
      { source },
    );
  }
  if (name.startsWith(".")) {
    throw new ValidationError("Collection names cannot start with '.'", "collection", { source });
  }
  if (!options.allowReserved && name.startsWith("_av")) {
    throw new ValidationError("Collection names starting with '_av' are reserved", "collection", {
      source,
    });
  }
  return name;
}

/** The longest accepted key, in UTF-16 code units. */
export const maxKeyLength = 1024;

// Control characters: C0, DEL and C1.
const controlCharacter = /\p{Cc}/u;
// With the `u` flag a well-formed pair is read as one astral code point, so only a surrogate
// that is not half of a pair is in the category Cs.
const loneSurrogatePattern = /\p{Cs}/u;

/**
 * Whether `text` holds a lone UTF-16 surrogate (half of a pair, or a pair in the wrong order).
 * Such a string has no UTF-8 form: MongoDB and PostgreSQL refuse it, and UTF-8 encoders (JSON
 * files, S3 objects, Redis) silently replace it with U+FFFD, so it cannot round-trip.
 *
 * @example
 * hasLoneSurrogate("🎉") // false
 * hasLoneSurrogate("\ud83c") // true
 */
export function hasLoneSurrogate(text: string): boolean {
  return loneSurrogatePattern.test(text);
}

/**
 * Checks a record key: 1 to 1,024 characters, any printable characters (unicode, `/`, `..`,
 * spaces and `__proto__` included). Empty keys, control characters (NUL included) and lone
 * surrogates are rejected. Providers must store keys safely (escaping, hashing or binding).
 * @throws ValidationError otherwise.
 */
export function validateKey(key: unknown, options: { readonly source?: string } = {}): string {
  const source = options.source ?? "validation";
  if (typeof key !== "string" || key.length === 0) {
    throw new ValidationError("Keys must be non-empty strings", "key", { source });
  }
  if (key.length > maxKeyLength) {
    throw new ValidationError(`Keys are at most ${maxKeyLength} characters`, "key", { source });
  }
  if (controlCharacter.test(key)) {
    throw new ValidationError("Keys cannot contain control characters", "key", { source });
  }
  if (hasLoneSurrogate(key)) {
    throw new ValidationError("Keys cannot contain lone UTF-16 surrogates", "key", { source });
  }
  return key;
}

/**
 * Checks an embedding: a non-empty array of finite numbers.
 * @throws ValidationError otherwise.
 */
export function validateVector(
  vector: unknown,
  options: { readonly path?: string; readonly source?: string } = {},
): readonly number[] {
  const path = options.path ?? "vector";
  const source = options.source ?? "validation";
  if (!Array.isArray(vector) || vector.length === 0) {
    throw new ValidationError("A vector must be a non-empty array of numbers", path, { source });
  }
  for (let index = 0; index < vector.length; index++) {
    const item: unknown = vector[index];
    if (typeof item !== "number" || !Number.isFinite(item)) {
      throw new ValidationError("Vector components must be finite numbers", `${path}.${index}`, {
        source,
      });
    }
  }
  return vector;
}

/**
 * The checks every provider's `withDatabase(database)` makes: not from inside a transaction
 * (the transaction is bound to one database), and a non-empty string name.
 * @throws ValidationError otherwise.
 */
export function checkWithDatabase(
  database: unknown,
  options: { readonly inTransaction: boolean; readonly source: string },
): string {
  const { source } = options;
  if (options.inTransaction) {
    throw new ValidationError("withDatabase cannot be used inside a transaction", "database", {
      source,
    });
  }
  if (typeof database !== "string" || database === "") {
    throw new ValidationError("A database name must be a non-empty string", "database", {
      source,
    });
  }
  return database;
}
