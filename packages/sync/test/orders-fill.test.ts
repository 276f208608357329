/**
 * The orders and returns behind the chats, filled by the sync engine against the real emulator on both
 * engines: a cold sync fills every ORDER/RETURN chat (checked against the emulator's own records), the
 * refresh window holds a changed order back until it passes, and a key without the order scope keeps
 * chats syncing while its business is not asked again until the key changes. Every HTTP call is counted.
 */
import type { EmulatorServer } from '@ym-chats/emulator';
import { ChatsApi } from '@ym-chats/sdk';
import { keyFingerprint, SyncEngine, type SyncStore } from '@ym-chats/sync';
import {
  API_KEY,
  BUSINESS,
  coldMinimum,
  describeEngines,
  emulatorState,
  messagesPerChat,
  mirrorState,
  type OpenedStore,
  startEmulator,
  type TestEmulator,
} from '@ym-chats/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 90_000 });

const SEEDED_CHATS = 40;
const CHAT_ONLY_KEY = 'sync-test-chat-only-key-51e0';

interface Counts {
  getChats: number;
  getChatHistory: number;
  getBusinessOrders: number;
  getReturn: number;
}

/** An SDK client whose HTTP calls are counted by operation, as they leave for the emulator. */
function countedApi(url: string, apiKey = API_KEY): { api: ChatsApi; take(): Counts } {
  let counts: Counts = { getChats: 0, getChatHistory: 0, getBusinessOrders: 0, getReturn: 0 };
  const api = new ChatsApi({
    apiKey,
    baseUrl: url,
    fetch: (target, init) => {
      const path = new URL(target).pathname;
      if (path.endsWith('/chats/history')) counts.getChatHistory += 1;
      else if (path.endsWith('/chats')) counts.getChats += 1;
      else if (/\/v1\/businesses\/\d+\/orders$/.test(path)) counts.getBusinessOrders += 1;
      else if (/\/returns\/\d+$/.test(path)) counts.getReturn += 1;
      else throw new Error(`unexpected call ${path}`);
      return fetch(target, init);
    },
  });
  return {
    api,
    take() {
      const taken = counts;
      counts = { getChats: 0, getChatHistory: 0, getBusinessOrders: 0, getReturn: 0 };
      return taken;
    },
  };
}

interface ContextChat {
  chat_id: number;
  context_type: 'ORDER' | 'RETURN';
  order_id: number;
  return_id: number | null;
  campaign_id: number;
}

/** The emulator's ORDER/RETURN chats, from its own database. */
function contextChats(emulator: EmulatorServer): ContextChat[] {
  return emulator.store.db
    .prepare(
      `SELECT chat_id, context_type, order_id, return_id, campaign_id FROM chats
        WHERE business_id = ? AND context_type IN ('ORDER', 'RETURN') ORDER BY chat_id`,
    )
    .all(BUSINESS) as ContextChat[];
}

const mskDate = (ms: number) => new Date(ms + 3 * 3600_000).toISOString().slice(0, 10);

/** What the store must show for a chat, built from the emulator's records (not from our own query). */
function expectedContext(emulator: EmulatorServer, chat: ContextChat) {
  const d = emulator.store.orderDetails(BUSINESS, chat.order_id)!;
  const items = d.items.map((i) => ({
    offerId: i.offerId,
    name: i.offerName,
    count: i.count,
    price: { value: i.price * i.count, currency: 'RUR' },
  }));
  const goods = d.items.reduce((sum, i) => sum + i.price * i.count, 0);
  const order = {
    orderId: chat.order_id,
    campaignId: chat.campaign_id,
    status: d.status,
    substatus: d.substatus,
    delivery: {
      type: d.delivery.type,
      serviceName: d.delivery.serviceName,
      from: mskDate(d.delivery.fromDate),
      to: mskDate(d.delivery.toDate),
    },
    items,
    total: { value: goods + d.delivery.price, currency: 'RUR' },
  };
  if (chat.return_id === null) return { order, return: null };
  const r = emulator.store.returnDetails(BUSINESS, chat.return_id)!;
  const names = new Map(d.items.map((i) => [i.offerId, i.offerName]));
  return {
    order,
    return: {
      returnId: chat.return_id,
      orderId: chat.order_id,
      campaignId: chat.campaign_id,
      returnType: r.returnType,
      refundStatus: r.refundStatus,
      shipmentStatus: r.shipmentStatus,
      amount: { value: r.amount, currency: 'RUR' },
      items: r.items.map((i) => ({
        shopSku: i.offerId,
        name: names.get(i.offerId),
        count: i.count,
        reason: i.reason,
      })),
    },
  };
}

async function orderStatus(store: SyncStore, chatId: number): Promise<string | undefined> {
  return (await store.reads.orderContext(BUSINESS, chatId)).order?.status;
}

describeEngines('order fill', (engine) => {
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
    await emu.admin.seed({ seed: 7, chats: SEEDED_CHATS, businessId: BUSINESS });
    opened = await engine.open();
  });
  afterEach(async () => {
    await opened.dispose();
  });

  it('fills the order and return of every ORDER/RETURN chat in a cold sync, 50 orders a call', async () => {
    const { api, take } = countedApi(emu.url);
    const sync = new SyncEngine({ api, store: opened.store, businessId: BUSINESS, orders: {} });
    const chats = contextChats(emu.emulator);
    const returns = chats.filter((c) => c.return_id !== null).length;
    expect(returns).toBeGreaterThan(0);
    expect(chats.length - returns).toBeGreaterThan(0);

    const cold = await sync.pass();
    const orders = new Set(chats.map((c) => c.order_id)).size;
    const chatMinimum = coldMinimum(messagesPerChat(emu));
    expect(take()).toEqual({
      getChats: chatMinimum.getChats,
      getChatHistory: chatMinimum.getChatHistory,
      getBusinessOrders: Math.ceil(orders / 50),
      getReturn: returns,
    });
    expect(cold.orders).toMatchObject({ ordersRead: orders, returnsRead: returns, owed: 0 });
    expect(await mirrorState(opened.store)).toEqual(emulatorState(emu));
    for (const chat of chats) {
      const context = await opened.store.reads.orderContext(BUSINESS, chat.chat_id);
      expect(context, `chat ${chat.chat_id}`).toMatchObject({
        ...expectedContext(emu.emulator, chat),
        missingScope: null,
      });
      expect(context.order?.fetchedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
    // Nothing changed: no order is read again.
    await sync.pass();
    expect(take()).toMatchObject({ getBusinessOrders: 0, getReturn: 0 });
  });

  it('reads a changed order again once the refresh window has passed, not before', async () => {
    let clock = Date.now();
    const { api, take } = countedApi(emu.url);
    const sync = new SyncEngine({
      api,
      store: opened.store,
      businessId: BUSINESS,
      now: () => clock,
      orders: { refreshMs: 60_000 },
    });
    await sync.pass();
    take();
    const chat = contextChats(emu.emulator).find((c) => c.context_type === 'ORDER')!;
    const before = await orderStatus(opened.store, chat.chat_id);
    const status = before === 'DELIVERED' ? 'CANCELLED' : 'DELIVERED';
    await emu.admin.updateOrder(BUSINESS, chat.order_id, { status });
    await emu.admin.postMessage(BUSINESS, chat.chat_id, { sender: 'CUSTOMER', message: 'Где мой заказ?' });

    // The chat changed within the window: its history is read, its order is not.
    clock += 30_000;
    const early = await sync.pass();
    expect(take()).toMatchObject({ getChatHistory: 1, getBusinessOrders: 0, getReturn: 0 });
    expect(early.orders).toMatchObject({ owed: 1, ordersRead: 0 });
    expect(await orderStatus(opened.store, chat.chat_id)).toBe(before);

    // The window has passed: the next pass reads it, although the chat did not change again.
    clock += 31_000;
    const late = await sync.pass();
    expect(take()).toMatchObject({ getChatHistory: 0, getBusinessOrders: 1 });
    expect(late.orders).toMatchObject({ owed: 0, ordersRead: 1 });
    expect(await orderStatus(opened.store, chat.chat_id)).toBe(status);

    // Met: not read again without a change.
    clock += 120_000;
    await sync.pass();
    expect(take()).toMatchObject({ getBusinessOrders: 0, getReturn: 0 });
  });

  it('goes on with the chats when the order quota is used up, keeping the order owed', async () => {
    await emu.admin.quotas({ enabled: true, limits: { getBusinessOrders: 1 } });
    const { api, take } = countedApi(emu.url);
    const sync = new SyncEngine({ api, store: opened.store, businessId: BUSINESS, orders: { refreshMs: 0 } });
    expect((await sync.pass()).orders).toMatchObject({ calls: { getBusinessOrders: 1 }, owed: 0 });
    take();
    const chat = contextChats(emu.emulator).find((c) => c.context_type === 'ORDER')!;
    await emu.admin.postMessage(BUSINESS, chat.chat_id, { sender: 'CUSTOMER', message: 'Когда доставка?' });
    const spent = await sync.pass();
    // The chat's new message is stored with the minimum chat calls; the order waits for the quota.
    const counts = take();
    expect(counts).toMatchObject({ getChatHistory: 1, getReturn: 0 });
    expect(counts.getBusinessOrders).toBeLessThanOrEqual(1);
    expect(spent.orders).toMatchObject({ stopped: 'quota', ordersRead: 0, owed: 1 });
    expect(await mirrorState(opened.store)).toEqual(emulatorState(emu));
    // A client whose quota is back (the emulator's window reset) reads the owed order at its next pass.
    await emu.admin.quotas({ reset: true, limits: { getBusinessOrders: 1000 } });
    const fresh = countedApi(emu.url);
    const back = new SyncEngine({
      api: fresh.api,
      store: opened.store,
      businessId: BUSINESS,
      orders: { refreshMs: 0 },
    });
    expect((await back.pass()).orders).toMatchObject({ ordersRead: 1, owed: 0 });
    expect(fresh.take().getBusinessOrders).toBe(1);
  });

  it('keeps syncing chats with a chat-only key and asks for orders again only after the key changes', async () => {
    await emu.admin.addCredential({
      apiKey: CHAT_ONLY_KEY,
      businessIds: [BUSINESS],
      scopes: ['communication'],
    });
    const chatOnly = countedApi(emu.url, CHAT_ONLY_KEY);
    const chatOnlyOptions = { keyFingerprint: keyFingerprint(CHAT_ONLY_KEY), refreshMs: 0 };
    const first = new SyncEngine({
      api: chatOnly.api,
      store: opened.store,
      businessId: BUSINESS,
      orders: chatOnlyOptions,
    });
    const cold = await first.pass();
    const chatMinimum = coldMinimum(messagesPerChat(emu));
    expect(chatOnly.take()).toEqual({
      getChats: chatMinimum.getChats,
      getChatHistory: chatMinimum.getChatHistory,
      getBusinessOrders: 1,
      getReturn: 0,
    });
    expect(await mirrorState(opened.store)).toEqual(emulatorState(emu));
    expect(cold.orders).toMatchObject({ stopped: 'missingScope', ordersRead: 0 });
    const chat = contextChats(emu.emulator)[0]!;
    const denied = await opened.store.reads.orderContext(BUSINESS, chat.chat_id);
    expect(denied.order).toBeNull();
    expect(denied.missingScope?.scopes).toContain('inventory-and-order-processing');
    expect(denied.missingScope?.since).toMatch(/^\d{4}-\d\d-\d\dT/);

    // The same key, in this engine and in a new one (a restart): chats sync, orders are not asked.
    await emu.admin.postMessage(BUSINESS, chat.chat_id, { sender: 'CUSTOMER', message: 'Заказ где?' });
    await first.pass();
    expect(chatOnly.take()).toMatchObject({ getChatHistory: 1, getBusinessOrders: 0, getReturn: 0 });
    const restarted = new SyncEngine({
      api: chatOnly.api,
      store: opened.store,
      businessId: BUSINESS,
      orders: chatOnlyOptions,
    });
    expect((await restarted.pass()).orders).toMatchObject({ stopped: 'missingScope' });
    expect(chatOnly.take()).toMatchObject({ getBusinessOrders: 0, getReturn: 0 });
    expect((await opened.store.reads.orderContext(BUSINESS, chat.chat_id)).missingScope?.since).toBe(
      denied.missingScope?.since,
    );

    // A new key with the scope: every owed order is read, and the record is gone.
    const full = countedApi(emu.url);
    const next = new SyncEngine({
      api: full.api,
      store: opened.store,
      businessId: BUSINESS,
      orders: { keyFingerprint: keyFingerprint(API_KEY) },
    });
    const result = await next.pass();
    const chats = contextChats(emu.emulator);
    expect(full.take()).toMatchObject({
      getChats: chatMinimum.getChats,
      getBusinessOrders: 1,
    });
    expect(result.orders).toMatchObject({ ordersRead: new Set(chats.map((c) => c.order_id)).size, owed: 0 });
    const context = await opened.store.reads.orderContext(BUSINESS, chat.chat_id);
    expect(context).toMatchObject({ ...expectedContext(emu.emulator, chat), missingScope: null });
  });

  it('asks once per engine when the key is not known, and never fails the pass', async () => {
    await emu.admin.addCredential({
      apiKey: CHAT_ONLY_KEY,
      businessIds: [BUSINESS],
      scopes: ['communication'],
    });
    const chatOnly = countedApi(emu.url, CHAT_ONLY_KEY);
    const one = new SyncEngine({ api: chatOnly.api, store: opened.store, businessId: BUSINESS, orders: {} });
    await one.pass();
    await one.pass();
    expect(chatOnly.take().getBusinessOrders).toBe(1);
    const two = new SyncEngine({ api: chatOnly.api, store: opened.store, businessId: BUSINESS, orders: {} });
    expect((await two.pass()).orders).toMatchObject({
      stopped: 'missingScope',
      calls: { getBusinessOrders: 1 },
    });
    expect(chatOnly.take().getBusinessOrders).toBe(1);
  });
});
