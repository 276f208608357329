import { inspect } from 'node:util';
import {
  AbortError,
  AuthenticationError,
  BadRequestError,
  ChatsApi,
  type ClientOptions,
  ConnectionError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  TimeoutError,
} from '@ym-chats/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from './support/failure.js';
import { ScriptedServer } from './support/server.js';

let server: ScriptedServer;
beforeAll(async () => {
  server = await ScriptedServer.start();
});
afterAll(() => server.close());

const SECRET = 'sekret-api-key-0123456789';
const client = (extra: Partial<ClientOptions> = {}) =>
  new ChatsApi({ baseUrl: server.url, apiKey: SECRET, rateLimit: false, maxRetries: 0, ...extra });

const errorBody = (code: string, message: string) => ({ status: 'ERROR', errors: [{ code, message }] });

describe('one error class per failure kind', () => {
  const cases = [
    [400, BadRequestError, 'BAD_REQUEST'],
    [401, AuthenticationError, 'UNAUTHORIZED'],
    [403, PermissionDeniedError, 'FORBIDDEN'],
    [404, NotFoundError, 'NOT_FOUND'],
    [420, RateLimitError, 'LIMIT_EXCEEDED'],
    [500, InternalServerError, 'INTERNAL_ERROR'],
    [503, InternalServerError, 'UNAVAILABLE'],
  ] as const;
  for (const [status, ErrorClass, code] of cases) {
    it(`HTTP ${status} → ${ErrorClass.name} with status, errors[], operation and request id`, async () => {
      server.reply({
        status,
        body: errorBody(code, `details for ${status}`),
        headers: { 'x-request-id': `req-${status}` },
      });
      const error = await failure(client().getChat(1, 2));
      expect(error).toBeInstanceOf(ErrorClass);
      expect(error).toMatchObject({
        status,
        operation: 'getChat',
        requestId: `req-${status}`,
        errors: [{ code, message: `details for ${status}` }],
        maybeSent: false,
      });
      expect(error.message).toContain(code);
    });
  }

  it('connection refused → ConnectionError', async () => {
    const error = await failure(
      new ChatsApi({
        baseUrl: 'http://127.0.0.1:1',
        apiKey: SECRET,
        rateLimit: false,
        maxRetries: 0,
      }).getChat(1, 2),
    );
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('no answer within timeoutMs → TimeoutError', async () => {
    server.reply({ delayMs: 500, body: { status: 'OK', result: {} } });
    const error = await failure(client({ timeoutMs: 50 }).getChat(1, 2));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toMatch(/50 ms/);
  });

  it("the caller's signal → AbortError, also while waiting to retry", async () => {
    server.reply({ delayMs: 500, body: { status: 'OK', result: {} } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    expect(await failure(client().getChat(1, 2, { signal: controller.signal }))).toBeInstanceOf(AbortError);

    server.reply({ status: 500, body: errorBody('INTERNAL_ERROR', 'x') });
    const later = new AbortController();
    const pending = failure(
      client({ maxRetries: 5, retry: { baseDelayMs: 10_000, maxDelayMs: 10_000 } }).getChat(1, 2, {
        signal: later.signal,
      }),
    );
    setTimeout(() => later.abort(), 100);
    expect(await pending).toBeInstanceOf(AbortError);
  });

  it('a non-JSON success body is an error that says so', async () => {
    server.reply((_req, res) => res.end('<html>proxy</html>'));
    expect((await failure(client().getChat(1, 2))).message).toMatch(/not JSON/);
  });
});

describe('the credential never leaks', () => {
  it('is masked in messages, errors[], causes, logs and serialized errors', async () => {
    const lines: string[] = [];
    const log = (level: string) => (message: string, data?: object) =>
      lines.push(`${level} ${message} ${JSON.stringify(data)}`);
    const logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
    // A misbehaving proxy echoes the key back in its error.
    server.reply({ status: 500, body: errorBody('INTERNAL_ERROR', `bad key ${SECRET} rejected`) });
    const error = await failure(
      client({ logger, logLevel: 'debug', maxRetries: 1, retry: { baseDelayMs: 1 } }).getChat(1, 2),
    );
    const everything = [
      error.message,
      JSON.stringify(error),
      JSON.stringify(error.errors),
      String(error.stack),
      inspect(error, { depth: 5 }),
      ...lines,
    ].join('\n');
    expect(everything).toContain('[REDACTED]');
    expect(everything).not.toContain(SECRET);
    expect(lines.some((l) => l.startsWith('warn'))).toBe(true);
  });

  it('is masked in errors[].code and in a transport error message from a custom fetch', async () => {
    server.reply({
      status: 400,
      body: { status: 'ERROR', errors: [{ code: `BAD_KEY_${SECRET}`, message: 'x' }] },
    });
    const coded = await failure(client().getChat(1, 2));
    const noisyFetch = async (url: string) => {
      throw new Error(`request ${url} failed, headers={"api-key":"${SECRET}"}`);
    };
    const fetched = await failure(client({ fetch: noisyFetch }).getChat(1, 2));
    for (const error of [coded, fetched]) {
      const text = `${error.message}\n${JSON.stringify(error)}\n${inspect(error, { depth: 5 })}`;
      expect(text).not.toContain(SECRET);
    }
  });

  it('is masked in a connection error cause and for token functions and OAuth', async () => {
    const token = 'oauth-token-from-refresh-xyz';
    const api = new ChatsApi({
      baseUrl: `http://127.0.0.1:1/${token}`,
      accessToken: async () => token,
      rateLimit: false,
      maxRetries: 0,
    });
    const error = await failure(api.getChat(1, 2));
    const text = `${error.message}\n${inspect(error, { depth: 5 })}\n${JSON.stringify(error)}`;
    expect(text).not.toContain(token);
  });
});

describe('timeouts of several seconds', () => {
  it('end in TimeoutError naming the timeout', async () => {
    server.reply({ delayMs: 9_000, body: { status: 'OK', result: {} } });
    const error = await failure(client({ timeoutMs: 5_000 }).getChat(1, 2));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toMatch(/5000 ms/);
  }, 15_000);
});
