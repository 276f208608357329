/**
 * @ym-chats/redis: one Yandex Market quota (hourly windows and the 4-request cap per business) shared by
 * every process that uses the same Redis. `new ChatsApi({ rateLimit: { store } })` is all it takes.
 */
export { connectRedisQuotaStore, RedisQuotaStore, type RedisQuotaStoreOptions } from './store.js';
