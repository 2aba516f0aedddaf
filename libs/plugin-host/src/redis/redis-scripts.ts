// The store's Lua scripts: Redis runs each atomically, so a commit's check, write and publish cannot interleave with
// another replica's. Messages on the channel are `<type>:<payload>`; JSON is built by the client, never decoded here.

/** The keys one cluster uses (its name in braces: every key hashes to one slot, as Redis Cluster needs for scripts). */
export interface ClusterKeys {
  version: string;
  state: string;
  versions: string;
  audit: string;
  replicas: string;
  seen: string;
  channel: string;
}

export function clusterKeys(keyPrefix: string, cluster: string): ClusterKeys {
  const base = `${keyPrefix}{${cluster}}`;
  return {
    version: `${base}:version`,
    state: `${base}:state`,
    versions: `${base}:versions`,
    audit: `${base}:audit`,
    replicas: `${base}:replicas`,
    seen: `${base}:seen`,
    channel: `${base}:changes`,
  };
}

/** The version, each plugin's desired state (JSON) and each plugin's version, as of one moment. */
export const READ = {
  numberOfKeys: 3,
  lua: `return { redis.call('GET', KEYS[1]) or '0', redis.call('HGETALL', KEYS[2]), redis.call('HGETALL', KEYS[3]) }`,
};

/**
 * KEYS version, state, versions; ARGV plugin, desired JSON, expected entry version, at-least store version, change
 * JSON (without the version), channel. Returns { status, version }.
 */
export const COMMIT = {
  numberOfKeys: 3,
  lua: `
local version = tonumber(redis.call('GET', KEYS[1]) or '0')
if version < tonumber(ARGV[4]) then return { 'stale', version } end
if tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0') ~= tonumber(ARGV[3]) then return { 'conflict', version } end
version = version + 1
redis.call('SET', KEYS[1], version)
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[1], version)
redis.call('PUBLISH', ARGV[6], 'change:' .. version .. ':' .. ARGV[5])
return { 'committed', version }`,
};

/**
 * KEYS version, state, versions; ARGV version, channel, then plugin, desired JSON, entry version for each plugin.
 * Replaces the state only when the stored version is lower. Returns 1 when it did.
 */
export const SEED = {
  numberOfKeys: 3,
  lua: `
if tonumber(redis.call('GET', KEYS[1]) or '0') >= tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[2], KEYS[3])
for i = 3, #ARGV, 3 do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 2])
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('PUBLISH', ARGV[2], 'seeded:' .. ARGV[1])
return 1`,
};

/** KEYS audit; ARGV entry JSON, capacity, channel. */
export const APPEND_AUDIT = {
  numberOfKeys: 1,
  lua: `
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'entry', ARGV[1])
redis.call('PUBLISH', ARGV[3], 'audit:' .. ARGV[1])`,
};

/** KEYS replicas, seen; ARGV replica, info JSON ('' removes it), seen (ms), channel. */
export const ANNOUNCE = {
  numberOfKeys: 2,
  lua: `
if ARGV[2] == '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  return
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('PUBLISH', ARGV[4], 'replica:' .. ARGV[2])`,
};

/** KEYS replicas, seen; ARGV oldest seen (ms) kept. Forgets the replicas not seen since, returns the others' info. */
export const REPLICAS = {
  numberOfKeys: 2,
  lua: `
local gone = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[1])
for _, replica in ipairs(gone) do redis.call('HDEL', KEYS[1], replica) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[1])
return redis.call('HVALS', KEYS[1])`,
};
