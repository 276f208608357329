import { AbortError, ChatsApi } from '@ym-chats/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedServer } from './support/server.js';

let server: ScriptedServer;
let api: ChatsApi;
beforeAll(async () => {
  server = await ScriptedServer.start();
  api = new ChatsApi({ baseUrl: server.url, apiKey: 'key-1234567890', pathPrefix: '/v2', rateLimit: false });
});
afterAll(() => server.close());

const chat = (chatId: number) => ({ chatId, type: 'CHAT', status: 'NEW', createdAt: 'x', updatedAt: 'x' });
const chatsPage = (ids: number[], next?: string) => ({
  body: {
    status: 'OK',
    result: { chats: ids.map(chat), ...(next ? { paging: { nextPageToken: next } } : { paging: {} }) },
  },
});

describe('iterateChats', () => {
  it('follows nextPageToken through empty pages to the last page', async () => {
    server.reply(chatsPage([1, 2], 't1'), chatsPage([], 't2'), chatsPage([3], 't3'), chatsPage([4]));
    const ids: number[] = [];
    for await (const c of api.iterateChats(10, { statuses: ['NEW'] }, { limit: 2 })) ids.push(c.chatId);
    expect(ids).toEqual([1, 2, 3, 4]);
    expect(server.requests.map((r) => r.url)).toEqual([
      '/v2/businesses/10/chats?limit=2',
      '/v2/businesses/10/chats?pageToken=t1&limit=2',
      '/v2/businesses/10/chats?pageToken=t2&limit=2',
      '/v2/businesses/10/chats?pageToken=t3&limit=2',
    ]);
    expect(server.requests.every((r) => r.body.toString() === '{"statuses":["NEW"]}')).toBe(true);
  });

  it('stops on a repeated token instead of looping forever', async () => {
    server.reply(chatsPage([1], 'same'), chatsPage([2], 'same'));
    const ids: number[] = [];
    for await (const c of api.iterateChats(10)) ids.push(c.chatId);
    expect(ids).toEqual([1, 2]);
    expect(server.requests).toHaveLength(2);
  });

  it('break stops fetching', async () => {
    server.reply(chatsPage([1, 2], 'a'), chatsPage([3], 'b'), chatsPage([4]));
    for await (const c of api.iterateChats(10)) {
      if (c.chatId === 2) break;
    }
    expect(server.requests).toHaveLength(1);
  });

  it('an aborted signal stops the iteration with AbortError', async () => {
    server.reply(chatsPage([1], 'a'), chatsPage([2], 'b'), chatsPage([3]));
    const controller = new AbortController();
    const seen: number[] = [];
    const run = async () => {
      for await (const c of api.iterateChats(10, {}, { signal: controller.signal })) {
        seen.push(c.chatId);
        controller.abort();
      }
    };
    await expect(run()).rejects.toBeInstanceOf(AbortError);
    expect(seen).toEqual([1]);
    expect(server.requests).toHaveLength(1);
  });

  it('resumes from a saved page token', async () => {
    server.reply(chatsPage([9]));
    const ids: number[] = [];
    for await (const c of api.iterateChats(10, {}, { pageToken: 'saved' })) ids.push(c.chatId);
    expect(ids).toEqual([9]);
    expect(server.requests[0]!.url).toBe('/v2/businesses/10/chats?pageToken=saved');
  });
});

describe('iterateChatHistory', () => {
  it('starts at messageIdFrom and walks every page', async () => {
    const msg = (messageId: number) => ({
      messageId,
      createdAt: 'x',
      sender: 'CUSTOMER',
      message: `m${messageId}`,
    });
    server.reply(
      { body: { status: 'OK', result: { messages: [msg(5), msg(6)], paging: { nextPageToken: 'n' } } } },
      { body: { status: 'OK', result: { messages: [msg(7)] } } },
    );
    const ids: number[] = [];
    for await (const m of api.iterateChatHistory(10, 20, { messageIdFrom: 5 }, { limit: 100 }))
      ids.push(m.messageId);
    expect(ids).toEqual([5, 6, 7]);
    expect(server.requests[0]!.body.toString()).toBe('{"messageIdFrom":5}');
    expect(server.requests[1]!.url).toBe('/v2/businesses/10/chats/history?chatId=20&pageToken=n&limit=100');
  });
});
