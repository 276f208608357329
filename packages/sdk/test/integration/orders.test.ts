/**
 * getBusinessOrders and getReturn against the real emulator over HTTP: spec-valid bodies for every seeded
 * ORDER and RETURN chat, the spec's errors as the SDK's classes, quotas counted per business and per
 * campaign, the order reads' own parallel slots, and an admin change visible in the next read.
 */
import { validateResponse } from '@ym-chats/contract';
import {
  type Chat,
  ChatsApi,
  MissingScopeError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from '@ym-chats/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSINESS, startEmulator } from './emulator.js';

let env: Awaited<ReturnType<typeof startEmulator>>;
let chats: Chat[];
beforeAll(async () => {
  env = await startEmulator({ seed: 7 });
  chats = [];
  for await (const chat of env.api.iterateChats(BUSINESS, {}, { limit: 20 })) chats.push(chat);
});
afterAll(() => env.close());

const ofType = (type: string) => chats.filter((c) => c.context?.type === type);

describe('the order behind a chat, over HTTP', () => {
  it("every ORDER and RETURN chat's order comes back spec-valid with items, status and dates", async () => {
    const withOrder = [...ofType('ORDER'), ...ofType('RETURN')];
    expect(withOrder.length).toBeGreaterThan(20);
    const ids = [...new Set(withOrder.map((c) => c.context!.orderId!))];
    const found = new Map<number, unknown>();
    for (let i = 0; i < ids.length; i += 50) {
      const page = await env.api.getBusinessOrders(BUSINESS, { orderIds: ids.slice(i, i + 50) });
      expect(validateResponse('orders', 'getBusinessOrders', 200, page)).toEqual([]);
      for (const order of page.orders) {
        expect(order.items.length).toBeGreaterThan(0);
        expect(order.items[0]!.offerName).toMatch(/[А-Яа-яЁё]/);
        expect(order.delivery.dates.fromDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(order.status).not.toBe('');
        found.set(order.orderId, order);
      }
    }
    expect([...found.keys()].sort()).toEqual([...ids].sort());
  });

  it("every RETURN chat's return comes back spec-valid with items and state", async () => {
    const returns = ofType('RETURN');
    expect(returns.length).toBeGreaterThan(5);
    for (const chat of returns) {
      const { campaignId, orderId, returnId } = chat.context!;
      const answer = await env.api.getReturn(campaignId!, orderId!, returnId!);
      expect(validateResponse('orders', 'getReturn', 200, answer)).toEqual([]);
      expect(answer.result).toMatchObject({ id: returnId, orderId });
      expect(answer.result.items.length).toBeGreaterThan(0);
      expect(answer.result.refundStatus).toBeDefined();
    }
  });

  it('iterateBusinessOrders walks every page of the last 30 days once', async () => {
    const seen: number[] = [];
    for await (const order of env.api.iterateBusinessOrders(BUSINESS, {}, { limit: 9 }))
      seen.push(order.orderId);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe((await env.admin.state()).totals.orders);
  });

  it("the spec's errors become the SDK's classes", async () => {
    const chat = ofType('RETURN')[0]!;
    const { campaignId, orderId, returnId } = chat.context!;
    await expect(env.api.getReturn(campaignId!, orderId! + 1, returnId!)).rejects.toThrow(NotFoundError);
    await expect(env.api.getReturn(campaignId!, orderId!, 999_999_999)).rejects.toThrow(/HTTP 404/);
    const other = await env.api.getReturn(campaignId! + 1, orderId!, returnId!).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(PermissionDeniedError);
    expect((other as Error).message).toMatch(/no access to campaign/);
    expect((await env.api.getBusinessOrders(BUSINESS, { orderIds: [123] })).orders).toEqual([]);
  });

  it('a chat-only key gets MissingScopeError from the order reads and still reads chats', async () => {
    await env.admin.addCredential({
      apiKey: 'chat-only-api-key',
      businessIds: [BUSINESS],
      scopes: ['communication'],
    });
    const api = new ChatsApi({ baseUrl: env.url, apiKey: 'chat-only-api-key', maxRetries: 0 });
    const error = await api.getBusinessOrders(BUSINESS, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingScopeError);
    expect((error as MissingScopeError).scopes).toContain('inventory-and-order-processing');
    expect((error as Error).message).toMatch(/do not include any that getBusinessOrders needs/);
    expect((error as Error).message).toMatch(/lacks a scope this method needs/);
    const { campaignId, orderId, returnId } = ofType('RETURN')[0]!.context!;
    await expect(api.getReturn(campaignId!, orderId!, returnId!)).rejects.toThrow(MissingScopeError);
    expect((await api.getChats(BUSINESS)).result.chats.length).toBeGreaterThan(0);
  });

  it('quotas: getBusinessOrders counted per business, getReturn per campaign', async () => {
    const api = new ChatsApi({ baseUrl: env.url, apiKey: 'emulator-api-key' });
    const { campaignId, orderId, returnId } = ofType('RETURN')[0]!.context!;
    await api.getBusinessOrders(BUSINESS, {});
    await api.getReturn(campaignId!, orderId!, returnId!);
    await api.getReturn(campaignId!, orderId!, returnId!);
    const business = await api.quotaState(BUSINESS);
    const campaign = await api.campaignQuotaState(campaignId!);
    const orders = business.find((q) => q.operation === 'getBusinessOrders')!;
    expect(orders.limit).toBe(10000);
    expect(business.some((q) => q.operation === 'getReturn')).toBe(false);
    expect(campaign.map((q) => q.operation)).toEqual(['getReturn']);
    expect(campaign[0]!.limit).toBe(7000);
    // The emulator's figure for the campaign, as its response headers said after the second read.
    const served = (await env.admin.state()).quotas.counters[`campaign:${campaignId}`]!.served;
    expect(campaign[0]!.remaining).toBe(7000 - served);
    expect(orders.remaining).toBeLessThan(10000);

    await env.admin.quotas({ limits: { getReturn: 1 }, reset: true });
    try {
      const strict = new ChatsApi({ baseUrl: env.url, apiKey: 'emulator-api-key', maxRetries: 0 });
      await strict.getReturn(campaignId!, orderId!, returnId!);
      const over = await strict.getReturn(campaignId!, orderId!, returnId!).catch((e: unknown) => e);
      expect(over).toBeInstanceOf(RateLimitError);
      // The campaign's hour is used up; the business's chat hour is not.
      expect((await strict.getChats(BUSINESS)).status).toBe('OK');
      // The limiter now knows the window is spent and refuses before sending, naming the campaign.
      const local = await strict
        .getReturn(campaignId!, orderId!, returnId!, { deadlineMs: 1000 })
        .catch((e: unknown) => e);
      expect(local).toBeInstanceOf(RateLimitError);
      expect((local as RateLimitError).local).toBe(true);
      expect((local as Error).message).toMatch(new RegExp(`requests for campaign ${campaignId} is used up`));
    } finally {
      await env.admin.quotas({ limits: { getReturn: 7000 }, reset: true });
    }
  });

  it('eight order reads at once use six slots of their own, never a parallel 420', async () => {
    await env.admin.quotas({ reset: true });
    const slow = { headers: { 'X-Emulator-Fault': 'delay=300' } };
    const reads = Array.from({ length: 8 }, () =>
      env.api.getBusinessOrders(BUSINESS, {}, undefined, 1, slow),
    );
    const chatReads = Array.from({ length: 4 }, () => env.api.getChats(BUSINESS));
    await Promise.all([...reads, ...chatReads]);
    const counters = (await env.admin.state()).quotas.counters[String(BUSINESS)]!;
    expect(counters.parallel).toBe(0);
    expect(counters.served).toBe(12);
  });

  it("the admin API's status change shows in the next read", async () => {
    const chat = ofType('ORDER')[0]!;
    const orderId = chat.context!.orderId!;
    await env.admin.updateOrder(BUSINESS, orderId, { status: 'CANCELLED', substatus: 'SHOP_FAILED' });
    const { orders } = await env.api.getBusinessOrders(BUSINESS, { orderIds: [orderId] });
    expect(orders[0]).toMatchObject({ orderId, status: 'CANCELLED', substatus: 'SHOP_FAILED' });
    const ret = ofType('RETURN')[0]!.context!;
    await env.admin.updateReturn(BUSINESS, ret.returnId!, { refundStatus: 'REFUNDED' });
    const again = await env.api.getReturn(ret.campaignId!, ret.orderId!, ret.returnId!);
    expect(again.result.refundStatus).toBe('REFUNDED');
  });
});
