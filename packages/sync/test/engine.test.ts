/**
 * The sync engine against the real emulator, counting every HTTP call: a cold pass, an unchanged pass and
 * a pass after new messages cost exactly the minimum, and the mirror then equals the emulator.
 */
import { SyncEngine } from '@ym-chats/sync';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';

// Whole passes over a few thousand messages, next to other suites on a shared machine.
vi.setConfig({ testTimeout: 90_000 });

import {
  BUSINESS,
  chatPages,
  coldMinimum,
  countingApi,
  describeEngines,
  emulatorState,
  messagesPerChat,
  mirrorState,
  type OpenedStore,
  startEmulator,
  type TestEmulator,
} from '@ym-chats/testkit';

const SEEDED_CHATS = 130;

describeEngines('sync engine', (engine) => {
  let emu: TestEmulator;
  let opened: OpenedStore;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(async () => {
    await emu.close();
  });
  beforeEach(async () => {
    await emu.admin.reset();
    await emu.admin.seed({ seed: 11, chats: SEEDED_CHATS, businessId: BUSINESS });
    opened = await engine.open();
  });
  afterEach(async () => {
    await opened.dispose();
  });

  it('costs the minimum for a cold pass, an unchanged pass and a pass after K new messages', async () => {
    const { api, reset } = countingApi(emu.url);
    const sync = new SyncEngine({ api, store: opened.store, businessId: BUSINESS });
    const perChat = messagesPerChat(emu);
    const totalMessages = [...perChat.values()].reduce((a, b) => a + b, 0);
    expect(totalMessages).toBeGreaterThan(2000);

    const cold = await sync.pass();
    expect(reset()).toEqual(coldMinimum(perChat));
    expect(cold.messagesAdded).toBe(totalMessages);
    expect(await mirrorState(opened.store)).toEqual(emulatorState(emu));

    await sync.pass();
    expect(reset()).toEqual({ getChats: chatPages(SEEDED_CHATS), getChatHistory: 0, other: 0 });

    const [busy, quiet] = [...perChat.keys()].slice(3, 5) as [number, number];
    for (let i = 0; i < 150; i++)
      await emu.admin.postMessage(BUSINESS, busy, { sender: 'CUSTOMER', message: `new ${i}` });
    for (let i = 0; i < 3; i++)
      await emu.admin.postMessage(BUSINESS, quiet, { sender: 'SUPPORT', message: `note ${i}` });
    const position = await opened.store.lastPosition();
    const after = await sync.pass();
    // ceil((K + 1) / 100): the last stored message comes back once because messageIdFrom is inclusive.
    expect(reset()).toEqual({
      getChats: chatPages(SEEDED_CHATS),
      getChatHistory: Math.ceil(151 / 100) + Math.ceil(4 / 100),
      other: 0,
    });
    expect(after.messagesAdded).toBe(153);
    expect(await mirrorState(opened.store)).toEqual(emulatorState(emu));
    const events = await opened.store.eventsAfter(position, 1000);
    expect(events).toHaveLength(153);
    const busyTexts = events.filter((e) => e.message.chatId === BigInt(busy)).map((e) => e.message.text);
    expect(busyTexts).toEqual(Array.from({ length: 150 }, (_, i) => `new ${i}`));
    expect(await opened.store.integrityProblems()).toEqual([]);
  });

  it('reads a chat once more when its last read may have shared a second with a later message', async () => {
    // The emulator's clock stands still, so every new message has the same updatedAt second.
    await emu.admin.reset();
    const frozen = Date.now();
    const still = await startEmulator({ now: () => frozen });
    try {
      await still.admin.seed({ seed: 3, chats: 5, businessId: BUSINESS });
      const { api, reset } = countingApi(still.url);
      let offset = 0;
      const sync = new SyncEngine({
        api,
        store: opened.store,
        businessId: BUSINESS,
        now: () => Date.now() + offset,
      });
      await sync.pass();
      const chatId = [...messagesPerChat(still).keys()][0]!;
      await still.admin.postMessage(BUSINESS, chatId, { sender: 'CUSTOMER', message: 'first' });
      await sync.pass();
      reset();
      // Same second, same sender, same status: the listing cannot tell this chat changed.
      await still.admin.postMessage(BUSINESS, chatId, { sender: 'CUSTOMER', message: 'second' });
      await sync.pass();
      expect(reset()).toEqual({ getChats: 1, getChatHistory: 1, other: 0 });
      expect((await opened.store.messages(BigInt(BUSINESS), BigInt(chatId))).at(-1)?.text).toBe('second');
      // Once a read happened well after that second, the chat is settled and costs nothing more.
      offset = 60_000;
      await sync.pass();
      expect(reset()).toEqual({ getChats: 1, getChatHistory: 1, other: 0 });
      await sync.pass();
      expect(reset()).toEqual({ getChats: 1, getChatHistory: 0, other: 0 });
      expect(await mirrorState(opened.store)).toEqual(emulatorState(still));
    } finally {
      await still.close();
    }
  });

  it('picks up chats created and changed between passes, status changes without a history read', async () => {
    const { api, reset } = countingApi(emu.url);
    const sync = new SyncEngine({ api, store: opened.store, businessId: BUSINESS });
    await sync.pass();
    reset();
    const { chat } = await emu.admin.createChat(BUSINESS, { context: { type: 'DIRECT' } });
    await emu.admin.postMessage(BUSINESS, chat.chatId, { sender: 'CUSTOMER', message: 'hello' });
    const old = [...messagesPerChat(emu).keys()][10]!;
    await emu.admin.updateChat(BUSINESS, old, { status: 'FINISHED' });
    await sync.pass();
    expect(reset()).toEqual({ getChats: chatPages(SEEDED_CHATS + 1), getChatHistory: 1, other: 0 });
    expect((await opened.store.chat(BigInt(BUSINESS), BigInt(old)))?.status).toBe('FINISHED');
    expect(await mirrorState(opened.store)).toEqual(emulatorState(emu));
  });

  it('prunes processed push notifications older than the retention after a pass', async () => {
    const { api } = countingApi(emu.url);
    const ago = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
    const note = (messageId: string) => ({
      type: 'CHAT_MESSAGE_SENT' as const,
      businessId: BigInt(BUSINESS),
      chatId: 1n,
      messageId,
      eventTime: ago(0),
    });
    const b = BigInt(BUSINESS);
    await opened.store.enqueue(note('1'), ago(16));
    await opened.store.enqueue(note('2'), ago(14));
    await opened.store.markProcessed(
      (await opened.store.unprocessed()).map((n) => n.inboundId),
      ago(0),
    );
    await new SyncEngine({ api, store: opened.store, businessId: BUSINESS, inboundRetentionDays: 0 }).pass();
    expect(await opened.store.pruneNotifications(b, ago(365))).toBe(0);
    expect(await opened.store.enqueue(note('1'), ago(0))).toBe(false); // kept: retention 0 prunes nothing
    await new SyncEngine({ api, store: opened.store, businessId: BUSINESS }).pass();
    // The default (15 days) pruned the 16-day-old one; the 14-day-old one still catches its redelivery.
    expect(await opened.store.enqueue(note('2'), ago(0))).toBe(false);
    expect(await opened.store.enqueue(note('1'), ago(0))).toBe(true);
  });

  it('runs with a client that has no rate limiter (no quota figures to show)', async () => {
    const { api, reset } = countingApi(emu.url, { rateLimit: false });
    const seen: (number | null)[] = [];
    const sync = new SyncEngine({
      api,
      store: opened.store,
      businessId: BUSINESS,
      onProgress: (p) => seen.push(p.quotaLeft.getChats),
    });
    await sync.pass();
    expect(reset().getChats).toBe(chatPages(SEEDED_CHATS));
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set([null]));
  });

  it('stops re-reading a chat dated ahead of its own clock after one read that finds nothing new', async () => {
    const { api, reset } = countingApi(emu.url);
    // This mirror's clock runs two years behind the platform's: no chat can settle by the clock.
    let offset = -2 * 365 * 86_400_000;
    const sync = new SyncEngine({
      api,
      store: opened.store,
      businessId: BUSINESS,
      now: () => Date.now() + offset,
    });
    await sync.pass();
    reset();
    await sync.pass(); // every chat once more, each finding nothing new a whole second later
    offset += 2000;
    await sync.pass();
    const confirmations = reset();
    expect(confirmations.getChatHistory).toBeGreaterThan(0);
    expect(confirmations.getChatHistory).toBeLessThanOrEqual(2 * SEEDED_CHATS);
    await sync.pass();
    expect(reset()).toEqual({ getChats: chatPages(SEEDED_CHATS), getChatHistory: 0, other: 0 });
  });
});
