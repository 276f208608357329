/**
 * The reads of a chat's buyer and order on both engines: `customerChats` (the same buyer's other chats,
 * newest first, through chats_by_customer) and `orderContext` before the engine has read anything.
 */
import type { SyncStore } from '@ym-chats/sync';
import { describeEngines, type OpenedStore } from '@ym-chats/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chat } from './support/fixtures.js';

const B = 1001n;
const NOW = '2026-11-25T10:00:00.000Z';

const buyer = (publicId: string) => ({ name: `Покупатель ${publicId}`, publicId });

async function fill(store: SyncStore): Promise<void> {
  const { cursor } = await store.beginPass(B, 'once', NOW);
  await store.writeChatPage({
    businessId: B,
    runId: cursor.runId,
    chats: [
      chat(1, {
        context: { type: 'ORDER', orderId: 77_001, customer: buyer('a') },
        updatedAt: '2026-11-20T10:00:00Z',
      }),
      chat(2, { context: { type: 'DIRECT', customer: buyer('a') }, updatedAt: '2026-11-22T10:00:00Z' }),
      chat(3, {
        context: { type: 'RETURN', orderId: 77_001, returnId: 88_001, customer: buyer('a') },
        updatedAt: '2026-11-21T10:00:00Z',
      }),
      chat(4, {
        context: { type: 'ORDER', orderId: 77_004, customer: buyer('b') },
        updatedAt: '2026-11-23T10:00:00Z',
      }),
      chat(5, { context: { type: 'DIRECT' }, updatedAt: '2026-11-23T10:00:00Z' }),
      chat(6, { context: { type: 'DIRECT' }, updatedAt: '2026-11-23T11:00:00Z' }),
    ],
    nextPageToken: null,
    settleMs: 5000,
  });
}

describeEngines('order reads', (engine) => {
  let opened: OpenedStore;
  beforeAll(async () => {
    opened = await engine.open();
    await fill(opened.store);
  });
  afterAll(async () => {
    await opened.dispose();
  });

  it("lists the buyer's other chats, most recently updated first, never the chat itself", async () => {
    const reads = opened.store.reads;
    expect((await reads.customerChats(1001, 1)).map((c) => c.chatId)).toEqual([2, 3]);
    expect((await reads.customerChats(1001, 2)).map((c) => c.chatId)).toEqual([3, 1]);
    expect((await reads.customerChats(1001, 2, 1)).map((c) => c.chatId)).toEqual([3]);
    const [other] = await reads.customerChats(1001, 3, 1);
    expect(other).toMatchObject({ businessId: 1001, chatId: 2, type: 'CHAT', context: { type: 'DIRECT' } });
    // Alone, without a buyer id, unknown, another business: nothing.
    expect(await reads.customerChats(1001, 4)).toEqual([]);
    expect(await reads.customerChats(1001, 5)).toEqual([]);
    expect(await reads.customerChats(1001, 99)).toEqual([]);
    expect(await reads.customerChats(1002, 1)).toEqual([]);
  });

  it('has no order, return or missing scope before the engine read them', async () => {
    const none = { order: null, return: null, missingScope: null };
    expect(await opened.store.reads.orderContext(1001, 3)).toEqual(none);
    expect(await opened.store.reads.orderContext(1001, 99)).toEqual(none);
  });
});
