/**
 * Clients sharing one QuotaStore against the real emulator, which counts what overran it (served, 420s
 * by cause). Each case is one of the ways independent clients used to overrun a shared quota.
 */
import { AdminClient, createEmulator, DEFAULT_BUSINESS_ID } from '@ym-chats/emulator';
import {
  ChatsApi,
  type ClientOptions,
  type FetchLike,
  MemoryQuotaStore,
  RateLimitError,
} from '@ym-chats/sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';

const BUSINESS = DEFAULT_BUSINESS_ID;
const HOUR = 3_600_000;

async function start(quotas: { limits?: Record<string, number> } = {}) {
  // The emulator reads the (possibly mocked) Date on every request, as the clients do.
  const emulator = createEmulator({ seed: 3, quotas, now: () => Date.now() });
  const url = await emulator.listen(0);
  const admin = new AdminClient(url);
  const client = (options: Partial<ClientOptions>) =>
    new ChatsApi({ baseUrl: url, apiKey: 'emulator-api-key', maxRetries: 0, ...options });
  const counters = async () =>
    (await admin.state()).quotas.counters[String(BUSINESS)] ?? { served: 0, parallel: 0, hourly: 0 };
  return { emulator, url, admin, client, counters };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('clients sharing one QuotaStore on the real emulator', () => {
  it('share the 4-slot cap: 8 parallel calls from two clients, no 420', async () => {
    const env = await start();
    try {
      await env.admin.addFaults([{ operation: 'getChats', delayMs: 60 }]);
      const store = new MemoryQuotaStore();
      const a = env.client({ rateLimit: { store } });
      const b = env.client({ rateLimit: { store } });
      const calls = Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).getChats(BUSINESS, {}, undefined, 5));
      const outcomes = await Promise.allSettled(calls);
      expect(await env.counters()).toEqual({ served: 8, parallel: 0, hourly: 0 });
      expect(outcomes.every((o) => o.status === 'fulfilled')).toBe(true);
    } finally {
      await env.emulator.close();
    }
  });

  it("count a slow client's requests still on their way: never more than the quota reaches the server", async () => {
    const env = await start({ limits: { getChat: 10 } });
    try {
      const { result } = await env.client({}).getChats(BUSINESS, {}, undefined, 1);
      const chatId = result.chats[0]!.chatId;
      await env.admin.quotas({ reset: true });
      const store = new MemoryQuotaStore();
      // A client whose requests take a while to reach the platform (a slow link, a busy proxy).
      const slowFetch: FetchLike = async (input, init) => {
        await new Promise((resolve) => setTimeout(resolve, 400));
        return fetch(input, init);
      };
      const slow = env.client({ rateLimit: { store, mode: 'reject' }, fetch: slowFetch });
      const fast = env.client({ rateLimit: { store, mode: 'reject' } });
      const slowCalls = Array.from({ length: 3 }, () =>
        slow.getChat(BUSINESS, chatId).catch((e: unknown) => e),
      );
      for (let i = 0; i < 20; i++) {
        const error = await fast.getChat(BUSINESS, chatId).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (error instanceof RateLimitError && error.local) break;
        if (error !== undefined) throw error;
      }
      await Promise.all(slowCalls);
      expect(await env.counters()).toEqual({ served: 10, parallel: 0, hourly: 0 });
    } finally {
      await env.emulator.close();
    }
  });

  it('a response that straddles the hour does not bring the old window back', async () => {
    // The platform's next hour boundary; Date is frozen and moved by hand (timers stay real).
    const H = Math.ceil(Date.now() / HOUR) * HOUR + HOUR;
    vi.setSystemTime(H - 5_000);
    const env = await start({ limits: { getChat: 5 } });
    try {
      const api0 = env.client({});
      const { result } = await api0.getChats(BUSINESS, {}, undefined, 1);
      const chatId = result.chats[0]!.chatId;
      await env.admin.quotas({ reset: true });
      const api = env.client({ rateLimit: { mode: 'reject' } });
      await api.getChat(BUSINESS, chatId);
      // Counted in the old hour, answered in the new one.
      const straddling = api.getChat(BUSINESS, chatId, { headers: { 'X-Emulator-Fault': 'delay=1500' } });
      await new Promise((resolve) => setTimeout(resolve, 300));
      vi.setSystemTime(H + 1_000);
      await api.getChat(BUSINESS, chatId);
      await api.getChat(BUSINESS, chatId);
      await straddling;
      // A burst in the new hour: only what is left of it may go.
      const burst = await Promise.allSettled(Array.from({ length: 5 }, () => api.getChat(BUSINESS, chatId)));
      const refused = burst.map((o) => (o.status === 'rejected' ? o.reason : undefined)).filter(Boolean);
      // Old hour: 2 served. New hour: 4 of its 5 (the straddling request might have landed in it, so its
      // unit stays spent) and none refused by the platform.
      expect(await env.counters()).toEqual({ served: 6, parallel: 0, hourly: 0 });
      expect(refused.every((e) => e instanceof RateLimitError && e.local)).toBe(true);
    } finally {
      await env.emulator.close();
    }
  });
});

describe('a store that knows nothing yet (a process restarted, a new store) on the real emulator', () => {
  it('does not open a mostly used window at the full limit: its first request probes', async () => {
    const env = await start({ limits: { getChats: 20 } });
    try {
      // Half past the hour on both clocks (the emulator reads the mocked Date): no boundary mid-test.
      vi.setSystemTime(Date.UTC(2031, 0, 1, 12, 30));
      const before = env.client({});
      for (const batch of [4, 4, 4, 4, 2])
        await Promise.all(Array.from({ length: batch }, () => before.getChats(BUSINESS, {}, undefined, 1)));
      // The process restarts: a new client with a new memory store, configured with the full 20.
      const after = env.client({ rateLimit: { mode: 'reject', limits: { getChats: 20 } } });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 12 }, () => after.getChats(BUSINESS, {}, undefined, 1)),
      );
      expect(await env.counters()).toEqual({ served: 20, parallel: 0, hourly: 0 });
      const refused = outcomes.filter(
        (o) => o.status === 'rejected' && o.reason instanceof RateLimitError && o.reason.local,
      );
      expect(refused).toHaveLength(10);
    } finally {
      await env.emulator.close();
    }
  });
});
