export type { RedisChangeEvent, RedisChangeListener } from "./redis-change-feed.js";
export type { RedisProviderOptions } from "./redis-options.js";
export { redisProvider } from "./redis-provider.js";
export type { RedisStorageProvider } from "./redis-storage-provider.js";
