import { AdminClient, createEmulator, DEFAULT_BUSINESS_ID } from '@ym-chats/emulator';
import { ChatsApi } from '@ym-chats/sdk';
import { expect, it } from 'vitest';
import { describeRedis, openStores } from './support/redis.js';

describeRedis('ChatsApi over RedisQuotaStore (one process, separate connections)', (url) => {
  it('two clients with their own connections share the 4-slot cap: no 420 from the emulator', async () => {
    const emulator = createEmulator({ seed: 3 });
    const base = await emulator.listen(0);
    const { stores, close } = await openStores(url, 2);
    try {
      await new AdminClient(base).addFaults([{ operation: 'getChats', delayMs: 40 }]);
      const apis = stores.map(
        (store) =>
          new ChatsApi({ baseUrl: base, apiKey: 'emulator-api-key', maxRetries: 0, rateLimit: { store } }),
      );
      const results = await Promise.allSettled(
        Array.from({ length: 16 }, (_, i) => apis[i % 2]!.getChats(DEFAULT_BUSINESS_ID, {}, undefined, 5)),
      );
      expect(results.filter((r) => r.status === 'rejected').map((r) => String(r.reason))).toEqual([]);
    } finally {
      await close();
      await emulator.close();
    }
  });
});
