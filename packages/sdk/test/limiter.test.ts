import { AbortError, ChatsApi, type QuotaStore, RateLimitError, TimeoutError } from '@ym-chats/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedServer } from './support/server.js';

let server: ScriptedServer;
beforeAll(async () => {
  server = await ScriptedServer.start();
});
afterAll(() => server.close());

const until = () => new Date(Math.floor(Date.now() / 1000) * 1000 + 1_800_000);
const withQuota = (remaining: number, limit = 1000, at = until()) => ({
  body: { status: 'OK', result: { chats: [] } },
  headers: {
    'x-ratelimit-resource-limit': String(limit),
    'x-ratelimit-resource-remaining': String(remaining),
    'x-ratelimit-resource-until': at.toUTCString(),
  },
});

describe('client-side quota limiter', () => {
  it('learns the remaining quota from response headers and exposes it', async () => {
    const at = until();
    server.reply(withQuota(4321, 5000, at));
    const api = new ChatsApi({ baseUrl: server.url, apiKey: 'key-1234567890' });
    await api.getChats(77);
    const state = await api.quotaState(77);
    expect(state.find((s) => s.operation === 'getChats')).toEqual({
      operation: 'getChats',
      limit: 5000,
      remaining: 4321,
      resetAt: at,
    });
    expect(state.find((s) => s.operation === 'sendMessageToChat')).toMatchObject({
      limit: 1000,
      remaining: 1000,
    });
  });

  it('refuses (reject mode) instead of provoking a 420 once the server says the quota is spent', async () => {
    server.reply(withQuota(0));
    const api = new ChatsApi({
      baseUrl: server.url,
      apiKey: 'key-1234567890',
      rateLimit: { mode: 'reject' },
    });
    await api.getChats(5);
    const error = await api.getChats(5).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ local: true, remaining: 0 });
    expect((error as RateLimitError).message).toMatch(/did not send/);
    expect(server.requests).toHaveLength(1);
    // Other businesses and other operations are unaffected.
    await api.getChats(6);
    await api.getChat(5, 1);
    expect(server.requests).toHaveLength(3);
  });

  it('counts locally against configured limits when the server sends no headers', async () => {
    server.reply({ body: { status: 'OK', result: {} } });
    const api = new ChatsApi({
      baseUrl: server.url,
      apiKey: 'key-1234567890',
      rateLimit: { mode: 'reject', limits: { getChat: 3 } },
    });
    for (let i = 0; i < 3; i++) await api.getChat(9, 1);
    await expect(api.getChat(9, 1)).rejects.toBeInstanceOf(RateLimitError);
    expect(server.requests).toHaveLength(3);
  });

  it('queue mode waits for a window that resets soon, then sends', async () => {
    server.reply(withQuota(0, 10, new Date(Date.now() + 400)), {
      body: { status: 'OK', result: { chats: [] } },
    });
    const api = new ChatsApi({
      baseUrl: server.url,
      apiKey: 'key-1234567890',
      rateLimit: { mode: 'queue', maxWaitMs: 5000 },
    });
    await api.getChats(3);
    await api.getChats(3);
    expect(server.requests).toHaveLength(2);
  });

  it('never has more than 4 requests of one business in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    server.reply((_req, res) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        res.end('{"status":"OK","result":{}}');
      }, 20);
    });
    const api = new ChatsApi({ baseUrl: server.url, apiKey: 'key-1234567890' });
    await Promise.all(Array.from({ length: 12 }, (_, i) => api.getChat(1, i + 1)));
    expect(server.requests).toHaveLength(12);
    expect(peak).toBe(4);
  });

  it('counts its own requests in flight against what the server reports, so it never overshoots', async () => {
    // A server with a quota of 10: each answer reports what is left after it.
    let served = 0;
    const at = until();
    server.reply((_req, res) => {
      served += 1;
      const headers = {
        'x-ratelimit-resource-limit': '10',
        'x-ratelimit-resource-remaining': String(Math.max(0, 10 - served)),
        'x-ratelimit-resource-until': at.toUTCString(),
      };
      setTimeout(() => {
        res.writeHead(served > 10 ? 420 : 200, headers);
        res.end('{"status":"OK","result":{}}');
      }, 5);
    });
    const api = new ChatsApi({
      baseUrl: server.url,
      apiKey: 'key-1234567890',
      rateLimit: { mode: 'reject' },
      maxRetries: 0,
    });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, async () => {
        // One at a time per worker, four workers: always four in flight, as a busy integration would be.
        return api.getChat(4, 1);
      }),
    );
    const sequential: unknown[] = [];
    for (let i = 0; i < 8; i++) sequential.push(await api.getChat(4, 1).catch((e: unknown) => e));
    expect(served).toBeLessThanOrEqual(10);
    const rejected = [
      ...outcomes.map((o) => (o.status === 'rejected' ? o.reason : undefined)),
      ...sequential,
    ];
    expect(rejected.filter((e) => e instanceof RateLimitError && !e.local)).toEqual([]);
  });

  it('a custom store is used for every quota decision', async () => {
    const keys: string[] = [];
    const store: QuotaStore = {
      acquire(request) {
        keys.push(`${request.business}:${request.operation}`);
        return {
          ok: false,
          wait: 'quota',
          state: { limit: request.limit, remaining: 0, resetAt: request.now + 3_600_000 },
        };
      },
      release() {},
      get() {
        return undefined;
      },
    };
    server.reply({ body: { status: 'OK', result: {} } });
    const api = new ChatsApi({
      baseUrl: server.url,
      apiKey: 'key-1234567890',
      rateLimit: { mode: 'reject', store },
    });
    await expect(api.getChat(8, 1)).rejects.toBeInstanceOf(RateLimitError);
    expect(keys).toEqual(['8:getChat']);
    expect(server.requests).toHaveLength(0);
  });
});

describe('the first request of a window the client does not know yet (a probe)', () => {
  it('goes alone: the others wait for its answer, whose figures place the window', async () => {
    server.reply(withQuota(2, 10), withQuota(1, 10), withQuota(0, 10));
    const api = new ChatsApi({ baseUrl: server.url, apiKey: 'key-1234567890', maxRetries: 0 });
    // Configured 1000; the platform says 2 are left: two more go, the rest are refused locally.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, () => api.getChats(12, {}, undefined, undefined, { deadlineMs: 2_000 })),
    );
    expect(server.requests).toHaveLength(3);
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(refused.length).toBe(3);
  });

  it('a 5xx or a 420 without figures leaves it a probe; a success without figures opens it', async () => {
    const events: string[] = [];
    let n = 0;
    server.reply((_req, res) => {
      const status = [503, 420][n++] ?? 200;
      events.push(`arrive ${status}`);
      setTimeout(() => {
        events.push(`answer ${status}`);
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end('{"status":"OK","result":{}}');
      }, 30);
    });
    const api = new ChatsApi({ baseUrl: server.url, apiKey: 'key-1234567890', maxRetries: 0 });
    await expect(api.getChat(14, 1)).rejects.toThrow();
    await expect(api.getChat(14, 1)).rejects.toBeInstanceOf(RateLimitError);
    await Promise.all(Array.from({ length: 3 }, () => api.getChat(14, 1)));
    // Still a probe after the 503 and the 420: the first of the three goes alone; its answer opens it.
    expect(events.slice(4)).toEqual([
      'arrive 200',
      'answer 200',
      'arrive 200',
      'arrive 200',
      'answer 200',
      'answer 200',
    ]);
  });

  it('a probe that timed out lets the next request probe at once (its slot stays held)', async () => {
    server.reply({ delayMs: 2_000, body: { status: 'OK', result: {} } }, withQuota(900));
    const api = new ChatsApi({
      baseUrl: server.url,
      apiKey: 'key-1234567890',
      timeoutMs: 300,
      maxRetries: 0,
    });
    await expect(api.getChats(13)).rejects.toBeInstanceOf(TimeoutError);
    // Waiting out the held slot's 11 s instead would miss this call's deadline.
    await api.getChats(13, {}, undefined, undefined, { deadlineMs: 3_000 });
    expect(server.requests).toHaveLength(2);
  });
});

describe('waiting in the limiter', () => {
  it('an abort while queued for a slot is an AbortError and frees nothing twice', async () => {
    server.reply({ delayMs: 200, body: { status: 'OK', result: {} } });
    const api = new ChatsApi({ baseUrl: server.url, apiKey: 'key-1234567890', maxRetries: 0 });
    const busy = Array.from({ length: 4 }, () => api.getChat(1, 1));
    const controller = new AbortController();
    const queued = api.getChat(1, 1, { signal: controller.signal }).catch((e: unknown) => e);
    controller.abort();
    expect(await queued).toBeInstanceOf(AbortError);
    await Promise.all(busy);
    // The aborted call never reached the server, and the business still has all four slots.
    expect(server.requests).toHaveLength(4);
    await Promise.all(Array.from({ length: 4 }, () => api.getChat(1, 1)));
    expect(server.requests).toHaveLength(8);
  });
});

describe('rateLimit.leaseMs', () => {
  const client = (timeoutMs: number, leaseMs: number) => () =>
    new ChatsApi({ baseUrl: server.url, apiKey: 'key-1234567890', timeoutMs, rateLimit: { leaseMs } });

  it('is refused when a slot could outlive its lease, naming both settings and the fix', () => {
    // Shorter than the hold of an unanswered attempt (the platform's 10 s window after sending).
    expect(client(1_000, 300)).toThrow(/rateLimit\.leaseMs 300 .*timeoutMs 1000.*at least 12000/);
    // Shorter than the attempt timeout itself.
    expect(client(30_000, 20_000)).toThrow(/leaseMs 20000 .*timeoutMs 30000.*at least 31000/);
  });

  it('is taken when it outlasts every hold', () => {
    expect(client(1_000, 12_000)).not.toThrow();
    expect(client(30_000, 31_000)).not.toThrow();
  });

  it('a per-request timeoutMs the lease would not outlast is refused before sending, naming both and the fix', async () => {
    server.reply({ body: { status: 'OK', result: {} } });
    // The default lease of a client with timeoutMs 1 000 is 20 000.
    const api = client(1_000, 20_000)();
    const refused = await api.getChat(1, 1, { timeoutMs: 25_000 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TypeError);
    expect((refused as Error).message).toMatch(
      /timeoutMs 25000 .*rateLimit\.leaseMs 20000.*at most 19000.*at least 26000; nothing was sent/,
    );
    // The call's deadline bounds the attempt too: a longer timeout under a short deadline is fine.
    await api.getChat(1, 1, { timeoutMs: 25_000, deadlineMs: 5_000 });
    await api.getChat(1, 1, { timeoutMs: 19_000 });
    expect(server.requests).toHaveLength(2);
  });
});
