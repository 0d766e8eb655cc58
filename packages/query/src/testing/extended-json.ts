/**
 * Decodes MongoDB Extended JSON v2 (relaxed or canonical) into AgentVault's value model, and
 * reports what cannot be represented instead of guessing.
 */

import { bsonTypeOf } from "../bson-type.js";

/** Where a decoded value will be used: documents hold data, filters may hold regexes and NaN. */
export type DecodeTarget = "document" | "filter";

/** The outcome of decoding one Extended JSON value. */
export interface DecodedValue {
  /** The decoded value; meaningless when `unrepresentable` is not empty. */
  readonly value: unknown;
  /** Why the value cannot be represented (`objectId`, `timestamp`, ...); empty when it can. */
  readonly unrepresentable: readonly string[];
  /**
   * Whether some number's BSON type may differ from what `bsonTypeOf` reports: a relaxed-mode
   * integer (stored as int32, int64 or a whole double), a canonical `$numberLong` inside int32
   * range, or a whole canonical `$numberDouble`.
   */
  readonly ambiguousNumberType: boolean;
}

interface DecodeState {
  readonly target: DecodeTarget;
  readonly unrepresentable: Set<string>;
  ambiguousNumberType: boolean;
}

const unsupportedWrappers: Readonly<Record<string, string>> = {
  $oid: "objectId",
  $timestamp: "timestamp",
  $numberDecimal: "decimal128",
  $minKey: "minKey",
  $maxKey: "maxKey",
  $undefined: "undefined",
  $symbol: "symbol",
  $code: "javascript",
  $dbPointer: "dbPointer",
  $uuid: "binary subtype 4",
};

function declaredNumber(state: DecodeState, value: number, declared: string): number {
  if (bsonTypeOf(value) !== declared) state.ambiguousNumberType = true;
  return value;
}

function decodeDouble(text: string, state: DecodeState): number {
  const value = Number(text);
  if (!Number.isFinite(value) && state.target === "document") {
    state.unrepresentable.add("non-finite double");
  }
  return declaredNumber(state, value, "double");
}

function decodeLong(text: string, state: DecodeState, role = "int64"): number {
  const big = BigInt(text);
  if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) {
    state.unrepresentable.add(`${role} beyond 2^53`);
  }
  return declaredNumber(state, Number(big), "long");
}

function decodeWrapper(key: string, body: unknown, state: DecodeState): unknown {
  switch (key) {
    case "$numberInt":
      return declaredNumber(state, Number(body), "int");
    case "$numberLong":
      return decodeLong(String(body), state);
    case "$numberDouble":
      return decodeDouble(String(body), state);
    case "$date": {
      if (typeof body === "string") return new Date(body);
      const inner = (body as Record<string, unknown>).$numberLong;
      const before = state.ambiguousNumberType;
      const time = decodeLong(String(inner), state, "date");
      state.ambiguousNumberType = before;
      return new Date(time);
    }
    case "$binary": {
      const { base64, subType } = body as { base64: string; subType: string };
      if (subType !== "00") state.unrepresentable.add(`binary subtype ${subType}`);
      return new Uint8Array(Buffer.from(base64, "base64"));
    }
    case "$regularExpression":
      // Filters keep the Extended JSON form, which `parseFilter` accepts as a regex literal.
      if (state.target === "document") state.unrepresentable.add("regex value");
      return { $regularExpression: body };
    default:
      state.unrepresentable.add(unsupportedWrappers[key] ?? key);
      return null;
  }
}

const wrapperKeys = new Set([
  "$numberInt",
  "$numberLong",
  "$numberDouble",
  "$date",
  "$binary",
  "$regularExpression",
  ...Object.keys(unsupportedWrappers),
]);

function isIntegerLike(key: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < 2 ** 32 - 1;
}

function decodeInto(raw: unknown, state: DecodeState): unknown {
  if (typeof raw === "number") {
    // Relaxed mode prints int32, int64 and whole doubles alike; only fractions are surely doubles.
    if (Number.isSafeInteger(raw)) state.ambiguousNumberType = true;
    if (!Number.isFinite(raw) && state.target === "document") {
      state.unrepresentable.add("non-finite double");
    }
    return raw;
  }
  if (typeof raw !== "object" || raw === null) return raw;
  if (Array.isArray(raw)) return raw.map((item) => decodeInto(item, state));
  const keys = Object.keys(raw);
  const first = keys[0];
  if (first !== undefined && keys.length === 1 && wrapperKeys.has(first)) {
    return decodeWrapper(first, (raw as Record<string, unknown>)[first], state);
  }
  if (keys.length > 1 && keys.some(isIntegerLike)) {
    // JavaScript enumerates integer-like keys first, so the source order may be lost, and
    // MongoDB's document equality depends on field order.
    state.unrepresentable.add("field order with integer-like keys");
  }
  const output: Record<string, unknown> = {};
  for (const key of keys) {
    const value = decodeInto((raw as Record<string, unknown>)[key], state);
    Object.defineProperty(output, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return output;
}

/**
 * Decodes one Extended JSON v2 value (as parsed by `JSON.parse`). Dates become `Date`, generic
 * binary becomes `Uint8Array`, `$numberInt`/`$numberLong`/`$numberDouble` become numbers when
 * exact; everything else is listed in `unrepresentable`. In filters, NaN and infinities are kept
 * (they are valid operands) and regexes stay `{ $regularExpression: ... }` literals.
 */
export function decodeExtendedJson(raw: unknown, target: DecodeTarget): DecodedValue {
  const state: DecodeState = { target, unrepresentable: new Set(), ambiguousNumberType: false };
  const value = decodeInto(raw, state);
  return {
    value,
    unrepresentable: [...state.unrepresentable],
    ambiguousNumberType: state.ambiguousNumberType,
  };
}
