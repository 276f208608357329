import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIZ, call, errorText, type Running, start } from './helpers.js';

let run: Running;
beforeAll(async () => {
  run = await start({
    credentials: [
      { apiKey: 'emulator-api-key', oauthToken: 'emulator-oauth-token', businessIds: [BIZ] },
      { apiKey: 'other-key', oauthToken: 'other-token', businessIds: [2002] },
    ],
  });
});
afterAll(() => run.emu.close());

describe('authentication and access', () => {
  const cases: [string, Record<string, string> | null, number, string][] = [
    ['no credentials', null, 401, 'UNAUTHORIZED'],
    ['an unknown Api-Key', { 'Api-Key': 'nope' }, 401, 'UNAUTHORIZED'],
    ['an empty Api-Key', { 'Api-Key': '' }, 401, 'UNAUTHORIZED'],
    ['a Bearer prefix inside Api-Key', { 'Api-Key': 'Bearer emulator-api-key' }, 401, 'UNAUTHORIZED'],
    [
      'a bad Api-Key even with a good token',
      { 'Api-Key': 'nope', Authorization: 'Bearer emulator-oauth-token' },
      401,
      'UNAUTHORIZED',
    ],
    ['an Authorization header that is not Bearer', { Authorization: 'Basic abc' }, 401, 'UNAUTHORIZED'],
    ['an unknown OAuth token', { Authorization: 'Bearer nope' }, 403, 'FORBIDDEN'],
    ["another business's Api-Key", { 'Api-Key': 'other-key' }, 403, 'FORBIDDEN'],
    ["another business's OAuth token", { Authorization: 'Bearer other-token' }, 403, 'FORBIDDEN'],
    ['the Api-Key', { 'Api-Key': 'emulator-api-key' }, 200, ''],
    ['the OAuth token', { Authorization: 'Bearer emulator-oauth-token' }, 200, ''],
    [
      'both good headers',
      { 'Api-Key': 'emulator-api-key', Authorization: 'Bearer emulator-oauth-token' },
      200,
      '',
    ],
  ];
  it.each(cases)('%s', async (_name, auth, status, code) => {
    for (const style of ['v2', 'seed'] as const) {
      const res = await call(run.url, 'getChats', { auth, style });
      expect(res.status).toBe(status);
      if (code) expect(res.body.errors[0].code).toBe(code);
      expect(res.headers.get('x-ratelimit-resource-limit')).toBe('5000');
      expect(res.headers.get('x-request-id')).toBeTruthy();
    }
  });

  it('checks auth before validation: a bad request without credentials is 401, with credentials 400', async () => {
    const anon = await call(run.url, 'getChats', { auth: null, query: { limit: 99 } });
    expect(anon.status).toBe(401);
    const known = await call(run.url, 'getChats', { query: { limit: 99 } });
    expect(known.status).toBe(400);
    expect(errorText(known.body)).toMatch(/limit/);
  });

  it('checks access before existence: another business gets 403, not 404', async () => {
    const res = await call(run.url, 'getChat', { business: 2002, query: { chatId: 1 } });
    expect(res.status).toBe(403);
    const own = await call(run.url, 'getChat', {
      business: 2002,
      auth: { 'Api-Key': 'other-key' },
      query: { chatId: 1 },
    });
    expect(own.status).toBe(404);
  });
});
