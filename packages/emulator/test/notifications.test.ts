import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { notificationProblems } from '@ym-chats/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIZ, call, type Running, start } from './helpers.js';

interface Received {
  body: { notificationType: string; chatId: number; [k: string]: unknown };
  answered: number;
}

let receiver: Server;
let received: Received[] = [];
let run: Running;

beforeAll(async () => {
  const attempts = new Map<string, number>();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const n = (attempts.get(text) ?? 0) + 1;
      attempts.set(text, n);
      // Fail the first delivery of every event, so each one has to be retried.
      const status = n === 1 ? 500 : 200;
      received.push({ body: JSON.parse(text), answered: status });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        status === 200
          ? JSON.stringify({ version: '1.0', name: 'test receiver', time: new Date().toISOString() })
          : JSON.stringify({ error: { type: 'UNKNOWN', message: 'try again' } }),
      );
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  const port = (receiver.address() as AddressInfo).port;
  run = await start({
    notifications: { url: `http://127.0.0.1:${port}/notification`, retryScheduleMs: [30, 60, 120] },
  });
});

afterAll(async () => {
  await run.emu.close();
  receiver.close();
});

async function settle(count: number) {
  for (let i = 0; i < 500; i++) {
    const { deliveries } = await run.admin.notifications();
    if (deliveries.length >= count && deliveries.every((d) => d.state !== 'pending')) return deliveries;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('notifications did not settle');
}

describe('push notifications', () => {
  it('delivers CHAT_* events as the spec describes, retrying after a 500', async () => {
    const order = await run.admin.createOrder(BIZ);
    const created = await call(run.url, 'createChat', {
      json: { context: { type: 'ORDER', id: order.orderId } },
    });
    const chatId = created.body.result.chatId as number;
    // Repeating createChat returns the same chat and announces nothing new.
    await call(run.url, 'createChat', { json: { orderId: order.orderId } });
    await call(run.url, 'sendMessageToChat', { query: { chatId }, json: { message: 'hi' } });
    const customer = await run.admin.postMessage(BIZ, chatId, {
      sender: 'CUSTOMER',
      message: 'здравствуйте',
    });
    await run.admin.updateChat(BIZ, chatId, { type: 'ARBITRAGE' });
    await run.admin.updateChat(BIZ, chatId, { type: 'CHAT' });

    const deliveries = await settle(5);
    expect(deliveries.map((d) => d.body.notificationType)).toEqual([
      'CHAT_CREATED',
      'CHAT_MESSAGE_SENT',
      'CHAT_MESSAGE_SENT',
      'CHAT_ARBITRAGE_STARTED',
      'CHAT_ARBITRAGE_FINISHED',
    ]);
    for (const d of deliveries) {
      expect(d.state).toBe('delivered');
      expect(d.attempts.map((a) => a.status)).toEqual([500, 200]);
    }
    expect(received).toHaveLength(10);
    for (const r of received) {
      expect(notificationProblems(r.body)).toEqual([]);
      expect(r.body.chatId).toBe(chatId);
      expect(r.body.businessId).toBe(BIZ);
    }
    const sent = received.filter((r) => r.body.notificationType === 'CHAT_MESSAGE_SENT');
    expect(sent.map((r) => r.body.messageId)).toContain(String(customer.messageId));
    expect(typeof sent[0]!.body.messageId).toBe('string');
  });

  it('gives up after the schedule when the receiver is down', async () => {
    received = [];
    await run.admin.configureNotifications({
      url: 'http://127.0.0.1:9/unreachable',
      retryScheduleMs: [10, 10],
    });
    await run.admin.createChat(BIZ, { context: { type: 'DIRECT' } });
    const deliveries = await settle(6);
    const last = deliveries[deliveries.length - 1]!;
    expect(last.state).toBe('failed');
    expect(last.attempts).toHaveLength(3);
    expect(last.attempts.every((a) => a.error !== undefined)).toBe(true);
  });
});
