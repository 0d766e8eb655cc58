/**
 * SQL for the single-value tests that look at a value's type and shape rather than compare it:
 * `$exists`, `$type`, `$mod` and `$size` (see `sqlite-value-tests.ts` for the comparisons).
 */

import { andSql, orSql, param, raw, sql, sqlFalse, sqlTrue } from "./sql-fragment.js";
import { jsonPathLiteral } from "./sqlite-json-path.js";
import { isBinaryTag, isDateTag, isDocumentSlot, type Slot, typeIs } from "./sqlite-slots.js";
import type { SlotTest } from "./sqlite-value-tests.js";

const numberTypes = ["integer", "real"];
const maxSafe = "9007199254740991";

/** `$exists: true` on one value. */
export const existsSqlTest: SlotTest = {
  test: (slot) => (slot.isKey || slot.isElement ? sqlTrue : raw(`${slot.type} IS NOT NULL`)),
  onMissing: false,
  exact: true,
};

/** `$type` on one value, under AgentVault's number rule (int32 `int`, safe `long`, else `double`). */
export function typeSqlTest(types: readonly string[]): SlotTest {
  return {
    test: (slot) => {
      const x = slot.value;
      const parts = new Set<string>();
      for (const type of types) {
        switch (type) {
          case "number":
            parts.add(typeIs(slot, ...numberTypes));
            break;
          case "double":
            parts.add(
              `(${typeIs(slot, "real")} OR (${typeIs(slot, "integer")} AND (${x} > ${maxSafe} OR ${x} < -${maxSafe})))`,
            );
            break;
          case "int":
            parts.add(`(${typeIs(slot, "integer")} AND ${x} BETWEEN -2147483648 AND 2147483647)`);
            break;
          case "long":
            parts.add(
              `(${typeIs(slot, "integer")} AND ${x} NOT BETWEEN -2147483648 AND 2147483647 AND ${x} BETWEEN -${maxSafe} AND ${maxSafe})`,
            );
            break;
          case "string":
            parts.add(typeIs(slot, "text"));
            break;
          case "bool":
            parts.add(typeIs(slot, "true", "false"));
            break;
          case "null":
            parts.add(typeIs(slot, "null"));
            break;
          case "array":
            parts.add(typeIs(slot, "array"));
            break;
          case "object":
            parts.add(isDocumentSlot(slot));
            break;
          case "date":
            parts.add(isDateTag(slot));
            break;
          case "binData":
            parts.add(isBinaryTag(slot));
            break;
          default:
            // Types our value model cannot hold (objectId, regex, ...) match nothing.
            break;
        }
      }
      return orSql([...parts].map(raw));
    },
    onMissing: false,
    exact: true,
  };
}

/**
 * `$mod`: the number truncated toward zero must fit 64 bits; SQLite's `%` on integers keeps the
 * dividend's sign, as MongoDB (and JavaScript) do.
 */
export function modSqlTest(divisor: number, remainder: number): SlotTest {
  return {
    test: (slot) =>
      andSql([
        raw(typeIs(slot, ...numberTypes)),
        raw(`${slot.value} >= -9223372036854775808.0 AND ${slot.value} < 9223372036854775808.0`),
        // Through a double first: JavaScript truncates the double it stored, not SQLite's exact integer.
        sql`(CAST((${slot.value} + 0.0) AS INTEGER) % ${param(divisor)}) = ${param(remainder)}`,
      ]),
    onMissing: false,
    exact: true,
  };
}

/** `$size`: an array of exactly `size` elements (a CASE, so non-JSON text is never parsed). */
export function sizeSqlTest(size: number): SlotTest {
  return {
    test: (slot) => {
      if (slot.isKey) return sqlFalse;
      const length = slot.isElement
        ? `json_array_length(${slot.source})`
        : `json_array_length(${slot.source}, ${pathLiteralOf(slot)})`;
      return sql`CASE WHEN ${typeIs(slot, "array")} THEN ${length} = ${param(size)} ELSE 0 END`;
    },
    onMissing: false,
    exact: true,
  };
}

/** The slot's path as a SQL literal. */
function pathLiteralOf(slot: Slot): string {
  return jsonPathLiteral(slot.path);
}
