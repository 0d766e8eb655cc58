/**
 * Fetching the candidates of an index plan (see `redis-index-planner.ts`), by the cheapest
 * route that is still exact about the index version:
 * - keys only (`_id` conditions): `MGET`, no index involved, so no version to check;
 * - one equality set (the common `{ field: value }`): one `MULTI` holding `HGET` of the version
 *   and `SORT <set> BY nosort GET # GET <base>r:*`, which reads every member's record inside
 *   Redis in one round trip. Not on a Cluster (SORT's GET patterns must stay in one slot), nor
 *   when the base holds a `*` (the pattern's wildcard), nor once Redis refused it (ACL users
 *   without full read permission);
 * - anything else: the lookup script intersects the sources and returns keys, then `MGET`.
 * Each returns `"stale"` when the index definitions changed since `state` was read.
 */

import type { CandidatePlan } from "./redis-index-planner.js";
import type { IndexState } from "./redis-index-registry.js";
import {
  decodeLive,
  type LoadedRecord,
  loadRecords,
  type ReadTarget,
} from "./redis-record-reader.js";

/** Clients on which Redis refused `SORT ... GET` (for example under ACL key patterns). */
const sortRefused = new WeakSet<object>();

function isCluster(client: object): boolean {
  return (client as { isCluster?: unknown }).isCluster === true;
}

/** The keys of a plan made of `_id` conditions only, or undefined. */
function plannedKeys(plan: CandidatePlan): string[] | undefined {
  let keys: Set<string> | undefined;
  for (const parts of plan.sources) {
    const source = new Set<string>();
    for (const part of parts) {
      if (part.kind !== "key") return undefined;
      source.add(part.key);
    }
    keys = keys === undefined ? source : new Set([...keys].filter((key) => source.has(key)));
  }
  return [...(keys ?? [])];
}

/** The live records of `keys`; `indexed` keys without one are stale index members. */
async function loadExisting(
  target: ReadTarget,
  keys: readonly string[],
  indexed: boolean,
): Promise<LoadedRecord[]> {
  const loaded: LoadedRecord[] = [];
  for (const entry of await loadRecords(target, keys)) {
    if (entry !== null) loaded.push(entry);
    else if (indexed) target.stale.seen = true;
  }
  return loaded;
}

async function lookupBySort(
  target: ReadTarget,
  state: IndexState,
  suffix: string,
): Promise<LoadedRecord[] | "stale" | undefined> {
  const base = target.keys.base;
  const replies = await target.client
    .multi()
    .hget(target.keys.meta, "v")
    .sort(`${base}${suffix}`, "BY", "nosort", "GET", "#", "GET", `${base}r:*`)
    .exec();
  const [version, sorted] = replies ?? [];
  if (sorted?.[0] != null) {
    if (/NOPERM|denied|not allowed/i.test(String(sorted[0]))) {
      sortRefused.add(target.client);
      return undefined;
    }
    throw sorted[0];
  }
  if (version?.[0] != null) throw version[0];
  if (((version?.[1] as string | null) ?? "") !== state.version) return "stale";
  const flat = (sorted?.[1] ?? []) as (string | null)[];
  const loaded: LoadedRecord[] = [];
  for (let index = 0; index < flat.length; index += 2) {
    const entry = decodeLive(flat[index + 1] ?? null, flat[index]!, target.now);
    if (entry !== null) loaded.push(entry);
    else target.stale.seen = true;
  }
  return loaded;
}

function scriptArguments(target: ReadTarget, state: IndexState, plan: CandidatePlan): string[] {
  const args = [target.keys.base, state.version, String(plan.sources.length)];
  for (const parts of plan.sources) {
    args.push(String(parts.length));
    for (const part of parts) {
      if (part.kind === "set") args.push("s", part.suffix);
      else if (part.kind === "range") args.push("z", part.suffix, part.min, part.max);
      else args.push("k", part.key);
    }
  }
  return args;
}

/** The live records among the plan's candidates, or "stale". */
export async function lookupCandidates(
  target: ReadTarget,
  state: IndexState,
  plan: CandidatePlan,
): Promise<LoadedRecord[] | "stale"> {
  const keys = plannedKeys(plan);
  if (keys !== undefined) return loadExisting(target, keys, false);
  const only = plan.sources.length === 1 ? plan.sources[0] : undefined;
  const part = only?.length === 1 ? only[0] : undefined;
  if (
    part?.kind === "set" &&
    !isCluster(target.client) &&
    !target.keys.base.includes("*") &&
    !sortRefused.has(target.client)
  ) {
    const found = await lookupBySort(target, state, part.suffix);
    if (found !== undefined) return found;
  }
  const [status, ...candidates] = await target.client.avLookup(
    target.keys.meta,
    ...scriptArguments(target, state, plan),
  );
  if (status !== "OK") return "stale";
  return loadExisting(target, candidates, true);
}
