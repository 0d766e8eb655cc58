/**
 * Data references: where the data manager put a value. A reference is plain data (safe to
 * serialise, log or hand to another agent) and has a URI form,
 * `agentvault://<provider>/<collection>/<key>`, whose segments are percent-encoded so that any
 * printable key survives the round trip.
 */

import type { Value } from "@agentvault/query";
import { ValidationError } from "./errors.js";

/** The three coordinates that locate a stored value; what a URI carries. */
export interface DataLocation {
  /** The name the provider was registered under in the data manager. */
  readonly provider: string;
  readonly collection: string;
  readonly key: string;
}

/** What `dataManager.store()` returns: the location plus what was stored beside the value. */
export interface DataReference extends DataLocation {
  /** The metadata stored with the value (an empty object when none was given). */
  readonly metadata: { readonly [field: string]: Value };
  /** Expiry as epoch milliseconds, when the value was stored with a TTL. */
  readonly expiresAt?: number | undefined;
  /** The URI form, `agentvault://<provider>/<collection>/<key>`. */
  readonly uri: string;
}

const source = "data-reference";

/**
 * Percent-encodes one URI segment. `encodeURIComponent` already escapes `/ ? # %` and
 * non-ASCII; segments that are exactly `.` or `..` are escaped too, so that path joiners and
 * naive normalisers leave them alone. (WHATWG `new URL()` still collapses them: read references
 * with `parseDataReference`, which never normalises.)
 */
function encodeSegment(segment: string, name: string): string {
  if (segment === ".") return "%2E";
  if (segment === "..") return "%2E%2E";
  try {
    return encodeURIComponent(segment);
  } catch (error) {
    // Only lone UTF-16 surrogates fail to encode; no printable key contains one.
    throw new ValidationError(`The ${name} cannot be written in a URI`, name, {
      source,
      cause: error,
    });
  }
}

/**
 * The URI form of a reference.
 *
 * @example
 * toDataReferenceUri({ provider: "s3", collection: "data", key: "reports/2025 Q1.json" });
 * // "agentvault://s3/data/reports%2F2025%20Q1.json"
 */
export function toDataReferenceUri(location: DataLocation): string {
  for (const name of ["provider", "collection", "key"] as const) {
    if (typeof location[name] !== "string" || location[name] === "") {
      throw new ValidationError(`A data reference needs a non-empty ${name}`, name, { source });
    }
  }
  return `agentvault://${encodeSegment(location.provider, "provider")}/${encodeSegment(
    location.collection,
    "collection",
  )}/${encodeSegment(location.key, "key")}`;
}

function decodeSegment(segment: string, name: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (error) {
    throw new ValidationError(
      `The ${name} of the data reference URI has a malformed %-escape`,
      name,
      {
        source,
        cause: error,
      },
    );
  }
}

/**
 * Parses `agentvault://<provider>/<collection>/<key>` back into its location. Throws
 * `ValidationError` (without echoing the URI, which may hold private keys) when the text is not
 * such a URI: another scheme, a missing or extra segment, a query or fragment, or a bad escape.
 *
 * @example
 * parseDataReference("agentvault://redis/sessions/session%3Aabc");
 * // { provider: "redis", collection: "sessions", key: "session:abc" }
 */
export function parseDataReference(uri: string): DataLocation {
  if (typeof uri !== "string") {
    throw new ValidationError("A data reference URI must be a string", "uri", { source });
  }
  const prefix = "agentvault://";
  if (uri.slice(0, prefix.length).toLowerCase() !== prefix) {
    throw new ValidationError(
      "Not a data reference URI: expected agentvault://<provider>/<collection>/<key>",
      "uri",
      { source },
    );
  }
  const rest = uri.slice(prefix.length);
  if (rest.includes("?") || rest.includes("#")) {
    throw new ValidationError(
      "A data reference URI has no query or fragment; escape ? and # in keys as %3F and %23",
      "uri",
      { source },
    );
  }
  const segments = rest.split("/");
  if (segments.length !== 3 || segments.some((segment) => segment === "")) {
    throw new ValidationError(
      "A data reference URI has exactly three non-empty segments: agentvault://<provider>/<collection>/<key> (escape / in keys as %2F)",
      "uri",
      { source },
    );
  }
  const [provider, collection, key] = segments as [string, string, string];
  return {
    provider: decodeSegment(provider, "provider"),
    collection: decodeSegment(collection, "collection"),
    key: decodeSegment(key, "key"),
  };
}

/** Whether `value` looks like a `DataLocation` (or a full `DataReference`). */
export function isDataLocation(value: unknown): value is DataLocation {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<Record<keyof DataLocation, unknown>>;
  return (
    typeof candidate.provider === "string" &&
    typeof candidate.collection === "string" &&
    typeof candidate.key === "string"
  );
}

/** Reads a reference argument: a URI string or an object carrying the location. */
export function toDataLocation(reference: DataLocation | string): DataLocation {
  if (typeof reference === "string") return parseDataReference(reference);
  if (!isDataLocation(reference)) {
    throw new ValidationError(
      "Expected a data reference ({ provider, collection, key }) or its agentvault:// URI",
      "reference",
      { source },
    );
  }
  return { provider: reference.provider, collection: reference.collection, key: reference.key };
}
