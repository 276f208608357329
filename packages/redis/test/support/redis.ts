/**
 * The Redis the tests use: YM_TEST_REDIS_URL (shared with other suites, so every test works under its
 * own key prefix and deletes it afterwards). Under CI a missing URL fails; locally it is a visible skip.
 */
import { randomBytes } from 'node:crypto';
import { connectRedisQuotaStore, type RedisQuotaStore } from '@ym-chats/redis';
import { createClient } from 'redis';
import { describe, it } from 'vitest';

export const REDIS_URL = process.env.YM_TEST_REDIS_URL;

export function uniquePrefix(): string {
  return `ym-test:${randomBytes(5).toString('hex')}:`;
}

/** `describe` when Redis is configured; otherwise a skip (locally) or a failure (CI) saying why. */
export function describeRedis(title: string, body: (url: string) => void): void {
  if (REDIS_URL === undefined) {
    if (process.env.CI === 'true') {
      describe(title, () => {
        it('needs Redis', () => {
          throw new Error('YM_TEST_REDIS_URL is not set; CI must provide Redis (see .ci/run)');
        });
      });
    } else {
      describe.skip(`${title} — skipped: YM_TEST_REDIS_URL is not set`, () => {
        it('needs Redis', () => undefined);
      });
    }
    return;
  }
  describe(title, () => body(REDIS_URL));
}

/** Deletes every key under `prefix`. */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  const client = createClient({ url });
  client.on('error', () => {});
  await client.connect();
  try {
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) keys.push(...batch);
    if (keys.length > 0) await client.del(keys);
  } finally {
    client.destroy();
  }
}

/** `count` stores on one fresh prefix, each its own pair of connections (as separate processes would). */
export async function openStores(url: string, count: number) {
  const prefix = uniquePrefix();
  const stores: RedisQuotaStore[] = [];
  for (let i = 0; i < count; i++) stores.push(await connectRedisQuotaStore(url, { prefix }));
  return {
    prefix,
    stores,
    async close() {
      await Promise.all(stores.map((s) => s.close()));
      await dropPrefix(url, prefix);
    },
  };
}
