/**
 * Array shapes (see `postgres-array-shapes.ts`) kept in the schema's registry row of each
 * collection: `array_paths text[]` (NULL: untracked, every path may hold an array) and
 * `array_version uuid`, a fresh random token on every change.
 *
 * Soundness rests on three rules:
 * - Writers register new array paths in the same statement that writes the rows (a
 *   data-modifying CTE), so no snapshot ever sees a row without its paths. They do not trust
 *   any cache for that: the CTE is sent with every write holding arrays and changes nothing
 *   when the paths are already there (concurrent writers serialise on the registry row).
 * - Readers compile with the shapes they cached and return, in the same statement (one
 *   snapshot), whether the registry still holds the cached token; when it does not, they reload
 *   and run again. A statement returning no row is checked by a second, later statement: a
 *   token never comes back once replaced, so if it is current later, it was current then.
 * - Shapes loaded inside a transaction (which may see its own uncommitted registrations) are
 *   never cached for others.
 */

import { type ArrayShapes, shapesOf } from "./postgres-array-shapes.js";
import { registryTable } from "./postgres-ddl.js";
import { qualifiedName } from "./postgres-identifiers.js";
import type { Session } from "./postgres-session.js";

/** Past this many distinct array paths a collection stops tracking (every path may be one). */
export const maxArrayPaths = 1000;

/** Shapes as cached: with the registry token they were read under. */
export interface VersionedShapes {
  readonly shapes: ArrayShapes;
  readonly version: string;
}

/** A registry table's qualified name. */
export function registryName(schema: string): string {
  return qualifiedName(schema, registryTable);
}

/**
 * A CTE (`WITH av_shapes AS (...) `, to prefix a write statement) adding the array paths in
 * parameter `paths` (`text[]`) to the registry row of the collection in parameter `collection`.
 * It writes nothing when they are all there already, or when the collection is untracked.
 */
export function registerArrayPathsCte(registry: string, collection: string, paths: string) {
  const merged = `ARRAY(SELECT DISTINCT p FROM unnest(array_paths || ${paths}) AS p ORDER BY p)`;
  return (
    `WITH av_shapes AS (UPDATE ${registry} SET array_paths = CASE WHEN cardinality(${merged}) > ${maxArrayPaths} THEN NULL ELSE ${merged} END, ` +
    `array_version = gen_random_uuid() WHERE name = ${collection} AND array_paths IS NOT NULL ` +
    `AND NOT (array_paths @> ${paths}) RETURNING 1) `
  );
}

/** A boolean SQL expression: whether the collection's registry token is still `version`. */
export function shapesCurrentSql(registry: string, collection: string, version: string): string {
  return `coalesce((SELECT array_version FROM ${registry} WHERE name = ${collection}) = ${version}, FALSE)`;
}

/** The per-connection cache of each table's shapes, keyed by `schema.table`. */
export type ShapesCache = Map<string, VersionedShapes | "untracked">;

/** Reads and caches the shapes of one collection's table. */
export class ArrayRegistry {
  readonly #cache: ShapesCache;
  readonly #registry: string;

  constructor(cache: ShapesCache, schema: string) {
    this.#cache = cache;
    this.#registry = registryName(schema);
  }

  /**
   * The shapes to compile with: cached ones, or (outside transactions) freshly loaded ones;
   * undefined when the collection is untracked or nothing is known in a transaction.
   */
  async current(
    session: Session,
    input: { tableId: string; collection: string; reload?: boolean },
  ): Promise<VersionedShapes | undefined> {
    const cached = input.reload ? undefined : this.#cache.get(input.tableId);
    if (cached !== undefined) return cached === "untracked" ? undefined : cached;
    if (session.inTransaction) return undefined;
    const result = await session.executor.query<{ paths: string[] | null; version: string }>(
      `SELECT array_paths AS paths, array_version::text AS version FROM ${this.#registry} WHERE name = $1::text`,
      [input.collection],
      { prepared: true },
    );
    const row = result.rows[0];
    if (row === undefined) {
      this.#cache.delete(input.tableId);
      return undefined;
    }
    if (row.paths === null || row.version === null) {
      this.#cache.set(input.tableId, "untracked");
      return undefined;
    }
    const loaded = { shapes: shapesOf(row.paths), version: row.version };
    this.#cache.set(input.tableId, loaded);
    return loaded;
  }

  /** The guard column's SQL, with its parameters appended to `params`. */
  guard(params: unknown[], collection: string, version: string): string {
    const name = `$${params.push(collection)}::text`;
    const token = `$${params.push(version)}::uuid`;
    return shapesCurrentSql(this.#registry, name, token);
  }

  /** Whether the collection's registry token is still `version` (a statement of its own). */
  async isCurrent(session: Session, collection: string, version: string): Promise<boolean> {
    const result = await session.executor.query<{ current: boolean }>(
      `SELECT ${shapesCurrentSql(this.#registry, "$1::text", "$2::uuid")} AS current`,
      [collection, version],
      { prepared: true },
    );
    return result.rows[0]?.current === true;
  }
}
