import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIZ,
  type CallOptions,
  type ChatOperationId,
  call,
  errorText,
  orderChat,
  type Running,
  start,
} from './helpers.js';

let run: Running;
let chatId: number;
beforeAll(async () => {
  run = await start({ seed: 3 });
  ({ chatId } = await orderChat(run));
});
afterAll(() => run.emu.close());

type Case = [string, ChatOperationId, () => CallOptions, RegExp];

const cases: Case[] = [
  ['businessId 0', 'getChats', () => ({ business: 0 }), /businessId/],
  ['businessId negative', 'getChats', () => ({ business: '-5' }), /businessId/],
  ['businessId not a number', 'getChats', () => ({ business: 'abc' }), /businessId/],
  ['businessId over int64', 'getChats', () => ({ business: '9223372036854775808' }), /businessId/],
  ['chatId missing', 'getChat', () => ({}), /chatId: required/],
  ['chatId float', 'getChat', () => ({ query: { chatId: '1.5' } }), /chatId/],
  ['chatId zero', 'getChatHistory', () => ({ query: { chatId: 0 } }), /chatId/],
  [
    'chatId over int64',
    'sendMessageToChat',
    () => ({ query: { chatId: '99999999999999999999' }, json: { message: 'x' } }),
    /chatId/,
  ],
  ['messageId missing', 'getChatMessage', () => ({ query: { chatId } }), /messageId: required/],
  ['messageId negative', 'getChatMessage', () => ({ query: { chatId, messageId: -1 } }), /messageId/],
  [
    'getChats limit 21',
    'getChats',
    () => ({ query: { limit: 21 } }),
    /limit: must be between 1 and 20, got 21/,
  ],
  ['getChats limit 0', 'getChats', () => ({ query: { limit: 0 } }), /limit: must be between 1 and 20/],
  ['getChats limit text', 'getChats', () => ({ query: { limit: 'ten' } }), /limit/],
  [
    'history limit 101',
    'getChatHistory',
    () => ({ query: { chatId, limit: 101 } }),
    /limit: must be between 1 and 100, got 101/,
  ],
  ['tampered page token', 'getChats', () => ({ query: { pageToken: 'AAAA' } }), /pageToken/],
  [
    'pageToken and page_token differ',
    'getChats',
    () => ({ query: { pageToken: 'a', page_token: 'b' } }),
    /page_token/,
  ],
  ['message missing', 'sendMessageToChat', () => ({ query: { chatId }, json: {} }), /message: required/],
  [
    'message empty',
    'sendMessageToChat',
    () => ({ query: { chatId }, json: { message: '' } }),
    /message: length/,
  ],
  [
    'message 4097',
    'sendMessageToChat',
    () => ({ query: { chatId }, json: { message: 'a'.repeat(4097) } }),
    /got 4097/,
  ],
  [
    'message 2049 emoji (4098 units)',
    'sendMessageToChat',
    () => ({ query: { chatId }, json: { message: '😀'.repeat(2049) } }),
    /got 4098/,
  ],
  [
    'message not a string',
    'sendMessageToChat',
    () => ({ query: { chatId }, json: { message: 42 } }),
    /message: must be a string/,
  ],
  [
    'malformed JSON',
    'sendMessageToChat',
    () => ({ query: { chatId }, body: '{"message": ' }),
    /malformed JSON/,
  ],
  ['JSON array body', 'getChats', () => ({ body: '[]' }), /JSON object/],
  ['empty body', 'getChats', () => ({ body: '' }), /body: required/],
  [
    'wrong content type',
    'sendMessageToChat',
    () => ({
      query: { chatId },
      body: 'message=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }),
    /Content-Type/,
  ],
  [
    'body over 512 KB',
    'getChats',
    () => ({ body: JSON.stringify({ pad: 'x'.repeat(600 * 1024) }) }),
    /512 KB/,
  ],
  [
    'unknown enum value in contextTypes',
    'getChats',
    () => ({ json: { contextTypes: ['GROUP'] } }),
    /contextTypes\[0\]: must be one of ORDER, RETURN, DIRECT/,
  ],
  ['unknown status', 'getChats', () => ({ json: { statuses: ['OPEN'] } }), /statuses\[0\]/],
  ['unknown chat type', 'getChats', () => ({ json: { types: ['GROUP'] } }), /types\[0\]/],
  ['empty filter array', 'getChats', () => ({ json: { orderIds: [] } }), /orderIds: must not be empty/],
  ['duplicate filter values', 'getChats', () => ({ json: { statuses: ['NEW', 'NEW'] } }), /duplicate/],
  ['orderIds with a string', 'getChats', () => ({ json: { orderIds: ['12'] } }), /orderIds\[0\]/],
  [
    'contexts with DIRECT',
    'getChats',
    () => ({ json: { contexts: [{ type: 'DIRECT', id: 1 }] } }),
    /contexts\[0\]\.type/,
  ],
  ['createChat without context', 'createChat', () => ({ json: {} }), /context: required/],
  [
    'createChat DIRECT',
    'createChat',
    () => ({ json: { context: { type: 'DIRECT', id: 1 } } }),
    /context\.type: must be one of ORDER, RETURN/,
  ],
  [
    'createChat id zero',
    'createChat',
    () => ({ json: { context: { type: 'ORDER', id: 0 } } }),
    /context\.id/,
  ],
  [
    'createChat orderId contradicts context',
    'createChat',
    () => ({ json: { orderId: 5, context: { type: 'ORDER', id: 6 } } }),
    /orderId: contradicts/,
  ],
  [
    'messageIdFrom zero',
    'getChatHistory',
    () => ({ query: { chatId }, json: { messageIdFrom: 0 } }),
    /messageIdFrom/,
  ],
];

describe('400 with field-level errors', () => {
  it.each(cases)('%s', async (_name, op, options, pattern) => {
    const res = await call(run.url, op, options());
    expect(res.status).toBe(400);
    expect(res.body.status).toBe('ERROR');
    expect(errorText(res.body)).toMatch(pattern);
  });

  it('accepts exactly 4096 UTF-16 units (2048 emoji)', async () => {
    const res = await call(run.url, 'sendMessageToChat', {
      query: { chatId },
      json: { message: '😀'.repeat(2048) },
    });
    expect(res.status).toBe(200);
  });

  it('reports every problem of a request, not only the first', async () => {
    const res = await call(run.url, 'getChatHistory', {
      query: { chatId: 'x', limit: 500 },
      json: { messageIdFrom: -1 },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.length).toBe(3);
  });

  it('a repeated query parameter is refused', async () => {
    const res = await fetch(`${run.url}/v2/businesses/${BIZ}/chats?limit=5&limit=6`, {
      method: 'POST',
      headers: { 'Api-Key': 'emulator-api-key', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/limit: given 2 times/);
  });

  describe('multipart', () => {
    const multipart = (parts: string, boundary = 'XyZ') => ({
      query: { chatId },
      body: parts,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    it('missing file part', async () => {
      const body = '--XyZ\r\nContent-Disposition: form-data; name="other"\r\n\r\nx\r\n--XyZ--\r\n';
      const res = await call(run.url, 'sendFileToChat', multipart(body));
      expect(res.status).toBe(400);
      expect(errorText(res.body)).toMatch(/file: required/);
    });
    it('empty file', async () => {
      const body =
        '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n\r\n--XyZ--\r\n';
      const res = await call(run.url, 'sendFileToChat', multipart(body));
      expect(res.status).toBe(400);
      expect(errorText(res.body)).toMatch(/file: must not be empty/);
    });
    it('not multipart', async () => {
      const res = await call(run.url, 'sendFileToChat', { query: { chatId }, body: '{}' });
      expect(res.status).toBe(400);
      expect(errorText(res.body)).toMatch(/multipart\/form-data/);
    });
    it('file over 5 MB, answered (not reset) with the size and the limit', async () => {
      const form = new FormData();
      form.append('file', new Blob([Buffer.alloc(5 * 1024 * 1024 + 1, 1)]), 'big.bin');
      const res = await call(run.url, 'sendFileToChat', { query: { chatId }, body: form });
      expect(res.status).toBe(400);
      expect(errorText(res.body)).toMatch(/5242880 bytes/);
    });
    it('exactly 5 MB is accepted', async () => {
      const form = new FormData();
      form.append('file', new Blob([Buffer.alloc(5 * 1024 * 1024, 2)]), 'max.bin');
      const res = await call(run.url, 'sendFileToChat', { query: { chatId }, body: form });
      expect(res.status).toBe(200);
    });
  });
});

describe('a request that fails validation changes nothing', () => {
  it('state is identical before and after a batch of bad writes', async () => {
    const before = await run.admin.state(true);
    const bad: [ChatOperationId, CallOptions][] = [
      ['sendMessageToChat', { query: { chatId }, json: { message: '' } }],
      ['sendMessageToChat', { query: { chatId }, json: { message: 'x'.repeat(5000) } }],
      ['sendMessageToChat', { query: { chatId: 0 }, json: { message: 'ok' } }],
      ['createChat', { json: { context: { type: 'ORDER', id: -1 } } }],
      ['createChat', { body: '{"context":' }],
      [
        'sendFileToChat',
        {
          query: { chatId },
          body: '--b\r\n',
          headers: { 'content-type': 'multipart/form-data; boundary=b' },
        },
      ],
    ];
    for (const [op, options] of bad) expect((await call(run.url, op, options)).status).toBe(400);
    const after = await run.admin.state(true);
    expect(after.data).toEqual(before.data);
    expect(after.totals).toEqual(before.totals);
  });
});

describe('malformed URLs', () => {
  it('a bad percent-escape in a path is a 400 naming the parameter, not a 500', async () => {
    const api = await fetch(`${run.url}/v2/businesses/%E0/chats`, {
      method: 'POST',
      headers: { 'Api-Key': 'emulator-api-key', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(api.status).toBe(400);
    expect(await api.text()).toMatch(/businessId/);
    const admin = await fetch(`${run.url}/_emulator/businesses/%ZZ/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(admin.status).toBe(400);
  });
});
