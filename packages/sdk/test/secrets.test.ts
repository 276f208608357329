/** Credentials never show, whole or in part, anywhere the SDK writes text. */
import { inspect } from 'node:util';
import { ChatsApi, type ClientOptions } from '@ym-chats/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from './support/failure.js';
import { ScriptedServer } from './support/server.js';

let server: ScriptedServer;
beforeAll(async () => {
  server = await ScriptedServer.start();
});
afterAll(() => server.close());

const KEY = 'ACMA:k3y-0f-f0rty-f1ve-characters-XYZ1234567'; // 45 characters
/** Any 8 characters of the key in a row. */
function leaks(text: string, secret = KEY): string | undefined {
  for (let i = 0; i + 8 <= secret.length; i++)
    if (text.includes(secret.slice(i, i + 8))) return secret.slice(i, i + 8);
  return undefined;
}

function recorder() {
  const lines: string[] = [];
  const put = (m: string, d?: unknown) => lines.push(`${m} ${JSON.stringify(d)}`);
  return { lines, logger: { debug: put, info: put, warn: put, error: put }, logLevel: 'debug' as const };
}

const client = (extra: Partial<ClientOptions> = {}) =>
  new ChatsApi({ baseUrl: server.url, apiKey: KEY, rateLimit: false, maxRetries: 0, ...extra });

describe('a credential in a server answer', () => {
  for (const at of [0, 170, 190, 199]) {
    it(`a non-JSON body with the key at ${at} (across the 200-character cut) leaks none of it`, async () => {
      server.reply({ status: 500, body: `${'x'.repeat(at)}${KEY}${'y'.repeat(100)}` });
      const log = recorder();
      const error = await failure(client({ logger: log.logger, logLevel: log.logLevel }).getChat(1, 2));
      const text = [
        error.message,
        String(error),
        JSON.stringify(error),
        inspect(error, { depth: 5 }),
        ...log.lines,
      ];
      expect(leaks(text.join('\n'))).toBeUndefined();
      if (at < 180) expect(error.message).toContain('[REDACTED]');
    });
  }

  it('a proxy echoing only part of the key leaks none of it', async () => {
    server.reply({
      status: 502,
      body: { status: 'ERROR', errors: [{ code: 'BAD_GATEWAY', message: `bad key ${KEY.slice(0, 20)}…` }] },
    });
    const error = await failure(client().getChat(1, 2));
    expect(leaks(`${error.message}${JSON.stringify(error)}${inspect(error)}`)).toBeUndefined();
  });
});

describe('the client itself', () => {
  it('console.log, util.inspect, JSON.stringify and String show no credential', () => {
    for (const options of [
      { apiKey: KEY },
      { accessToken: KEY },
      { apiKey: () => KEY },
      { apiKey: 'placeholder-key-0000', headers: { Authorization: `Bearer ${KEY}` } },
    ]) {
      const api = new ChatsApi({ baseUrl: server.url, ...options });
      const shown = [
        inspect(api, { depth: 10, showHidden: true }),
        JSON.stringify(api),
        String(api),
        `${api}`,
      ];
      expect(leaks(shown.join('\n'))).toBeUndefined();
      expect(inspect(api)).toContain(server.url);
    }
  });

  it('refuses credentials too short to mask, saying why and not showing them', () => {
    for (const short of ['k', 'abc123', 'eleven-char']) {
      let message = '';
      try {
        client({ apiKey: short });
      } catch (error) {
        message = String(error);
      }
      expect(message).toMatch(/shorter than 12/);
      if (short.length >= 6) expect(message).not.toContain(short);
    }
    expect(() => client({ apiKey: 'twelve-chars' })).not.toThrow();
  });

  it('refuses a short token from a credential function before sending', async () => {
    server.reply({ body: { status: 'OK', result: {} } });
    const error = await failure(client({ apiKey: async () => 'short' }).getChat(1, 2));
    expect(error.message).toMatch(/credential function.*shorter than 12.*Nothing was sent/);
    expect(server.requests).toHaveLength(0);
  });
});
