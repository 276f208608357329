import { type SpecVersion, validateRequest } from '@ym-chats/contract';
import { ChatsApi, type ClientOptions } from '@ym-chats/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartParts, type Recorded, ScriptedServer } from './support/server.js';

let server: ScriptedServer;
beforeAll(async () => {
  server = await ScriptedServer.start();
});
afterAll(() => server.close());

const client = (extra: Partial<ClientOptions> = {}) =>
  new ChatsApi({
    baseUrl: server.url,
    accessToken: 'oauth-token-abcdef',
    rateLimit: false,
    maxRetries: 0,
    ...extra,
  });

/** What the contract checker needs from a recorded request. */
function contract(version: SpecVersion, req: Recorded) {
  const isMultipart = String(req.headers['content-type']).startsWith('multipart/form-data');
  const body = isMultipart
    ? Object.fromEntries([...multipartParts(req)].map(([k, part]) => [k, part.data.toString('latin1')]))
    : req.body.length > 0
      ? JSON.parse(req.body.toString())
      : undefined;
  return validateRequest(version, { method: req.method, url: req.url, headers: req.headers, body });
}

type Call = (api: ChatsApi) => Promise<unknown>;

/** Every operation once, with all its optional parts filled in. */
const calls: Record<string, Call> = {
  createChat: (api) => api.createChat(11, { context: { type: 'ORDER', id: 5_000_000_001n } }),
  createChatDeprecated: (api) => api.createChat(11, { orderId: 42 }),
  getChats: (api) =>
    api.getChats(
      11,
      {
        orderIds: [1, 2],
        types: ['CHAT'],
        statuses: ['NEW', 'FINISHED'],
        contexts: [{ type: 'RETURN', id: 7 }],
        contextTypes: ['DIRECT'],
      },
      'tok/en+=',
      20,
    ),
  getChatsSeedFilters: (api) =>
    api.getChats(11, { orderIds: [3], types: ['ARBITRAGE'], statuses: ['NEW'] }, 'x', 20),
  getChatHistory: (api) => api.getChatHistory(11, 22, { messageIdFrom: 33 }, 'abc', 100),
  sendMessageToChat: (api) => api.sendMessageToChat(11, 22, { message: 'Здравствуйте! 👋' }),
  sendFileToChat: (api) =>
    api.sendFileToChat(11, 22, { data: new TextEncoder().encode('hello'), name: 'счёт.pdf' }),
  getChat: (api) => api.getChat(11, 22),
  getChatMessage: (api) => api.getChatMessage(11, 22, 33),
};
/** The seed spec predates chat contexts, so only seed-era inputs are checked against it. */
const seedOps = [
  'createChatDeprecated',
  'getChatsSeedFilters',
  'getChatHistory',
  'sendMessageToChat',
  'sendFileToChat',
];

describe('every request the SDK builds matches the official spec', () => {
  for (const [name, call] of Object.entries(calls)) {
    it(`${name} under /v2 validates against the current spec (Api-Key)`, async () => {
      server.reply({ body: { status: 'OK', result: { chatId: 1, chats: [], messages: [] } } });
      await call(client({ pathPrefix: '/v2', apiKey: 'api-key-1234567890', accessToken: undefined }));
      expect(server.requests).toHaveLength(1);
      const req = server.requests[0]!;
      expect(req.url.startsWith('/v2/businesses/11/')).toBe(true);
      expect(req.headers['api-key']).toBe('api-key-1234567890');
      expect(req.headers.authorization).toBeUndefined();
      expect(contract('current', req).errors).toEqual([]);
    });
    if (!seedOps.includes(name)) continue;
    it(`${name} without a prefix validates against the seed spec (OAuth)`, async () => {
      server.reply({ body: { status: 'OK', result: { chatId: 1, chats: [], messages: [] } } });
      await call(client({ pathPrefix: '' }));
      const req = server.requests[0]!;
      expect(req.url.startsWith('/businesses/11/')).toBe(true);
      expect(req.headers.authorization).toBe('Bearer oauth-token-abcdef');
      expect(contract('seed', req).errors).toEqual([]);
    });
  }

  it('the checker does catch a malformed request (so the loop above can fail)', () => {
    const bad = {
      method: 'POST',
      url: '/v2/businesses/11/chats/message?chatId=22',
      headers: { 'api-key': 'k', 'content-type': 'application/json' },
      body: Buffer.from('{"mesage":"x"}'),
    };
    expect(contract('current', bad).errors.length).toBeGreaterThan(0);
  });
});

describe('request details', () => {
  it('getChats sends method, path, query, JSON body with big ids intact', async () => {
    server.reply({ body: { status: 'OK', result: { chats: [] } } });
    await client({ pathPrefix: '/v2' }).getChats(11, { orderIds: [9_007_199_254_740_993n] }, 'a b', 5);
    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v2/businesses/11/chats?pageToken=a%20b&limit=5');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body.toString()).toBe('{"orderIds":[9007199254740993]}');
  });

  it('the current /v2 paths are the default; getChat and getChatMessage use them even with seed paths', async () => {
    server.reply({ body: { status: 'OK', result: { chats: [] } } });
    await client().getChats(11);
    await client({ pathPrefix: '' }).getChat(11, 22);
    await client({ pathPrefix: '' }).getChatMessage(11, 22, 33);
    expect(server.requests.map((r) => r.url)).toEqual([
      '/v2/businesses/11/chats',
      '/v2/businesses/11/chat?chatId=22',
      '/v2/businesses/11/chats/message?chatId=22&messageId=33',
    ]);
  });

  it('seed paths use page_token; an empty filter is sent as {}', async () => {
    server.reply({ body: { status: 'OK', result: { messages: [] } } });
    await client({ pathPrefix: '' }).getChatHistory(11, 22, {}, 'next');
    const req = server.requests[0]!;
    expect(req.url).toBe('/businesses/11/chats/history?chatId=22&page_token=next');
    expect(req.body.toString()).toBe('{}');
  });

  it('getChat and getChatMessage are GETs with ids in the query and no body', async () => {
    server.reply({ body: { status: 'OK', result: {} } });
    const api = client({ pathPrefix: '/v2' });
    await api.getChat(11, 22);
    await api.getChatMessage(11, 22n, 33);
    expect(server.requests.map((r) => `${r.method} ${r.url} ${r.body.length}`)).toEqual([
      'GET /v2/businesses/11/chat?chatId=22 0',
      'GET /v2/businesses/11/chats/message?chatId=22&messageId=33 0',
    ]);
  });

  it('sendFileToChat sends one multipart part "file" with the bytes, name and type', async () => {
    server.reply({ body: { status: 'OK' } });
    const bytes = new Uint8Array([0, 1, 2, 255, 13, 10, 45, 45]);
    await client().sendFileToChat(11, 22, new File([bytes], 'photo.png', { type: 'image/png' }));
    const parts = multipartParts(server.requests[0]!);
    expect([...parts.keys()]).toEqual(['file']);
    expect(parts.get('file')).toMatchObject({ filename: 'photo.png', contentType: 'image/png' });
    expect([...parts.get('file')!.data]).toEqual([...bytes]);
  });

  it('sendFileToChat reads a path and keeps a non-ASCII file name', async () => {
    const { writeFile, mkdtemp } = await import('node:fs/promises');
    const dir = await mkdtemp('/tmp/ym-sdk-');
    await writeFile(`${dir}/накладная.txt`, 'привет');
    server.reply({ body: { status: 'OK' } });
    await client().sendFileToChat(11, 22, `${dir}/накладная.txt`);
    const part = multipartParts(server.requests[0]!).get('file')!;
    expect(part.filename).toBe('накладная.txt');
    expect(part.contentType).toBe('text/plain');
    expect(part.data.toString('latin1')).toBe(Buffer.from('привет').toString('latin1'));
  });

  it('per-call headers override client headers; credential functions are called per request', async () => {
    let n = 0;
    const api = client({ apiKey: async () => `rotating-key-${++n}`, headers: { 'x-trace': 'client' } });
    server.reply({ body: { status: 'OK', result: {} } });
    await api.getChats(11);
    await api.getChats(11, {}, undefined, undefined, { headers: { 'X-Trace': 'call' } });
    expect(server.requests.map((r) => [r.headers['api-key'], r.headers['x-trace']])).toEqual([
      ['rotating-key-1', 'client'],
      ['rotating-key-2', 'call'],
    ]);
  });
});

describe('responses', () => {
  it('resolve to the documented envelope and pass unknown enum values and fields through', async () => {
    const chat = {
      chatId: 1,
      context: { type: 'SUPPORT_TICKET', customer: { name: 'Анна' }, futureField: true },
      type: 'VIDEO',
      status: 'SNOOZED',
      createdAt: '2026-01-01T00:00:00+03:00',
      updatedAt: '2026-01-01T00:00:00+03:00',
    };
    server.reply({ body: { status: 'OK', result: { chats: [chat], paging: {} } } });
    const res = await client().getChats(11);
    expect(res.status).toBe('OK');
    expect(res.result.chats[0]).toEqual(chat);
  });
});
