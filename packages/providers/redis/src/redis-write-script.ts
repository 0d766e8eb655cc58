/**
 * The Lua script behind every write. One call applies a batch of operations on one collection
 * atomically: it first checks every precondition (index version, `ifAbsent`, compare-and-set
 * digests, vector size) and writes nothing if one fails, then applies them all, keeping the key
 * set, index sets and native expiry in step, publishes the change feed and removes up to 16
 * expired records. Redis runs scripts one at a time, so no other client sees half a batch.
 *
 * KEYS[1] is the collection's meta hash (it routes the call on a Cluster; every other key the
 * script builds shares its hash tag). ARGV: base, index version, now, channel ("" for none),
 * collection, the database's collection set ("" on a Cluster, where it lives in another slot and
 * the caller adds the name itself), how many expired records to remove ("0" for none),
 * operation count, then `operationWidth` fields per operation:
 * kind, key, text, expected digest, expiresAt ("" for none), PXAT integer, index entries
 * (newline-separated lines `s\t<set>` or `z\t<score>\t<sorted set>`), vector size ("0" for none),
 * length of the text's `{"ca":<createdAt>` head.
 *
 * Kinds: `put` (upsert, keeping the live record's createdAt), `add` (fails if a live record
 * exists), `cas` (update if the stored text's SHA-1 is the expected one), `del`, `cad`
 * (compare-and-delete), `idx` (replace the index entries if the digest still matches).
 *
 * Replies: `{"OK", result...}` (1 when the operation changed a live record, else 0),
 * `{"STALE", version}`, `{"CONFLICT", index}`, `{"MISMATCH", index...}`,
 * `{"DIMENSION", index, size}`.
 */

/** Fields per operation in the script's arguments. */
export const operationWidth = 9;

/** Fields before the first operation. */
export const writeHeaderWidth = 8;

export const writeScript = String.raw`
local meta = KEYS[1]
local base = ARGV[1]
local nowText = ARGV[3]
local now = tonumber(nowText)
local channel = ARGV[4]
local collection = ARGV[5]
local collectionsKey = ARGV[6]
local pruneLimit = ARGV[7]
local count = tonumber(ARGV[8])
local width = ${operationWidth}
local first = ${writeHeaderWidth + 1}
local keysKey = base .. 'keys'

local stored = redis.call('HGET', meta, 'v') or ''
if stored ~= ARGV[2] then return {'STALE', stored} end
-- Index entries exist only in collections that have (or had, before a drop) index definitions.
local indexed = stored ~= ''

local function scoreLive(score)
  if not score then return false end
  if score == 'inf' or score == '+inf' then return true end
  return tonumber(score) > now
end

local function isLive(key)
  return scoreLive(redis.call('ZSCORE', keysKey, key))
    and redis.call('EXISTS', base .. 'r:' .. key) == 1
end

local function removeEntries(key)
  if not indexed then return end
  local entriesKey = base .. 'x:' .. key
  local old = redis.call('GET', entriesKey)
  if not old then return end
  for line in string.gmatch(old, '[^\n]+') do
    if string.sub(line, 1, 1) == 's' then
      redis.call('SREM', base .. string.match(line, '^s\t(.*)$'), key)
    else
      redis.call('ZREM', base .. string.match(line, '^z\t[^\t]*\t(.*)$'), key)
    end
  end
  redis.call('DEL', entriesKey)
end

local function addEntries(key, entries)
  if entries == '' then return end
  for line in string.gmatch(entries, '[^\n]+') do
    local name
    if string.sub(line, 1, 1) == 's' then
      name = string.match(line, '^s\t(.*)$')
      redis.call('SADD', base .. name, key)
    else
      local score
      score, name = string.match(line, '^z\t([^\t]*)\t(.*)$')
      redis.call('ZADD', base .. name, score, key)
    end
    redis.call('SADD', base .. 'ixsets', name)
  end
  redis.call('SET', base .. 'x:' .. key, entries)
end

local function removeRecord(key)
  redis.call('DEL', base .. 'r:' .. key)
  removeEntries(key)
  redis.call('ZREM', keysKey, key)
end

local function writeRecord(key, text, expiresAt, pxat, entries)
  if expiresAt ~= '' and tonumber(expiresAt) <= now then
    removeRecord(key)
    return
  end
  local recordKey = base .. 'r:' .. key
  if pxat == '' then
    redis.call('SET', recordKey, text)
  else
    redis.call('SET', recordKey, text, 'PXAT', pxat)
  end
  if expiresAt == '' then
    redis.call('ZADD', keysKey, '+inf', key)
  else
    redis.call('ZADD', keysKey, expiresAt, key)
  end
  removeEntries(key)
  addEntries(key, entries)
end

local function publish(kind, key)
  if channel == '' then return end
  redis.call('PUBLISH', channel, '{"type":"' .. kind .. '","collection":"' .. collection
    .. '","key":' .. cjson.encode(key) .. '}')
end

local storedDimension = nil
local dimension = nil
local dimensionRead = false
local skip = {}
local mismatches = {'MISMATCH'}
for i = 0, count - 1 do
  local o = first + i * width
  local kind, key, expected, size = ARGV[o], ARGV[o + 1], ARGV[o + 3], ARGV[o + 7]
  if size ~= '0' then
    if not dimensionRead then
      storedDimension = redis.call('HGET', meta, 'dim')
      dimension = storedDimension
      dimensionRead = true
    end
    if dimension and dimension ~= size then return {'DIMENSION', i, dimension} end
    dimension = size
  end
  if kind == 'add' then
    if isLive(key) then return {'CONFLICT', i} end
  elseif kind == 'cas' or kind == 'cad' or kind == 'idx' then
    if isLive(key) then
      if redis.sha1hex(redis.call('GET', base .. 'r:' .. key)) ~= expected then
        skip[i] = true
        if kind ~= 'idx' then mismatches[#mismatches + 1] = i end
      end
    else
      skip[i] = true
      if kind == 'cas' then mismatches[#mismatches + 1] = i end
    end
  end
end
if #mismatches > 1 then return mismatches end

local results = {'OK'}
local added = false
for i = 0, count - 1 do
  local o = first + i * width
  local kind, key, text = ARGV[o], ARGV[o + 1], ARGV[o + 2]
  local expiresAt, pxat, entries = ARGV[o + 4], ARGV[o + 5], ARGV[o + 6]
  local result = 0
  if kind == 'put' or kind == 'add' then
    if kind == 'put' then
      -- A missing key reads as "": only a replaced record costs the liveness check.
      local head = redis.call('GETRANGE', base .. 'r:' .. key, 0, 63)
      if head ~= '' and scoreLive(redis.call('ZSCORE', keysKey, key)) then
        local createdAt = string.match(head, '^{"ca":([^,}]+)')
        if createdAt then
          text = '{"ca":' .. createdAt .. string.sub(text, tonumber(ARGV[o + 8]) + 1)
        end
      end
    end
    writeRecord(key, text, expiresAt, pxat, entries)
    result = 1
    added = true
    publish('put', key)
  elseif kind == 'cas' then
    writeRecord(key, text, expiresAt, pxat, entries)
    result = 1
    publish('update', key)
  elseif kind == 'del' or kind == 'cad' then
    if not skip[i] and isLive(key) then
      removeRecord(key)
      result = 1
      publish('delete', key)
    elseif redis.call('ZSCORE', keysKey, key) then
      removeRecord(key)
    end
  elseif kind == 'idx' and not skip[i] then
    removeEntries(key)
    addEntries(key, entries)
    result = 1
  end
  results[#results + 1] = result
end

if dimension and not storedDimension then redis.call('HSET', meta, 'dim', dimension) end
if added and collectionsKey ~= '' then redis.call('SADD', collectionsKey, collection) end

if pruneLimit ~= '0' then
  local expired = redis.call('ZRANGEBYSCORE', keysKey, '-inf', nowText, 'LIMIT', 0, pruneLimit)
  for _, key in ipairs(expired) do removeRecord(key) end
end
return results
`;
