/**
 * The Qdrant collections of one provider root: created on first write (with the dimension the
 * options or the first vector give, and an index on the expiry field every read filters on),
 * and their vector size cached so a wrong-sized vector fails with a clear `ValidationError`
 * before any request.
 */

import { ValidationError, type VectorMetric } from "@agentvault/core";
import type { QdrantClient } from "@qdrant/js-client-rest";
import { httpStatus, isNotFound, source, toAgentVaultError } from "./qdrant-errors.js";
import { qdrantDistance } from "./qdrant-options.js";
import { vectorName } from "./qdrant-payload-codec.js";

/** What is known about one Qdrant collection. */
export interface CollectionState {
  /** The vector size, or undefined when the collection was created without a vector. */
  readonly dimension: number | undefined;
}

/** Reads the vector size out of a collection's description. */
export function describedDimension(description: unknown): number | undefined {
  const vectors = (description as { config?: { params?: { vectors?: unknown } } } | null)?.config
    ?.params?.vectors as { readonly [name: string]: { size?: unknown } } | undefined;
  const size = vectors?.[vectorName]?.size;
  return typeof size === "number" ? size : undefined;
}

/** Cache and creation of Qdrant collections. */
export class QdrantCollections {
  readonly #client: () => QdrantClient;
  readonly #known = new Map<string, CollectionState>();

  constructor(client: () => QdrantClient) {
    this.#client = client;
  }

  /** The collection's state, or undefined when it does not exist. */
  async find(name: string): Promise<CollectionState | undefined> {
    const known = this.#known.get(name);
    if (known !== undefined) return known;
    try {
      const description = await this.#client().getCollection(name);
      const state = { dimension: describedDimension(description) };
      this.#known.set(name, state);
      return state;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw toAgentVaultError(error, "read a collection");
    }
  }

  /** The collection's state, creating the collection when it does not exist. */
  async ensure(
    name: string,
    settings: { readonly dimension: number | undefined; readonly metric: VectorMetric },
  ): Promise<CollectionState> {
    const found = await this.find(name);
    if (found !== undefined) return found;
    const client = this.#client();
    const vectors =
      settings.dimension === undefined
        ? {}
        : { [vectorName]: { size: settings.dimension, distance: qdrantDistance(settings.metric) } };
    try {
      await client.createCollection(name, { vectors });
    } catch (error) {
      // Another writer created it first: use theirs.
      if (httpStatus(error) !== 409 && httpStatus(error) !== 400) {
        throw toAgentVaultError(error, "create a collection");
      }
      this.#known.delete(name);
      const created = await this.find(name);
      if (created !== undefined) return created;
      throw toAgentVaultError(error, "create a collection");
    }
    try {
      await client.createPayloadIndex(name, {
        field_name: "_av.expiresAt",
        field_schema: "float",
        wait: true,
      });
    } catch (error) {
      throw toAgentVaultError(error, "index the expiry field");
    }
    const state = { dimension: settings.dimension };
    this.#known.set(name, state);
    return state;
  }

  /** Forgets a collection (after it was deleted). */
  forget(name: string): void {
    this.#known.delete(name);
  }

  /** Checks vectors against the collection's size. */
  checkVectors(
    name: string,
    state: CollectionState,
    vectors: readonly (readonly number[] | undefined)[],
  ): void {
    for (const vector of vectors) {
      if (vector === undefined) continue;
      if (state.dimension === undefined) {
        throw new ValidationError(
          `Collection ${name} was created without vectors; set the provider's dimensions option for it before its first write`,
          "vector",
          { source },
        );
      }
      if (vector.length !== state.dimension) {
        throw new ValidationError(
          `Vector dimension mismatch: the collection holds ${state.dimension}-dimensional vectors, got ${vector.length}`,
          "vector",
          { source },
        );
      }
    }
  }
}
