/**
 * A Redis restarted empty, with a process that connects FIRST afterwards (every process restarted along
 * with Redis): nothing tells it from a first start, so every window it does not know must be a probe
 * until the platform's answer places it. The emulator (scaled quotas) counts what went over.
 */
import { AdminClient, createEmulator } from '@ym-chats/emulator';
import { connectRedisQuotaStore, type RedisQuotaStore } from '@ym-chats/redis';
import { ChatsApi, RateLimitError } from '@ym-chats/sdk';
import { expect, it } from 'vitest';
import { startOwnRedis } from './support/processes.js';
import { describeRedis } from './support/redis.js';

const API_KEY = 'empty-restart-api-key';
const BUSINESS = 4301;
const LIMIT = 20;

describeRedis('a process connecting first to a Redis restarted empty', () => {
  it('does not reopen a mostly used window at the full limit: 0 requests over the hourly quota', async () => {
    const redis = await startOwnRedis();
    const emulator = createEmulator({
      credentials: [{ apiKey: API_KEY, businessIds: [BUSINESS] }],
      quotas: { limits: { getChats: LIMIT } },
    });
    const url = await emulator.listen(0);
    const admin = new AdminClient(url);
    // Half past the hour on the emulator's clock: no hour boundary during the test.
    const now = Date.now();
    const offset = (await admin.clock({ setMs: now - (now % 3_600_000) + 1_800_000 })).offsetMs;
    await admin.addFaults([{ operation: 'getChats', delayMs: 30 }]);
    const counters = async () =>
      (await admin.state()).quotas.counters[String(BUSINESS)] ?? { served: 0, parallel: 0, hourly: 0 };
    const client = (store: RedisQuotaStore) =>
      new ChatsApi({
        baseUrl: url,
        apiKey: API_KEY,
        maxRetries: 0,
        rateLimit: { store, mode: 'reject', limits: { getChats: LIMIT }, now: () => Date.now() + offset },
      });
    const stores: RedisQuotaStore[] = [];
    try {
      // Before the restart: 18 of the 20 used, through the shared store. Two are left: fewer than the
      // four requests a window opened at the full limit would send at once.
      const before = await connectRedisQuotaStore(redis.url, { prefix: 'first:' });
      stores.push(before);
      const old = client(before);
      for (const batch of [4, 4, 4, 4, 2])
        await Promise.all(Array.from({ length: batch }, () => old.getChats(BUSINESS, {}, undefined, 1)));
      await before.close();
      expect(await counters()).toEqual({ served: 18, parallel: 0, hourly: 0 });

      await redis.restart();
      // The first process after the restart: to it, this Redis looks like a first start.
      const after = await connectRedisQuotaStore(redis.url, { prefix: 'first:' });
      stores.push(after);
      const fresh = client(after);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 12 }, () => fresh.getChats(BUSINESS, {}, undefined, 1)),
      );
      expect(await counters()).toEqual({ served: 20, parallel: 0, hourly: 0 });
      const refused = outcomes.filter(
        (o) => o.status === 'rejected' && o.reason instanceof RateLimitError && o.reason.local,
      );
      expect(refused).toHaveLength(10);
    } finally {
      for (const store of stores) await store.close();
      await emulator.close();
      await redis.close();
    }
  });
});
