import { mkdtemp, truncate, writeFile } from 'node:fs/promises';
import { ChatsApi, FILE_MAX_BYTES, ValidationError } from '@ym-chats/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ScriptedServer } from './support/server.js';

let server: ScriptedServer;
let api: ChatsApi;
beforeAll(async () => {
  server = await ScriptedServer.start();
  api = new ChatsApi({ baseUrl: server.url, apiKey: 'key-1234567890', rateLimit: false });
});
beforeEach(() => server.reply({ body: { status: 'OK', result: { chats: [], messages: [] } } }));
afterAll(() => server.close());

/** Runs a call that must be refused locally: a ValidationError naming `field`, and nothing sent. */
async function refused(
  call: () => Promise<unknown>,
  field: string,
  message?: RegExp,
): Promise<ValidationError> {
  let caught: unknown;
  try {
    await call();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ValidationError);
  const error = caught as ValidationError;
  expect(error.field).toBe(field);
  if (message) expect(error.message).toMatch(message);
  expect(server.requests).toHaveLength(0);
  return error;
}

describe('ids are positive 64-bit integers', () => {
  for (const bad of [0, -1, 1.5, Number.NaN, '12', null, 2n ** 63n, 0n, -5n]) {
    it(`businessId ${String(bad)} is refused before sending`, async () => {
      await refused(() => api.getChats(bad as number), 'businessId', /positive 64-bit integer/);
    });
  }
  it('an unsafe number is refused with advice to use bigint', async () => {
    await refused(() => api.getChat(1, 2 ** 60), 'chatId', /bigint/);
  });
  it('the largest int64 as bigint is accepted', async () => {
    await api.getChat(2n ** 63n - 1n, 1);
    expect(server.requests[0]!.url).toContain('/businesses/9223372036854775807/');
  });
  it('nested ids are checked too', async () => {
    await refused(
      () => api.getChatHistory(1, 2, { messageIdFrom: 0 }),
      'getChatHistoryRequest.messageIdFrom',
    );
    await refused(
      () => api.getChats(1, { orderIds: [1, -2] }),
      'getChats Request.orderIds[1]'.replace(' ', ''),
    );
    await refused(
      () => api.createChat(1, { context: { type: 'ORDER', id: 0 } }),
      'createChatRequest.context.id',
    );
  });
});

describe('limits and filters', () => {
  it('getChats limit is 1–20, getChatHistory 1–100', async () => {
    await refused(() => api.getChats(1, {}, undefined, 21), 'limit', /1 to 20/);
    await refused(() => api.getChats(1, {}, undefined, 0), 'limit');
    await refused(() => api.getChatHistory(1, 2, {}, undefined, 101), 'limit', /1 to 100/);
    await api.getChatHistory(1, 2, {}, undefined, 100);
    expect(server.requests).toHaveLength(1);
  });
  it('unknown request fields are refused rather than silently dropped', async () => {
    await refused(
      () => api.getChats(1, { statuss: ['NEW'] } as never),
      'getChatsRequest.statuss',
      /not a field/,
    );
  });
  it('empty filter lists are refused', async () => {
    await refused(() => api.getChats(1, { statuses: [] }), 'getChatsRequest.statuses', /non-empty/);
  });
  it('sellers cannot create DIRECT chats; createChat needs a context', async () => {
    await refused(
      () => api.createChat(1, { context: { type: 'DIRECT' as 'ORDER', id: 1 } }),
      'createChatRequest.context.type',
      /DIRECT/,
    );
    await refused(() => api.createChat(1, {}), 'createChatRequest', /context/);
  });
});

describe('message text is 1–4096 characters', () => {
  it('empty is refused', async () => {
    await refused(
      () => api.sendMessageToChat(1, 2, { message: '' }),
      'sendMessageToChatRequest.message',
      /empty/,
    );
  });
  it('a lone surrogate (half an emoji) is refused; a whole emoji is fine', async () => {
    await refused(
      () => api.sendMessageToChat(1, 2, { message: 'hi \ud83d' }),
      'sendMessageToChatRequest.message',
      /surrogate/,
    );
    await api.sendMessageToChat(1, 2, { message: 'hi \ud83d\ude00' });
    expect(server.requests).toHaveLength(1);
  });
  it('argument errors reject the returned promise (they are not thrown synchronously)', async () => {
    const pending = api.getChat(0, 1);
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).rejects.toBeInstanceOf(ValidationError);
  });
  it('4096 is sent, 4097 is refused, emoji count as two', async () => {
    await api.sendMessageToChat(1, 2, { message: 'я'.repeat(4096) });
    expect(server.requests).toHaveLength(1);
    server.reply({ body: { status: 'OK' } });
    await refused(
      () => api.sendMessageToChat(1, 2, { message: 'x'.repeat(4097) }),
      'sendMessageToChatRequest.message',
      /4097.*4096/,
    );
    await refused(
      () => api.sendMessageToChat(1, 2, { message: '😀'.repeat(2049) }),
      'sendMessageToChatRequest.message',
      /4098/,
    );
  });
});

describe('files are at most 5 MB', () => {
  it('5 MB + 1 byte is refused before any byte is sent, naming size and limit (bytes, Blob and path)', async () => {
    const big = new Uint8Array(FILE_MAX_BYTES + 1);
    const pattern = new RegExp(`${FILE_MAX_BYTES + 1} bytes.*${FILE_MAX_BYTES} bytes`);
    await refused(() => api.sendFileToChat(1, 2, { data: big, name: 'big.bin' }), 'file', pattern);
    await refused(() => api.sendFileToChat(1, 2, new Blob([big])), 'file', pattern);
    const dir = await mkdtemp('/tmp/ym-sdk-');
    await writeFile(`${dir}/big.bin`, '');
    await truncate(`${dir}/big.bin`, FILE_MAX_BYTES + 1);
    await refused(() => api.sendFileToChat(1, 2, `${dir}/big.bin`), 'file', pattern);
  });
  it('exactly 5 MB is sent', async () => {
    await api.sendFileToChat(1, 2, { data: new Uint8Array(FILE_MAX_BYTES), name: 'max.bin' });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.body.length).toBeGreaterThan(FILE_MAX_BYTES);
  });
  it('an empty (0-byte) file is refused before sending, as the platform would (bytes, Blob and path)', async () => {
    await refused(
      () => api.sendFileToChat(1, 2, { data: new Uint8Array(0), name: 'empty.pdf' }),
      'file',
      /0 bytes/,
    );
    await refused(() => api.sendFileToChat(1, 2, new Blob([])), 'file', /0 bytes/);
    const dir = await mkdtemp('/tmp/ym-sdk-');
    await writeFile(`${dir}/empty.pdf`, '');
    await refused(() => api.sendFileToChat(1, 2, `${dir}/empty.pdf`), 'file', /0 bytes/);
  });
  it('a missing path and bytes without a name are clear errors', async () => {
    await refused(() => api.sendFileToChat(1, 2, '/nonexistent/file.pdf'), 'file', /ENOENT/);
    await refused(() => api.sendFileToChat(1, 2, { data: new Uint8Array(1), name: '' }), 'file.name');
  });
});

describe('construction', () => {
  it('without a credential fails and says which options to pass', () => {
    expect(() => new ChatsApi({ baseUrl: server.url })).toThrow(/apiKey.*accessToken/);
  });
});
