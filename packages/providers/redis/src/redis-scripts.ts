/**
 * The provider's Lua scripts and their registration on a client. ioredis sends a script's
 * source once per connection and `EVALSHA` afterwards, inside pipelines too, so scripts cost no
 * extra round trip. Each script's KEYS[1] is the collection's meta hash: it routes the call to
 * the right Cluster node, and every key the script builds shares its hash tag.
 */

import type { Cluster, Redis } from "ioredis";
import { putScript } from "./redis-put-script.js";
import { writeScript } from "./redis-write-script.js";

/**
 * Drops up to `limit` records of a collection (ARGV: base, now, limit, channel, collection).
 * Once the key set is empty it deletes the index sets (up to `limit` per call), then the meta
 * hash, and publishes `clear`. Replies `{live records removed, done (1) or not (0)}`.
 */
const dropScript = `
local meta = KEYS[1]
local base = ARGV[1]
local now = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local keysKey = base .. 'keys'
local members = redis.call('ZRANGE', keysKey, 0, limit - 1, 'WITHSCORES')
local live = 0
for i = 1, #members, 2 do
  local key, score = members[i], members[i + 1]
  local recordKey = base .. 'r:' .. key
  if (score == 'inf' or tonumber(score) > now) and redis.call('EXISTS', recordKey) == 1 then
    live = live + 1
  end
  redis.call('DEL', recordKey, base .. 'x:' .. key)
  redis.call('ZREM', keysKey, key)
end
if redis.call('ZCARD', keysKey) > 0 then return {live, 0} end
local sets = redis.call('SPOP', base .. 'ixsets', limit)
for _, name in ipairs(sets) do redis.call('DEL', base .. name) end
if redis.call('SCARD', base .. 'ixsets') > 0 then return {live, 0} end
redis.call('DEL', meta)
if ARGV[4] ~= '' then
  redis.call('PUBLISH', ARGV[4], '{"type":"clear","collection":"' .. ARGV[5] .. '"}')
end
return {live, 1}
`;

/**
 * Candidate keys from index sets (ARGV: base, index version, source count, then per source a
 * part count and its parts: `s <set>`, `z <sorted set> <min> <max>` or `k <key>`). A source is
 * the union of its parts; the reply is the intersection of the sources, `{"OK", key...}`, or
 * `{"STALE"}` when the index definitions changed since the caller read them.
 */
const lookupScript = `
if (redis.call('HGET', KEYS[1], 'v') or '') ~= ARGV[2] then return {'STALE'} end
local base = ARGV[1]
local position = 4
local result = nil
for source = 1, tonumber(ARGV[3]) do
  local parts = tonumber(ARGV[position])
  position = position + 1
  local found = {}
  for part = 1, parts do
    local kind = ARGV[position]
    local members
    if kind == 's' then
      members = redis.call('SMEMBERS', base .. ARGV[position + 1])
      position = position + 2
    elseif kind == 'z' then
      members = redis.call('ZRANGEBYSCORE', base .. ARGV[position + 1], ARGV[position + 2],
        ARGV[position + 3])
      position = position + 4
    else
      members = {ARGV[position + 1]}
      position = position + 2
    end
    for _, member in ipairs(members) do
      if result == nil or result[member] then found[member] = true end
    end
  end
  result = found
end
local reply = {'OK'}
for member in pairs(result or {}) do reply[#reply + 1] = member end
return reply
`;

/**
 * Replaces the index definitions if their version is still the expected one (ARGV: expected
 * version, new version, definitions JSON). Replies 1 when replaced, else 0.
 */
const defineScript = `
if (redis.call('HGET', KEYS[1], 'v') or '') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3])
return 1
`;

/** The script commands, as registered on a client by `registerScripts`. */
export interface ScriptCommands {
  avWrite(meta: string, ...args: string[]): Promise<(string | number)[]>;
  avPut(meta: string, ...args: string[]): Promise<(string | number)[]>;
  avDrop(meta: string, ...args: string[]): Promise<[number, number]>;
  avLookup(meta: string, ...args: string[]): Promise<string[]>;
  avDefine(meta: string, ...args: string[]): Promise<number>;
}

/** A client with the provider's scripts registered. */
export type ScriptedClient = (Redis | Cluster) & ScriptCommands;

/** Registers the scripts on `client` (idempotent) and returns it typed with them. */
export function registerScripts(client: Redis | Cluster): ScriptedClient {
  const scripted = client as ScriptedClient;
  if (typeof scripted.avWrite !== "function") {
    client.defineCommand("avWrite", { numberOfKeys: 1, lua: writeScript });
    client.defineCommand("avPut", { numberOfKeys: 1, lua: putScript });
    client.defineCommand("avDrop", { numberOfKeys: 1, lua: dropScript });
    client.defineCommand("avLookup", { numberOfKeys: 1, lua: lookupScript });
    client.defineCommand("avDefine", { numberOfKeys: 1, lua: defineScript });
  }
  return scripted;
}
