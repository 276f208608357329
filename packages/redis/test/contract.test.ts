import { describeQuotaStoreContract } from '@ym-chats/testkit';
import { describeRedis, openStores } from './support/redis.js';

describeRedis('RedisQuotaStore', (url) => {
  describeQuotaStoreContract('RedisQuotaStore', { open: (count) => openStores(url, count) });
});
