/**
 * The push endpoint and its queue against the real emulator: answers valid per the notifications spec,
 * PING without the API, malformed bodies refused, 1 000 pushes with duplicates in shuffled order stored
 * once each, and the emulator's own pushes landing in the store.
 */
import { type RunningReceiver, SyncEngine, startReceiver } from '@ym-chats/sync';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';

// Whole passes over a few thousand messages, next to other suites on a shared machine.
vi.setConfig({ testTimeout: 90_000 });

import {
  answerProblems,
  BUSINESS,
  countingApi,
  describeEngines,
  emulatorState,
  messagesPerChat,
  mirrorState,
  type OpenedStore,
  startEmulator,
  type TestEmulator,
} from '@ym-chats/testkit';
import { messageSentPush, shuffle } from './support/pushes.js';

async function post(url: string, body: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: response.status, body: await response.json() };
}

describeEngines('notification receiver', (engine) => {
  let emu: TestEmulator;
  let opened: OpenedStore;
  let receiver: RunningReceiver | undefined;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(async () => {
    await emu.close();
  });
  beforeEach(async () => {
    await emu.admin.reset();
    await emu.admin.seed({ seed: 5, chats: 40, businessId: BUSINESS });
    opened = await engine.open();
  });
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
    await opened.dispose();
  });

  it('answers PING at once without the API, refuses malformed bodies, acknowledges other types', async () => {
    // An API nobody listens on: nothing here may need it.
    const { api, counts } = countingApi('http://127.0.0.1:9', { maxRetries: 0 });
    receiver = await startReceiver({ api, store: opened.store, businessId: BUSINESS, reconcileMinutes: 0 });
    const answers: { status: number; body: unknown }[] = [];
    const send = async (body: string) => {
      const answer = await post(receiver!.endpoint, body);
      answers.push(answer);
      return answer;
    };
    const ping = await send('{"notificationType":"PING","time":"2026-11-25T10:00:00.213Z"}');
    expect(ping.status).toBe(200);
    expect(ping.body).toMatchObject({ name: 'ym-chats' });
    const malformed = [
      'not json',
      '[1,2]',
      '{"time":"2026-11-25T10:00:00Z"}',
      `{"notificationType":"CHAT_MESSAGE_SENT","businessId":${BUSINESS},"messageId":"5","sentAt":"2026-11-25T10:00:00Z"}`,
      `{"notificationType":"CHAT_MESSAGE_SENT","businessId":${BUSINESS},"chatId":7,"messageId":5,"sentAt":"2026-11-25T10:00:00Z"}`,
      `{"notificationType":"CHAT_CREATED","businessId":${BUSINESS},"chatId":7,"createdAt":"yesterday"}`,
      `{"notificationType":"CHAT_CREATED","businessId":0,"chatId":7,"createdAt":"2026-11-25T10:00:00Z"}`,
      JSON.stringify({ notificationType: 'PING', pad: 'x'.repeat(70_000) }),
    ];
    for (const body of malformed) {
      const answer = await send(body);
      expect(answer.status, body.slice(0, 80)).toBe(400);
      expect(answer.body).toMatchObject({ error: { type: 'WRONG_EVENT_FORMAT' } });
    }
    for (const other of [
      '{"notificationType":"ORDER_CREATED","campaignId":1,"orderId":2,"createdAt":"2026-11-25T10:00:00Z","items":[]}',
      '{"notificationType":"SOMETHING_ADDED_IN_2027","whatever":true}',
      `{"notificationType":"CHAT_CREATED","businessId":999,"chatId":7,"createdAt":"2026-11-25T10:00:00Z"}`,
    ]) {
      expect((await send(other)).status).toBe(200);
    }
    for (const a of answers) expect(answerProblems(a.status, a.body)).toEqual([]);
    expect(await opened.store.unprocessed()).toEqual([]);
    expect(counts).toEqual({ getChats: 0, getChatHistory: 0, other: 0 });
  });

  it('stores each message once from 1 000 pushes with 30 % duplicates in shuffled order', async () => {
    const { api, counts, reset } = countingApi(emu.url);
    await new SyncEngine({ api, store: opened.store, businessId: BUSINESS }).pass();
    reset();
    const chats = [...messagesPerChat(emu).keys()].slice(0, 20);
    const pushes: string[] = [];
    let posted = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (posted < 700) {
          const i = posted++;
          const chatId = chats[i % chats.length]!;
          const m = await emu.admin.postMessage(BUSINESS, chatId, {
            sender: 'CUSTOMER',
            message: `push ${i}`,
          });
          pushes.push(messageSentPush(chatId, m));
        }
      }),
    );
    const duplicates = Array.from({ length: 300 }, (_, i) => pushes[(i * 7919) % pushes.length]!);
    const deliveries = shuffle([...pushes, ...duplicates], 42);
    expect(deliveries).toHaveLength(1000);
    const position = await opened.store.lastPosition();
    receiver = await startReceiver({ api, store: opened.store, businessId: BUSINESS, reconcileMinutes: 0 });
    let next = 0;
    const problems: string[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < deliveries.length) {
          const answer = await post(receiver!.endpoint, deliveries[next++]!);
          if (answer.status !== 200) problems.push(`status ${answer.status}`);
          problems.push(...answerProblems(answer.status, answer.body));
        }
      }),
    );
    expect(problems).toEqual([]);
    receiver.processor.wake();
    await receiver.processor.idle();
    expect(receiver.handler.stats).toMatchObject({ queued: 700, duplicates: 300 });
    // Pushes carry messages; chat statuses come with the next reconciling pass.
    expect((await mirrorState(opened.store)).messages).toEqual(emulatorState(emu).messages);
    const events = await opened.store.eventsAfter(position, 2000);
    expect(events).toHaveLength(700);
    expect(await opened.store.integrityProblems()).toEqual([]);
    // Coalesced into history reads (no getChatMessage, no listing), far fewer than the pushes.
    expect(counts.other).toBe(0);
    expect(counts.getChats).toBe(0);
    expect(counts.getChatHistory).toBeLessThanOrEqual(200);
    console.log(`1000 pushes → ${counts.getChatHistory} getChatHistory calls`);
    await receiver.reconcile();
    expect(await mirrorState(opened.store)).toEqual(emulatorState(emu));
  });

  it('stores what the emulator pushes, and a reconciling pass on start repairs what was missed', async () => {
    const { api } = countingApi(emu.url);
    // Missed while the receiver was down: no push will ever come for these.
    const chatIds = [...messagesPerChat(emu).keys()];
    await emu.admin.postMessage(BUSINESS, chatIds[1]!, { sender: 'CUSTOMER', message: 'missed' });
    receiver = await startReceiver({ api, store: opened.store, businessId: BUSINESS, reconcileMinutes: 60 });
    await emu.admin.configureNotifications({ url: receiver.endpoint, retryScheduleMs: [50, 100] });
    await receiver.reconcile();
    const { chat } = await emu.admin.createChat(BUSINESS, { context: { type: 'DIRECT' } });
    const sent = await emu.admin.postMessage(BUSINESS, chat.chatId, { sender: 'CUSTOMER', message: 'live' });
    const deadline = Date.now() + 10_000;
    for (;;) {
      await receiver.processor.idle();
      const stored = await opened.store.messages(BigInt(BUSINESS), BigInt(chat.chatId));
      const row = await opened.store.chat(BigInt(BUSINESS), BigInt(chat.chatId));
      if (stored.some((m) => m.messageId === BigInt(sent.messageId)) && row !== undefined) break;
      if (Date.now() > deadline) throw new Error('the pushed message never reached the store');
      await new Promise((r) => setTimeout(r, 50));
    }
    // The store can hold the message before the emulator has recorded our 200 for its delivery.
    let states: string[] = [];
    for (let i = 0; i < 100; i++) {
      states = (await emu.admin.notifications()).deliveries.map((d) => d.state);
      if (states.every((s) => s === 'delivered')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(states.length).toBeGreaterThan(0);
    expect(states.every((s) => s === 'delivered')).toBe(true);
    expect(await mirrorState(opened.store)).toEqual(emulatorState(emu));
  });
});
