/**
 * Real processes, each its own ChatsApi over one Redis, against the real emulator (in this process)
 * with scaled quotas. The emulator counts what would have overrun the platform: 420s by cause.
 */
import { AdminClient, createEmulator } from '@ym-chats/emulator';
import { expect, it } from 'vitest';
import { spawnAll } from './support/processes.js';
import type { ProcessConfig, ProcessResult } from './support/quota-process.js';
import { describeRedis, dropPrefix, uniquePrefix } from './support/redis.js';

const HOUR = 3_600_000;
const API_KEY = 'multi-process-key';

async function emulatorFor(businesses: number[], limit: number) {
  const emulator = createEmulator({
    credentials: [{ apiKey: API_KEY, businessIds: businesses }],
    quotas: { limits: { getChats: limit } },
  });
  const url = await emulator.listen(0);
  const admin = new AdminClient(url);
  // Requests that take a little while, so callers overlap and the 4-slot cap matters.
  await admin.addFaults([{ operation: 'getChats', delayMs: 15 }]);
  return { emulator, url, admin };
}

/** Moves the emulator's clock to `msBeforeHour` before an hour boundary; returns its offset. */
async function nearHour(admin: AdminClient, msBeforeHour: number): Promise<number> {
  const boundary = Math.ceil(Date.now() / HOUR) * HOUR + HOUR;
  return (await admin.clock({ setMs: boundary - msBeforeHour })).offsetMs;
}

function totals(results: (ProcessResult | undefined)[]) {
  const sum = { ok: 0, serverRateLimit: 0, errors: {} as Record<string, number> };
  for (const r of results) {
    expect(r).toBeDefined();
    sum.ok += r!.ok;
    sum.serverRateLimit += r!.serverRateLimit;
    Object.assign(sum.errors, r!.errors);
  }
  return sum;
}

describeRedis('4 processes share one quota through Redis', (redis) => {
  const base = (
    url: string,
    prefix: string,
    businesses: number[],
    limit: number,
  ): Omit<ProcessConfig, 'workers'> => ({
    limit,
    api: url,
    apiKey: API_KEY,
    redis,
    prefix,
    businesses,
    durationMs: 3_500,
    leaseMs: 16_000,
    maxWaitMs: 5_000,
  });

  it('one business, across an hour boundary of the emulator clock: no 420, no window over its quota', async () => {
    const businesses = [4001];
    const env = await emulatorFor(businesses, 30);
    const prefix = uniquePrefix();
    try {
      const processes = await spawnAll(
        Array.from({ length: 4 }, () => ({ ...base(env.url, prefix, businesses, 30), workers: 4 })),
      );
      const offset = await nearHour(env.admin, 1_200);
      for (const p of processes) p.go(offset);
      const sum = totals(await Promise.all(processes.map((p) => p.result)));
      const counters = (await env.admin.state()).quotas.counters['4001'];
      expect(sum.errors).toEqual({});
      expect(counters).toMatchObject({ parallel: 0, hourly: 0 });
      // Both hours were used, neither beyond its 30.
      expect(counters!.served).toBeGreaterThan(30);
      expect(counters!.served).toBeLessThanOrEqual(60);
      expect(sum.ok).toBe(counters!.served);
    } finally {
      await env.emulator.close();
      await dropPrefix(redis, prefix);
    }
  });

  it('200 businesses, across an hour boundary: no 420 for any of them', async () => {
    const businesses = Array.from({ length: 200 }, (_, i) => 5001 + i);
    const env = await emulatorFor(businesses, 2);
    const prefix = uniquePrefix();
    try {
      const processes = await spawnAll(
        Array.from({ length: 4 }, () => ({
          ...base(env.url, prefix, businesses, 2),
          workers: 8,
          durationMs: 4_000,
        })),
      );
      const offset = await nearHour(env.admin, 1_500);
      for (const p of processes) p.go(offset);
      const sum = totals(await Promise.all(processes.map((p) => p.result)));
      const counters = (await env.admin.state()).quotas.counters;
      expect(sum.errors).toEqual({});
      expect(sum.serverRateLimit).toBe(0);
      let served = 0;
      for (const id of businesses) {
        const c = counters[String(id)] ?? { served: 0, parallel: 0, hourly: 0 };
        expect({ id, parallel: c.parallel, hourly: c.hourly }).toEqual({ id, parallel: 0, hourly: 0 });
        expect(c.served).toBeLessThanOrEqual(4);
        served += c.served;
      }
      expect(sum.ok).toBe(served);
      // Work went on past the boundary: some business was served in both hours.
      expect(Math.max(...businesses.map((id) => counters[String(id)]?.served ?? 0))).toBeGreaterThan(2);
    } finally {
      await env.emulator.close();
      await dropPrefix(redis, prefix);
    }
  });
});
