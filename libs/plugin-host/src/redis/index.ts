// `nestjs-plugin-host/redis`: the replicas' shared plugin state in Redis, a subpath of its own so that a host without
// it never loads ioredis (an optional peer dependency).
export { RedisPluginStateStore, type RedisPluginStateStoreOptions } from './redis-state-store.js';
