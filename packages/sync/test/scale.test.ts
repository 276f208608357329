/**
 * Issue 11's scale case, both engines: the real emulator seeded with thousands of chats and tens of
 * thousands of messages; while a cold pass runs, buyers write and new chats open, and the pushes for them
 * arrive duplicated and shuffled. Once the pass, the queue and one reconciling pass are done, the store
 * equals the emulator, and every message was published exactly once.
 */
import { type RunningReceiver, SyncEngine, startReceiver } from '@ym-chats/sync';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 180_000 });

import {
  BUSINESS,
  countingApi,
  describeEngines,
  emulatorState,
  messagesPerChat,
  mirrorState,
  startEmulator,
  type TestEmulator,
} from '@ym-chats/testkit';
import { chatCreatedPush, messageSentPush, shuffle } from './support/pushes.js';

const CHATS = 2000;
const LIVE_MESSAGES = 400;
const NEW_CHATS = 20;

describeEngines('sync at scale', (engine) => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(async () => {
    await emu.close();
  });

  it(`mirrors ${CHATS} chats while duplicated, shuffled pushes arrive during the cold pass`, async () => {
    await emu.admin.reset();
    await emu.admin.seed({ seed: 17, chats: CHATS, businessId: BUSINESS });
    const seeded = messagesPerChat(emu);
    const seededMessages = [...seeded.values()].reduce((a, b) => a + b, 0);
    expect(seeded.size).toBe(CHATS);
    expect(seededMessages).toBeGreaterThan(20_000);

    const opened = await engine.open();
    let receiver: RunningReceiver | undefined;
    try {
      const { api } = countingApi(emu.url);
      receiver = await startReceiver({ api, store: opened.store, businessId: BUSINESS, reconcileMinutes: 0 });
      const endpoint = receiver.endpoint;
      const engineRun = new SyncEngine({ api, store: opened.store, businessId: BUSINESS });

      // What happens on the platform during the pass, each push kept to deliver later, out of order.
      const chatIds = [...seeded.keys()];
      const pushes: string[] = [];
      const live = (async () => {
        for (let i = 0; i < NEW_CHATS; i++) {
          const { chat } = await emu.admin.createChat(BUSINESS, { context: { type: 'DIRECT' } });
          chatIds.push(chat.chatId);
          pushes.push(chatCreatedPush(chat));
        }
        for (let i = 0; i < LIVE_MESSAGES; i++) {
          // Spread over old and new chats, several messages per chat.
          const chatId = chatIds[(i * 7919) % chatIds.length]!;
          const m = await emu.admin.postMessage(BUSINESS, chatId, {
            sender: 'CUSTOMER',
            message: `live ${i}`,
          });
          pushes.push(messageSentPush(chatId, m));
        }
      })();
      const deliver = (async () => {
        await live;
        const duplicates = Array.from(
          { length: 0.3 * pushes.length },
          (_, i) => pushes[(i * 31) % pushes.length]!,
        );
        const deliveries = shuffle([...pushes, ...duplicates], 7);
        let next = 0;
        const refused: number[] = [];
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            while (next < deliveries.length) {
              const response = await fetch(endpoint, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: deliveries[next++]!,
              });
              await response.arrayBuffer();
              if (response.status !== 200) refused.push(response.status);
            }
          }),
        );
        return { delivered: deliveries.length, refused };
      })();
      const [pass, delivery] = await Promise.all([engineRun.pass(), deliver]);
      expect(delivery.refused).toEqual([]);
      expect(delivery.delivered).toBe(Math.floor(1.3 * (NEW_CHATS + LIVE_MESSAGES)));
      // The receiver reads pushed chats while the pass runs, so the two share the seeded messages.
      expect(pass.messagesAdded).toBeGreaterThan(0);
      receiver.processor.wake();
      await receiver.processor.idle();
      expect(await opened.store.unprocessed()).toEqual([]);
      const unique = NEW_CHATS + LIVE_MESSAGES;
      expect(receiver.handler.stats).toMatchObject({ queued: unique, duplicates: Math.floor(0.3 * unique) });
      await receiver.reconcile();

      const truth = emulatorState(emu);
      expect(truth.chats).toHaveLength(CHATS + NEW_CHATS);
      expect(truth.messages).toHaveLength(seededMessages + LIVE_MESSAGES);
      const mirror = await mirrorState(opened.store);
      expect(mirror.chats).toEqual(truth.chats);
      expect(mirror.messages).toEqual(truth.messages);
      // Each stored message published once, none twice (integrityProblems checks both ways).
      expect(await opened.store.integrityProblems()).toEqual([]);
      let events = 0;
      let position = 0n;
      for (;;) {
        const batch = await opened.store.eventsAfter(position, 5000);
        if (batch.length === 0) break;
        events += batch.length;
        position = batch[batch.length - 1]!.position;
      }
      expect(events).toBe(truth.messages.length);
    } finally {
      await receiver?.close();
      await opened.dispose();
    }
  });
});
