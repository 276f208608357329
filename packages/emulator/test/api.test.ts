import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BEARER, BIZ, call, history, orderChat, type Running, start } from './helpers.js';

let run: Running;
beforeAll(async () => {
  run = await start({ seed: 7 });
});
afterAll(() => run.emu.close());

describe.each(['v2', 'seed'] as const)('every operation at the %s path style', (style) => {
  it('create → send → read back, file, getChat, getChatMessage, list', async () => {
    const order = await run.admin.createOrder(BIZ, { customer: { name: 'Ирина В.', publicId: 'irina42' } });
    const created = await call(run.url, 'createChat', {
      style,
      json: { context: { type: 'ORDER', id: order.orderId } },
    });
    expect(created.status).toBe(200);
    const chatId: number = created.body.result.chatId;

    const chat = await call(run.url, 'getChat', { style, query: { chatId } });
    expect(chat.status).toBe(200);
    expect(chat.body.result).toMatchObject({
      chatId,
      orderId: order.orderId,
      context: { type: 'ORDER', orderId: order.orderId, customer: { name: 'Ирина В.', publicId: 'irina42' } },
      type: 'CHAT',
      status: 'NEW',
    });

    const sent = await call(run.url, 'sendMessageToChat', {
      style,
      query: { chatId },
      json: { message: `hello ${style}` },
    });
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ status: 'OK' });

    const form = new FormData();
    form.append('file', new Blob([Buffer.from('abc')]), 'note.txt');
    const file = await call(run.url, 'sendFileToChat', { style, query: { chatId }, body: form });
    expect(file.status).toBe(200);

    const hist = await call(run.url, 'getChatHistory', { style, query: { chatId } });
    expect(hist.status).toBe(200);
    const messages = hist.body.result.messages;
    expect(hist.body.result.orderId).toBe(order.orderId);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatchObject({ sender: 'PARTNER', message: `hello ${style}` });
    expect(messages[1].payload[0]).toMatchObject({ name: 'note.txt', size: 3 });

    const one = await call(run.url, 'getChatMessage', {
      style,
      query: { chatId, messageId: messages[0].messageId },
    });
    expect(one.status).toBe(200);
    expect(one.body.result).toEqual(messages[0]);

    const after = await call(run.url, 'getChat', { style, query: { chatId } });
    expect(after.body.result.status).toBe('WAITING_FOR_CUSTOMER');
    expect(after.body.result.updatedAt).toBe(messages[1].createdAt);

    const list = await call(run.url, 'getChats', {
      style,
      query: { limit: 20 },
      json: { orderIds: [order.orderId] },
    });
    expect(list.status).toBe(200);
    expect(list.body.result.chats.map((c: { chatId: number }) => c.chatId)).toEqual([chatId]);
  });
});

describe('chat operations', () => {
  it('createChat is idempotent for the same context, including the deprecated orderId form', async () => {
    const order = await run.admin.createOrder(BIZ);
    const a = await call(run.url, 'createChat', { json: { context: { type: 'ORDER', id: order.orderId } } });
    const b = await call(run.url, 'createChat', { json: { orderId: order.orderId } });
    expect(a.status).toBe(200);
    expect(b.body.result.chatId).toBe(a.body.result.chatId);
  });

  it('creates RETURN chats with returnId and orderId in the context', async () => {
    const ret = await run.admin.createReturn(BIZ);
    const res = await call(run.url, 'createChat', {
      auth: BEARER,
      json: { context: { type: 'RETURN', id: ret.returnId } },
    });
    expect(res.status).toBe(200);
    const chat = await call(run.url, 'getChat', { query: { chatId: res.body.result.chatId } });
    expect(chat.body.result.context).toMatchObject({
      type: 'RETURN',
      returnId: ret.returnId,
      orderId: ret.orderId,
    });
  });

  it('answers 404 for unknown orders, returns, chats and messages', async () => {
    const unknownOrder = await call(run.url, 'createChat', { json: { context: { type: 'ORDER', id: 123 } } });
    expect(unknownOrder.status).toBe(404);
    const unknownReturn = await call(run.url, 'createChat', {
      json: { context: { type: 'RETURN', id: 123 } },
    });
    expect(unknownReturn.status).toBe(404);
    for (const op of ['getChat', 'getChatHistory', 'sendMessageToChat'] as const) {
      const res = await call(run.url, op, {
        query: { chatId: 999 },
        json: op === 'sendMessageToChat' ? { message: 'x' } : {},
      });
      expect(res.status, op).toBe(404);
      expect(res.body.errors[0].code).toBe('NOT_FOUND');
    }
    const huge = await call(run.url, 'getChat', { query: { chatId: '9223372036854775807' } });
    expect(huge.status).toBe(404);
    const { chatId } = await orderChat(run);
    const msg = await call(run.url, 'getChatMessage', { query: { chatId, messageId: 1 } });
    expect(msg.status).toBe(404);
    const form = new FormData();
    form.append('file', new Blob(['x']), 'x.txt');
    const file = await call(run.url, 'sendFileToChat', { query: { chatId: 999 }, body: form });
    expect(file.status).toBe(404);
  });

  it('a message from another chat is not found through this chat', async () => {
    const a = await orderChat(run);
    const b = await orderChat(run);
    await call(run.url, 'sendMessageToChat', { query: { chatId: a.chatId }, json: { message: 'in a' } });
    const [m] = await history(run.url, a.chatId);
    const res = await call(run.url, 'getChatMessage', {
      query: { chatId: b.chatId, messageId: m.messageId },
    });
    expect(res.status).toBe(404);
  });

  it('filters the chat list by context type, type, status and context', async () => {
    const direct = await call(run.url, 'getChats', {
      query: { limit: 20 },
      json: { contextTypes: ['DIRECT'] },
    });
    expect(direct.status).toBe(200);
    expect(direct.body.result.chats.length).toBeGreaterThan(0);
    for (const c of direct.body.result.chats) {
      expect(c.context.type).toBe('DIRECT');
      expect(c.orderId).toBeUndefined();
    }
    const disputes = await call(run.url, 'getChats', {
      query: { limit: 20 },
      json: { types: ['ARBITRAGE'] },
    });
    for (const c of disputes.body.result.chats) expect(c.type).toBe('ARBITRAGE');
    const finished = await call(run.url, 'getChats', {
      query: { limit: 20 },
      json: { statuses: ['FINISHED'] },
    });
    for (const c of finished.body.result.chats) expect(c.status).toBe('FINISHED');
    const ret = await run.admin.createChat(BIZ, { context: { type: 'RETURN' } });
    const byContext = await call(run.url, 'getChats', {
      json: { contexts: [{ type: 'RETURN', id: ret.chat.context.returnId }] },
    });
    expect(byContext.body.result.chats.map((c: { chatId: number }) => c.chatId)).toEqual([ret.chat.chatId]);
  });

  it('refuses to send into a FINISHED chat and keeps it unchanged', async () => {
    const { chatId } = await orderChat(run);
    await run.admin.updateChat(BIZ, chatId, { status: 'FINISHED' });
    const res = await call(run.url, 'sendMessageToChat', { query: { chatId }, json: { message: 'late' } });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toMatch(/FINISHED/);
    expect(await history(run.url, chatId)).toHaveLength(0);
  });

  it('a customer message through the admin side hands the turn to the partner', async () => {
    const { chatId } = await orderChat(run);
    const msg = await run.admin.postMessage(BIZ, chatId, {
      sender: 'CUSTOMER',
      message: 'Где мой заказ? 📦',
    });
    const chat = await call(run.url, 'getChat', { query: { chatId } });
    expect(chat.body.result.status).toBe('WAITING_FOR_PARTNER');
    const read = await call(run.url, 'getChatMessage', { query: { chatId, messageId: msg.messageId } });
    expect(read.body.result).toMatchObject({ sender: 'CUSTOMER', message: 'Где мой заказ? 📦' });
  });

  it('a repeated chat list reflects every write in between (cached pages are dropped on write)', async () => {
    const { chatId } = await orderChat(run);
    const find = async () => {
      const res = await call(run.url, 'getChats', { query: { limit: 20 } });
      return res.body.result.chats.find((c: { chatId: number }) => c.chatId === chatId);
    };
    expect((await find()).status).toBe('NEW');
    expect((await find()).status).toBe('NEW');
    await call(run.url, 'sendMessageToChat', { query: { chatId }, json: { message: 'turn' } });
    expect((await find()).status).toBe('WAITING_FOR_CUSTOMER');
    await run.admin.postMessage(BIZ, chatId, { sender: 'CUSTOMER', message: 'reply' });
    expect((await find()).status).toBe('WAITING_FOR_PARTNER');
    await run.admin.updateChat(BIZ, chatId, { type: 'ARBITRAGE' });
    expect((await find()).type).toBe('ARBITRAGE');
  });

  it('sends X-Request-Id and JSON on every answer, 404 for unknown paths', async () => {
    const res = await fetch(`${run.url}/v2/businesses/${BIZ}/nothing`, {
      headers: { 'Api-Key': 'emulator-api-key' },
    });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(await res.json()).toMatchObject({ status: 'ERROR', errors: [{ code: 'NOT_FOUND' }] });
  });
});
