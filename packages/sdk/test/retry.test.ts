import {
  ChatsApi,
  type ClientOptions,
  InternalServerError,
  type QuotaStore,
  RateLimitError,
} from '@ym-chats/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from './support/failure.js';
import { ScriptedServer } from './support/server.js';

let server: ScriptedServer;
beforeAll(async () => {
  server = await ScriptedServer.start();
});
afterAll(() => server.close());

const fast = { baseDelayMs: 1, maxDelayMs: 5 };
const client = (extra: Partial<ClientOptions> = {}) =>
  new ChatsApi({
    baseUrl: server.url,
    apiKey: 'key-1234567890',
    rateLimit: false,
    maxRetries: 3,
    retry: fast,
    ...extra,
  });

const ok = { body: { status: 'OK', result: { chatId: 7, chats: [], messages: [] } } };
const e500 = { status: 500, body: { status: 'ERROR', errors: [{ code: 'INTERNAL_ERROR' }] } };
const e420 = (until: Date, remaining = 0) => ({
  status: 420,
  body: {
    status: 'ERROR',
    errors: [{ code: 'LIMIT_EXCEEDED', message: 'Hit rate limit of 1000 requests per 1 hours' }],
  },
  headers: {
    'x-ratelimit-resource-limit': '1000',
    'x-ratelimit-resource-remaining': String(remaining),
    'x-ratelimit-resource-until': until.toUTCString(),
  },
});

/** Collects the delays the SDK logs before each retry. */
function retryDelays() {
  const seen: number[] = [];
  const noop = () => {};
  const warn = (_message: string, data?: Record<string, unknown>) => {
    if (typeof data?.delayMs === 'number') seen.push(data.delayMs);
  };
  return { seen, created: Date.now(), logger: { debug: noop, info: noop, warn, error: noop } };
}

const reads: Array<[string, (api: ChatsApi) => Promise<unknown>]> = [
  ['getChats', (api) => api.getChats(1)],
  ['getChatHistory', (api) => api.getChatHistory(1, 2)],
  ['getChat', (api) => api.getChat(1, 2)],
  ['getChatMessage', (api) => api.getChatMessage(1, 2, 3)],
  ['createChat', (api) => api.createChat(1, { context: { type: 'ORDER', id: 5 } })],
];
const sends: Array<[string, (api: ChatsApi) => Promise<unknown>]> = [
  ['sendMessageToChat', (api) => api.sendMessageToChat(1, 2, { message: 'hi' })],
  ['sendFileToChat', (api) => api.sendFileToChat(1, 2, { data: new Uint8Array([1]), name: 'a.bin' })],
];

describe('reads and createChat repeat what is safe to repeat', () => {
  for (const [name, call] of reads) {
    it(`${name}: 500, dropped connection and timeout are retried, then it succeeds`, async () => {
      server.reply(e500, 'drop', { delayMs: 300, ...ok }, ok);
      await call(client({ timeoutMs: 100 }));
      expect(server.requests).toHaveLength(4);
    });
  }

  it('gives up after maxRetries with the last error', async () => {
    server.reply(e500);
    const error = await failure(client({ maxRetries: 2 }).getChats(1));
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error.attempts).toBe(3);
    expect(server.requests).toHaveLength(3);
  });

  it('per-call maxRetries overrides the client', async () => {
    server.reply(e500);
    await failure(client({ maxRetries: 5 }).getChats(1, {}, undefined, undefined, { maxRetries: 0 }));
    expect(server.requests).toHaveLength(1);
  });

  it('400, 401, 403 and 404 are not retried', async () => {
    for (const status of [400, 401, 403, 404]) {
      server.reply({ status, body: { status: 'ERROR', errors: [{ code: 'X' }] } });
      await failure(client().getChats(1));
      expect(server.requests).toHaveLength(1);
    }
  });
});

describe('sends never message a buyer twice', () => {
  for (const [name, call] of sends) {
    it(`${name}: a 500 is not retried and says the message may have been sent`, async () => {
      server.reply(e500, ok);
      const error = await failure(call(client()));
      expect(error).toBeInstanceOf(InternalServerError);
      expect(error.maybeSent).toBe(true);
      expect(error.message).toMatch(/may have reached the platform/);
      expect(server.requests).toHaveLength(1);
    });

    it(`${name}: a connection dropped after sending is not retried`, async () => {
      server.reply('drop', ok);
      const error = await failure(call(client()));
      expect(error.maybeSent).toBe(true);
      expect(server.requests).toHaveLength(1);
    });

    it(`${name}: a timeout after sending is not retried`, async () => {
      server.reply({ delayMs: 300, ...ok }, ok);
      const error = await failure(call(client({ timeoutMs: 50 })));
      expect(error.name).toBe('TimeoutError');
      expect(error.maybeSent).toBe(true);
      expect(server.requests).toHaveLength(1);
    });

    it(`${name}: a 420 (refused, not processed) is retried after the reset`, async () => {
      server.reply(e420(new Date(Date.now() + 1000), 0), ok);
      await call(client());
      expect(server.requests).toHaveLength(2);
    });

    it(`${name}: connection refused (provably not sent) is retried`, async () => {
      let calls = 0;
      const flaky: ClientOptions['fetch'] = async (url, init) => {
        calls += 1;
        if (calls === 1)
          throw Object.assign(new TypeError('fetch failed'), {
            cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
          });
        return fetch(url, init);
      };
      server.reply(ok);
      await call(client({ fetch: flaky }));
      expect(calls).toBe(2);
      expect(server.requests).toHaveLength(1);
    });
  }
});

describe('420 and X-RateLimit-Resource-Until', () => {
  it('waits until the reset time the server gives, then retries', async () => {
    const until = new Date(Math.ceil((Date.now() + 1500) / 1000) * 1000);
    server.reply(e420(until), ok);
    const delays = retryDelays();
    await client({ logger: delays.logger }).getChats(1);
    expect(server.requests).toHaveLength(2);
    expect(delays.seen).toHaveLength(1);
    // Slept until the reset (less the time already spent getting the 420), not a short backoff.
    expect(delays.seen[0]).toBeGreaterThan(until.getTime() - delays.created - 300);
  });

  it('does not sleep through a long reset: surfaces the 420 with resetAt', async () => {
    const until = new Date(Math.floor(Date.now() / 1000) * 1000 + 3_600_000);
    server.reply(e420(until), ok);
    const error = await failure(client({ retry: { ...fast, maxRateLimitWaitMs: 5_000 } }).getChats(1));
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).resetAt?.getTime()).toBe(until.getTime());
    expect((error as RateLimitError).local).toBe(false);
    expect(error.message).toContain(until.toISOString());
    expect(server.requests).toHaveLength(1);
  });

  it('a 420 for parallel requests (quota left) backs off briefly instead of waiting for Until', async () => {
    server.reply(e420(new Date(Date.now() + 3_600_000), 500), ok);
    await client({ retry: { ...fast, maxRateLimitWaitMs: 1_000 } }).getChats(1);
    expect(server.requests).toHaveLength(2);
  });

  it('honours Retry-After when a server sends it', async () => {
    server.reply({ ...e500, headers: { 'retry-after': '1' } }, ok);
    const delays = retryDelays();
    await client({ logger: delays.logger }).getChats(1);
    expect(delays.seen).toEqual([1000]);
  });
});

describe('what happens after a send reached the platform', () => {
  it('a 2xx with a body that is not JSON still counts as sent', async () => {
    server.reply((_req, res) => res.end('<html>OK</html>'));
    await expect(client().sendMessageToChat(1, 2, { message: 'hi' })).resolves.toEqual({ status: 'OK' });
    expect(server.requests).toHaveLength(1);
  });

  it('a failing quota store does not turn a delivered send into an error', async () => {
    const store: QuotaStore = {
      acquire: () => ({ ok: true, lease: 'l1' }),
      release: async () => {
        throw new Error('redis: connection lost');
      },
      get: () => undefined,
    };
    server.reply({
      body: { status: 'OK' },
      headers: {
        'x-ratelimit-resource-limit': '1000',
        'x-ratelimit-resource-remaining': '10',
        'x-ratelimit-resource-until': new Date(Date.now() + 60_000).toUTCString(),
      },
    });
    const api = client({ rateLimit: { store } });
    await expect(api.sendMessageToChat(1, 2, { message: 'hi' })).resolves.toEqual({ status: 'OK' });
  });

  it('a Retry-After beyond the cap surfaces the error instead of sleeping', async () => {
    server.reply({ ...e500, headers: { 'retry-after': '3600' } }, ok);
    const error = await failure(client({ retry: { ...fast, maxRateLimitWaitMs: 1000 } }).getChats(1));
    expect(error).toBeInstanceOf(InternalServerError);
    expect(server.requests).toHaveLength(1);
  });
});

describe('one deadline per call', () => {
  it('a host that accepts and never answers: retries are reported, the call ends at the deadline', async () => {
    server.reply(() => {}); // never answers
    const log: string[] = [];
    const noop = () => {};
    const logger = { debug: noop, info: noop, error: noop, warn: (m: string) => log.push(m) };
    const error = await failure(
      client({ timeoutMs: 200, deadlineMs: 700, maxRetries: 5, retry: { baseDelayMs: 1 }, logger }).getChats(
        1,
      ),
    );
    expect(error.name).toBe('TimeoutError');
    // Stopped by the deadline, not by running out of retries (6 attempts of 200 ms would need 1.2 s).
    expect(error.attempts).toBeGreaterThan(1);
    expect(error.attempts).toBeLessThan(6);
    expect(error.message).toMatch(/gave up after \d attempts over/);
    expect(error.message).toMatch(/deadline/);
    expect(log[0]).toMatch(/no response within 200 ms — retrying in \d+ ms \(attempt 2 of 6\)/);
  });

  it('a send that times out is not retried, and says so within the deadline', async () => {
    server.reply(() => {});
    const error = await failure(
      client({ timeoutMs: 5_000, deadlineMs: 300 }).sendMessageToChat(1, 2, { message: 'x' }),
    );
    expect(error.name).toBe('TimeoutError');
    expect(error.maybeSent).toBe(true);
    expect(error.message).toMatch(/no response within 300 ms/);
  });
});

describe('credentials that cannot be a header', () => {
  it('are refused up front, naming the problem but not the value', () => {
    expect(() => client({ apiKey: 'key-from-file-123\r\n' })).toThrow(/line break/);
    try {
      client({ apiKey: 'key-from-file-123\r\n' });
    } catch (error) {
      expect(String(error)).not.toContain('key-from-file-123');
    }
  });

  it('from a credential function, fail the call without sending or retrying', async () => {
    server.reply(ok);
    const api = client({ apiKey: async () => 'rotated-key-456\n' });
    await expect(api.sendMessageToChat(1, 2, { message: 'hi' })).rejects.toThrow(/line break/);
    expect(server.requests).toHaveLength(0);
  });
});
