/**
 * The index definitions of each collection, cached per process and kept honest by a version.
 *
 * Definitions live in the collection's meta hash: `d` (JSON list of `IndexDefinition`) and `v`
 * (a random token, replaced on every change; absent while the collection has no index). Every
 * write script and index lookup is given the version its caller believed in and refuses to run
 * (`STALE`) if it differs; the caller then reloads and tries again. So a process that missed
 * another process's `ensureIndexes` can neither skip maintaining a new index nor narrow a query
 * with an index that is gone. A collection never seen is assumed to have no index until a write
 * or lookup says otherwise, so plain collections cost nothing extra.
 */

import { randomBytes } from "node:crypto";
import { IntegrityError } from "@agentvault/core";
import type { IndexDefinition } from "./redis-index-entries.js";
import type { CollectionKeys } from "./redis-key-layout.js";
import type { ScriptedClient } from "./redis-scripts.js";

/** The definitions of one collection and the version they were read at. */
export interface IndexState {
  /** "" when the collection has no index definitions. */
  readonly version: string;
  readonly indexes: readonly IndexDefinition[];
}

/** Queries re-read definitions older than this, to start using indexes other processes built. */
const refreshAfterMs = 5000;

const noIndexes: IndexState = Object.freeze({ version: "", indexes: Object.freeze([]) });

function parseDefinitions(text: string | null): IndexDefinition[] {
  if (text === null || text === "") return [];
  try {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) throw new Error("not a list");
    return parsed.map((entry: unknown) => {
      const { id, path, ready } = (entry ?? {}) as Record<string, unknown>;
      if (typeof id !== "string" || typeof path !== "string" || typeof ready !== "boolean") {
        throw new Error("malformed definition");
      }
      return { id, path, ready };
    });
  } catch (error) {
    throw new IntegrityError("The stored index definitions of a collection are malformed", {
      source: "redis",
      cause: error,
    });
  }
}

/** A new version token. */
export function newIndexVersion(): string {
  return randomBytes(9).toString("base64url");
}

/** Index definitions per collection (by meta key), shared by a provider and its siblings. */
export class IndexRegistry {
  readonly #states = new Map<string, { readonly state: IndexState; readonly loadedAt: number }>();

  /** The cached state, or "no indexes" for a collection not seen yet: what writes assume. */
  assumed(keys: CollectionKeys): IndexState {
    return this.#states.get(keys.meta)?.state ?? noIndexes;
  }

  /** The cached state if read recently, else a fresh one: what queries plan with. */
  async current(client: ScriptedClient, keys: CollectionKeys): Promise<IndexState> {
    const cached = this.#states.get(keys.meta);
    if (cached !== undefined && performance.now() - cached.loadedAt < refreshAfterMs) {
      return cached.state;
    }
    return this.load(client, keys);
  }

  /** Reads the definitions from Redis and caches them. */
  async load(client: ScriptedClient, keys: CollectionKeys): Promise<IndexState> {
    const [version, definitions] = await client.hmget(keys.meta, "v", "d");
    const state: IndexState =
      version === null || version === undefined || version === ""
        ? noIndexes
        : { version, indexes: parseDefinitions(definitions ?? null) };
    this.remember(keys, state);
    return state;
  }

  /** Caches a state this process has just written. */
  remember(keys: CollectionKeys, state: IndexState): void {
    this.#states.set(keys.meta, { state, loadedAt: performance.now() });
  }

  /** Forgets a collection (after it was dropped). */
  forget(keys: CollectionKeys): void {
    this.#states.delete(keys.meta);
  }

  /**
   * Replaces the definitions if the stored version is still `expected`; false when another
   * process changed them first (reload and retry).
   */
  async replace(
    client: ScriptedClient,
    keys: CollectionKeys,
    expected: string,
    indexes: readonly IndexDefinition[],
  ): Promise<IndexState | undefined> {
    const state: IndexState = { version: newIndexVersion(), indexes };
    const replaced = await client.avDefine(
      keys.meta,
      expected,
      state.version,
      JSON.stringify(indexes),
    );
    if (Number(replaced) !== 1) return undefined;
    this.remember(keys, state);
    return state;
  }
}
