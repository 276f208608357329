import { describeQuotaStoreContract } from '../../sdk/test/support/quota-store-contract.js';
import { describeRedis, openStores } from './support/redis.js';

describeRedis('RedisQuotaStore', (url) => {
  describeQuotaStoreContract('RedisQuotaStore', { open: (count) => openStores(url, count) });
});
