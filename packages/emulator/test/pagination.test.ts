import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIZ, call, history, orderChat, type Running, start } from './helpers.js';

let run: Running;
beforeAll(async () => {
  run = await start({ seed: 11 });
});
afterAll(() => run.emu.close());

async function postMany(chatId: number, count: number, label: string): Promise<void> {
  for (let i = 0; i < count; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, (_, j) =>
        run.admin.postMessage(BIZ, chatId, { sender: 'CUSTOMER', message: `${label} ${i + j}` }),
      ),
    );
  }
}

describe('history pagination', () => {
  it('walks 2000+ messages while others are appended: nothing skipped, nothing repeated', async () => {
    const { chatId } = await orderChat(run);
    await postMany(chatId, 2000, 'before');
    const initial = await history(run.url, chatId);
    expect(initial).toHaveLength(2000);

    let writing = true;
    let appended = 0;
    const writer = (async () => {
      while (writing) {
        await run.admin.postMessage(BIZ, chatId, { sender: 'CUSTOMER', message: `during ${appended}` });
        const res = await call(run.url, 'sendMessageToChat', {
          query: { chatId },
          json: { message: `partner ${appended}` },
        });
        expect(res.status).toBe(200);
        appended += 2;
      }
    })();

    const seen: number[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await call(run.url, 'getChatHistory', {
        query: { chatId, limit: 37, ...(token ? { page_token: token } : {}) },
      });
      expect(res.status).toBe(200);
      seen.push(...res.body.result.messages.map((m: { messageId: number }) => m.messageId));
      token = res.body.result.paging?.nextPageToken;
      pages++;
      // Keep the writer ahead for a while so the walk really races with appends.
      if (pages === 30) await new Promise((r) => setTimeout(r, 20));
    } while (token);
    writing = false;
    await writer;

    expect(appended).toBeGreaterThan(0);
    expect(new Set(seen).size).toBe(seen.length);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]!);
    const initialIds = initial.map((m) => m.messageId as number);
    expect(seen.slice(0, initialIds.length)).toEqual(initialIds);
    const final = (await history(run.url, chatId)).map((m) => m.messageId as number);
    expect(final.slice(0, seen.length)).toEqual(seen);
  });

  it('messageIdFrom is inclusive and combines with page tokens', async () => {
    const { chatId } = await orderChat(run);
    await postMany(chatId, 30, 'm');
    const all = await history(run.url, chatId);
    const from = all[10].messageId as number;
    const first = await call(run.url, 'getChatHistory', {
      query: { chatId, limit: 5 },
      json: { messageIdFrom: from },
    });
    expect(first.body.result.messages[0].messageId).toBe(from);
    const second = await call(run.url, 'getChatHistory', {
      query: { chatId, limit: 5, pageToken: first.body.result.paging.nextPageToken },
      json: { messageIdFrom: from },
    });
    expect(second.body.result.messages.map((m: { messageId: number }) => m.messageId)).toEqual(
      all.slice(15, 20).map((m) => m.messageId),
    );
    const last = await call(run.url, 'getChatHistory', {
      query: { chatId, limit: 100 },
      json: { messageIdFrom: from },
    });
    expect(last.body.result.paging).toBeUndefined();
    expect(last.body.result.messages).toHaveLength(20);
  });

  it('refuses a token from another chat', async () => {
    const a = await orderChat(run);
    const b = await orderChat(run);
    await postMany(a.chatId, 3, 'a');
    const page = await call(run.url, 'getChatHistory', { query: { chatId: a.chatId, limit: 1 } });
    const token = page.body.result.paging.nextPageToken as string;
    const res = await call(run.url, 'getChatHistory', { query: { chatId: b.chatId, pageToken: token } });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toMatch(/pageToken/);
  });
});

describe('chat list pagination', () => {
  it('walks every chat newest first while chats are created, defaults to 10 a page', async () => {
    const first = await call(run.url, 'getChats');
    expect(first.body.result.chats).toHaveLength(10);
    const existing = (await run.admin.state()).totals.chats;
    const seen: number[] = [];
    let token: string | undefined;
    let created = 0;
    do {
      const res = await call(run.url, 'getChats', {
        query: { limit: 7, ...(token ? { pageToken: token } : {}) },
      });
      expect(res.status).toBe(200);
      seen.push(...res.body.result.chats.map((c: { chatId: number }) => c.chatId));
      token = res.body.result.paging?.nextPageToken;
      await run.admin.createChat(BIZ, { context: { type: 'DIRECT' } });
      created++;
    } while (token);
    expect(created).toBeGreaterThan(5);
    expect(seen).toHaveLength(existing);
    expect(new Set(seen).size).toBe(existing);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeLessThan(seen[i - 1]!);
  });

  it('a token only fits the filter it came from', async () => {
    const page = await call(run.url, 'getChats', { query: { limit: 1 }, json: { contextTypes: ['ORDER'] } });
    const token = page.body.result.paging.nextPageToken as string;
    const same = await call(run.url, 'getChats', {
      query: { limit: 1, pageToken: token },
      json: { contextTypes: ['ORDER'] },
    });
    expect(same.status).toBe(200);
    const other = await call(run.url, 'getChats', { query: { limit: 1, pageToken: token }, json: {} });
    expect(other.status).toBe(400);
    const edited = `${token.slice(0, -2)}${token.endsWith('A') ? 'B' : 'A'}A`;
    const tampered = await call(run.url, 'getChats', {
      query: { pageToken: edited },
      json: { contextTypes: ['ORDER'] },
    });
    expect(tampered.status).toBe(400);
  });
});
