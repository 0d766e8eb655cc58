/**
 * Loads `hnswlib-node` (the maintained Node binding of hnswlib) on first need. It is an
 * optional dependency: it compiles with node-gyp at install time, and a machine without a C++
 * toolchain must still get a working provider, so when it cannot be loaded the provider keeps
 * answering every search exactly and says why in `prepareVectorIndex`'s status.
 */

import { createRequire } from "node:module";

/** The part of hnswlib-node's `HierarchicalNSW` this package uses. */
export interface HnswIndex {
  initIndex(maxElements: number, m?: number, efConstruction?: number, randomSeed?: number): void;
  resizeIndex(newMaxElements: number): void;
  addPoint(point: number[], label: number): void;
  markDelete(label: number): void;
  searchKnn(
    queryPoint: number[],
    numNeighbors: number,
    filter?: (label: number) => boolean,
  ): { distances: number[]; neighbors: number[] };
  getMaxElements(): number;
  getCurrentCount(): number;
  setEf(ef: number): void;
}

/** hnswlib's distance spaces. */
export type HnswSpace = "l2" | "ip" | "cosine";

/** Creates an empty index for `dimension`-sized vectors in `space`. */
export type HnswFactory = (space: HnswSpace, dimension: number) => HnswIndex;

type Loaded = { readonly factory: HnswFactory } | { readonly error: string };

let loaded: Loaded | undefined;

/**
 * The hnswlib-node factory, or the reason it is unavailable. Loaded once per process; a
 * synchronous `require`, because the binding is a CommonJS native addon.
 */
export function loadHnswlib(): Loaded {
  if (loaded !== undefined) return loaded;
  try {
    const require = createRequire(import.meta.url);
    const binding = require("hnswlib-node") as {
      HierarchicalNSW: new (space: HnswSpace, dimension: number) => HnswIndex;
    };
    loaded = { factory: (space, dimension) => new binding.HierarchicalNSW(space, dimension) };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    loaded = { error: `hnswlib-node is not available (${reason})` };
  }
  return loaded;
}
