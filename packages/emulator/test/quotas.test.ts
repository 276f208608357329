import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIZ, call, orderChat, type Running, start } from './helpers.js';

let run: Running;
let chatId: number;
beforeAll(async () => {
  run = await start({ quotas: { scale: 0.01, limits: { getChat: 3 } } });
  ({ chatId } = await orderChat(run));
});
afterAll(() => run.emu.close());

describe('hourly quotas', () => {
  it('scales the defaults and takes overrides as given', async () => {
    const state = await run.admin.state();
    expect(state.quotas.limits).toMatchObject({
      getChats: 50,
      getChatHistory: 100,
      sendMessageToChat: 10,
      getChat: 3,
    });
  });

  it('answers 420 with rate-limit headers after the quota, and again after the window moves on', async () => {
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await call(run.url, 'getChat', { query: { chatId } });
      expect(res.status).toBe(200);
      remaining.push(res.headers.get('x-ratelimit-resource-remaining')!);
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const over = await call(run.url, 'getChat', { query: { chatId } });
    expect(over.status).toBe(420);
    expect(over.body.errors[0]).toEqual({
      code: 'LIMIT_EXCEEDED',
      message: 'Hit rate limit of 3 requests per 1 hours for resource getChat',
    });
    expect(over.headers.get('x-ratelimit-resource-limit')).toBe('3');
    expect(over.headers.get('x-ratelimit-resource-remaining')).toBe('0');
    const until = Date.parse(over.headers.get('x-ratelimit-resource-until')!);
    const { now } = await run.admin.clock({ advanceMs: 0 });
    expect(until).toBeGreaterThan(now);
    expect(until - now).toBeLessThanOrEqual(3600_000);
    expect(until % 3600_000).toBe(0);

    // Other methods have their own quota.
    expect((await call(run.url, 'getChats')).status).toBe(200);

    await run.admin.clock({ setMs: until });
    const again = await call(run.url, 'getChat', { query: { chatId } });
    expect(again.status).toBe(200);
    expect(again.headers.get('x-ratelimit-resource-remaining')).toBe('2');
    expect(Date.parse(again.headers.get('x-ratelimit-resource-until')!)).toBe(until + 3600_000);
  });

  it('counts per business', async () => {
    await run.admin.addCredential({ apiKey: 'second', businessIds: [3003] });
    await run.admin.quotas({ reset: true });
    for (let i = 0; i < 3; i++) await call(run.url, 'getChat', { query: { chatId } });
    expect((await call(run.url, 'getChat', { query: { chatId } })).status).toBe(420);
    const other = await call(run.url, 'getChat', {
      business: 3003,
      auth: { 'Api-Key': 'second' },
      query: { chatId },
    });
    expect(other.status).toBe(404);
  });
});

describe('the 4-concurrent-requests cap', () => {
  it('answers the fifth request in flight with 420', async () => {
    await run.admin.quotas({ reset: true });
    const held = Array.from({ length: 4 }, () =>
      call(run.url, 'getChats', { headers: { 'X-Emulator-Fault': 'delay=1500' } }),
    );
    for (let i = 0; i < 200; i++) {
      const state = await run.admin.state();
      if (state.quotas.inFlight[String(BIZ)] === 4) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect((await run.admin.state()).quotas.inFlight[String(BIZ)]).toBe(4);
    const fifth = await call(run.url, 'getChats');
    expect(fifth.status).toBe(420);
    expect(fifth.body.errors[0].message).toBe('Hit rate limit of 4 parallel requests');
    expect(fifth.headers.get('x-ratelimit-resource-until')).toBeTruthy();
    for (const res of await Promise.all(held)) expect(res.status).toBe(200);
    expect((await call(run.url, 'getChats')).status).toBe(200);
  });

  it('counts, per business, requests served and 420s by cause (parallel cap, hourly window)', async () => {
    await run.admin.quotas({ reset: true, limits: { getChat: 3 } });
    const held = Array.from({ length: 4 }, () =>
      call(run.url, 'getChats', { headers: { 'X-Emulator-Fault': 'delay=800' } }),
    );
    for (let i = 0; i < 200; i++) {
      if ((await run.admin.state()).quotas.inFlight[String(BIZ)] === 4) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect((await call(run.url, 'getChats')).status).toBe(420);
    await Promise.all(held);
    for (let i = 0; i < 5; i++) await call(run.url, 'getChat', { query: { chatId } });
    expect((await run.admin.state()).quotas.counters[String(BIZ)]).toEqual({
      served: 7,
      parallel: 1,
      hourly: 2,
    });
    await run.admin.quotas({ reset: true });
    expect((await run.admin.state()).quotas.counters).toEqual({});
  });

  it('can be switched off with the quotas', async () => {
    await run.admin.quotas({ enabled: false });
    const held = Array.from({ length: 6 }, () =>
      call(run.url, 'getChat', { query: { chatId }, headers: { 'X-Emulator-Fault': 'delay=200' } }),
    );
    for (const res of await Promise.all(held)) expect(res.status).toBe(200);
    await run.admin.quotas({ enabled: true });
  });
});
