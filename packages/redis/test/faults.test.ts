/**
 * Faults with real processes: Redis restarted (losing everything) mid-run, and a process killed -9
 * while it holds every slot of a business. The emulator counts 420s by cause.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AdminClient, createEmulator } from '@ym-chats/emulator';
import { connectRedisQuotaStore } from '@ym-chats/redis';
import { ChatsApi, TimeoutError } from '@ym-chats/sdk';
import { expect, it } from 'vitest';
import { spawnAll, startOwnRedis } from './support/processes.js';
import type { ProcessConfig } from './support/quota-process.js';
import { describeRedis, dropPrefix, uniquePrefix } from './support/redis.js';

const API_KEY = 'fault-test-api-key';
const BUSINESS = 4201;

async function start(limit: number, delayMs: number) {
  const emulator = createEmulator({
    credentials: [{ apiKey: API_KEY, businessIds: [BUSINESS] }],
    quotas: { limits: { getChats: limit } },
  });
  const url = await emulator.listen(0);
  const admin = new AdminClient(url);
  await admin.addFaults([{ operation: 'getChats', delayMs }]);
  // Half past: no hour boundary during the run.
  const now = Date.now();
  const offset = (await admin.clock({ setMs: now - (now % 3_600_000) + 1_800_000 })).offsetMs;
  const counters = async () =>
    (await admin.state()).quotas.counters[String(BUSINESS)] ?? { served: 0, parallel: 0, hourly: 0 };
  const inFlight = async () => (await admin.state()).quotas.inFlight[String(BUSINESS)] ?? 0;
  return { emulator, url, admin, offset, counters, inFlight };
}

async function until(check: () => Promise<boolean>, what: string) {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await sleep(10);
  }
  throw new Error(`never happened: ${what}`);
}

describeRedis('faults with 4 processes on one business', (sharedRedis) => {
  it('Redis unreachable: a call waits until its deadline and fails saying why, sending nothing; then resumes', async () => {
    const redis = await startOwnRedis();
    const env = await start(100, 1);
    const store = await connectRedisQuotaStore(redis.url, { prefix: 'down:' });
    try {
      const api = new ChatsApi({
        baseUrl: env.url,
        apiKey: API_KEY,
        maxRetries: 0,
        // The shortest lease the SDK takes: after the restart below, grants resume once it has passed.
        timeoutMs: 1_000,
        rateLimit: { store, leaseMs: 12_000, limits: { getChats: 100 }, now: () => Date.now() + env.offset },
      });
      await api.getChats(BUSINESS);
      await redis.stop();
      const error = await api
        .getChats(BUSINESS, {}, undefined, undefined, { deadlineMs: 1_000 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as Error).message).toMatch(/quota store was unreachable/);
      expect(await env.counters()).toMatchObject({ served: 1 });
      await redis.start();
      await api.getChats(BUSINESS, {}, undefined, undefined, { deadlineMs: 20_000 });
      expect(await env.counters()).toEqual({ served: 2, parallel: 0, hourly: 0 });
    } finally {
      await store.close();
      await env.emulator.close();
      await redis.close();
    }
  });

  it('Redis restarted mid-run (all its data lost): no overrun, work resumes', async () => {
    const redis = await startOwnRedis();
    const env = await start(40, 400);
    try {
      const config = (): ProcessConfig => ({
        api: env.url,
        apiKey: API_KEY,
        redis: redis.url,
        prefix: 'restart:',
        businesses: [BUSINESS],
        workers: 3,
        // Long enough to outlast the pause after the restart (one lease, the shortest the SDK takes).
        durationMs: 15_000,
        leaseMs: 12_000,
        timeoutMs: 5_000,
        maxWaitMs: 1_000,
        limit: 40,
      });
      const processes = await spawnAll([config(), config(), config(), config()]);
      for (const p of processes) p.go(env.offset);
      await until(async () => (await env.counters()).served >= 8, '8 requests served');
      await redis.restart();
      const atRestart = (await env.counters()).served;
      const results = await Promise.all(processes.map((p) => p.result));
      const counters = await env.counters();
      for (const r of results) expect(r).toMatchObject({ serverRateLimit: 0, errors: {} });
      expect(counters).toMatchObject({ parallel: 0, hourly: 0 });
      expect(counters.served).toBeGreaterThan(atRestart);
      expect(counters.served).toBeLessThanOrEqual(40);
    } finally {
      await env.emulator.close();
      await redis.close();
    }
  });

  it('a process killed -9 while holding every slot: its leases expire and the others carry on', async () => {
    const env = await start(1_000, 15);
    const prefix = uniquePrefix();
    try {
      const config = (extra: Partial<ProcessConfig>): ProcessConfig => ({
        api: env.url,
        apiKey: API_KEY,
        redis: sharedRedis,
        prefix,
        businesses: [BUSINESS],
        workers: 2,
        // Long enough to outlast the victim's leases (the shortest the SDK takes).
        durationMs: 15_000,
        leaseMs: 12_000,
        timeoutMs: 6_000,
        maxWaitMs: 5_000,
        limit: 1_000,
        ...extra,
      });
      // A first answer places the window, so the victim may take all four slots at once (until then it
      // is a probe: one request at a time).
      const placing = await connectRedisQuotaStore(sharedRedis, { prefix });
      const rateLimit = { store: placing, now: () => Date.now() + env.offset };
      await new ChatsApi({ baseUrl: env.url, apiKey: API_KEY, rateLimit }).getChats(BUSINESS);
      await placing.close();
      const [victim, ...others] = await spawnAll([
        config({ workers: 4, holdMs: 5_000, durationMs: 10_000 }),
        config({}),
        config({}),
        config({}),
      ]);
      victim!.go(env.offset);
      await until(async () => (await env.inFlight()) === 4, 'the victim holds all 4 slots');
      for (const p of others) p.go(env.offset);
      await sleep(300);
      // Everyone else waits: the four slots are leased.
      expect((await env.counters()).served).toBe(5);
      victim!.child.kill('SIGKILL');
      const results = await Promise.all(others.map((p) => p.result));
      const counters = await env.counters();
      for (const r of results) expect(r).toMatchObject({ serverRateLimit: 0, errors: {} });
      expect(results.reduce((n, r) => n + r!.ok, 0)).toBeGreaterThan(0);
      expect(counters).toMatchObject({ parallel: 0, hourly: 0 });
    } finally {
      await env.emulator.close();
      await dropPrefix(sharedRedis, prefix);
    }
  });
});
