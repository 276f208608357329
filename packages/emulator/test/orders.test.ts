/**
 * The order and return reads over HTTP: every seeded ORDER/RETURN chat's order and return exist with their
 * details, every body matches the vendored orders spec (`orderCall` checks it), bad input gets the spec's
 * errors, quotas count per business or campaign, a chat-only key is refused only here, and the admin API's
 * changes show in the next read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, BIZ, call, errorText, orderCall, type Running, start } from './helpers.js';

const CAMPAIGN = 20_000_000 + BIZ;
let run: Running;

interface ChatJson {
  chatId: number;
  context: { type: string; orderId?: number; returnId?: number; campaignId?: number };
}

interface OrderJson {
  campaignId: number;
  status: string;
  substatus: string;
  items: { offerName: string; count: number; prices: { payment: { value: number } } }[];
  delivery: { dates: { fromDate: string; toDate: string } };
}

async function allChats(url: string): Promise<ChatJson[]> {
  const chats: ChatJson[] = [];
  let pageToken: string | undefined;
  do {
    const res = await call(url, 'getChats', { query: { limit: 20, ...(pageToken ? { pageToken } : {}) } });
    chats.push(...res.body.result.chats);
    pageToken = res.body.result.paging?.nextPageToken;
  } while (pageToken);
  return chats;
}

async function ordersById(url: string, ids: number[]): Promise<Map<number, Record<string, unknown>>> {
  const found = new Map<number, Record<string, unknown>>();
  for (let i = 0; i < ids.length; i += 50) {
    const res = await orderCall(url, 'getBusinessOrders', [BIZ], {
      json: { orderIds: ids.slice(i, i + 50) },
    });
    expect(res.status).toBe(200);
    for (const order of res.body.orders) found.set(order.orderId, order);
  }
  return found;
}

beforeAll(async () => {
  run = await start({ seed: 11 });
});
afterAll(() => run.emu.close());

describe('seeded orders and returns', () => {
  it("every ORDER and RETURN chat's order has items, prices, a status and delivery dates", async () => {
    const chats = (await allChats(run.url)).filter((c) => c.context.type !== 'DIRECT');
    expect(chats.length).toBeGreaterThan(20);
    const orders = await ordersById(run.url, [...new Set(chats.map((c) => c.context.orderId!))]);
    for (const chat of chats) {
      const order = orders.get(chat.context.orderId!) as unknown as OrderJson;
      expect(order, `order of chat ${chat.chatId}`).toBeDefined();
      expect(order.campaignId).toBe(chat.context.campaignId);
      expect(order.items.length).toBeGreaterThan(0);
      for (const item of order.items) {
        expect(item.offerName).toMatch(/[А-Яа-яЁё]/);
        expect(item.count).toBeGreaterThan(0);
        expect(item.prices.payment.value).toBeGreaterThan(0);
      }
      expect(order.status).toMatch(/^[A-Z_]+$/);
      expect(order.substatus).toMatch(/^[A-Z_]+$/);
      expect(order.delivery.dates.fromDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(order.delivery.dates.toDate >= order.delivery.dates.fromDate).toBe(true);
    }
  });

  it("every RETURN chat's return has items and a state", async () => {
    const returns = (await allChats(run.url)).filter((c) => c.context.type === 'RETURN');
    expect(returns.length).toBeGreaterThan(5);
    for (const chat of returns) {
      const { campaignId, orderId, returnId } = chat.context;
      const res = await orderCall(run.url, 'getReturn', [campaignId!, orderId!, returnId!]);
      expect(res.status).toBe(200);
      const ret = res.body.result;
      expect(ret).toMatchObject({ id: returnId, orderId });
      expect(ret.items.length).toBeGreaterThan(0);
      expect(ret.items[0].count).toBeGreaterThan(0);
      expect(ret.refundStatus).toMatch(/^[A-Z_]+$/);
      expect(ret.shipmentStatus).toMatch(/^[A-Z_]+$/);
    }
  });

  it('the same seed gives the same orders; another seed others', async () => {
    const now = () => Date.UTC(2026, 10, 20, 9, 0, 0);
    const [first, same, other] = await Promise.all([
      start({ seed: 11, now }),
      start({ seed: 11, now }),
      start({ seed: 12, now }),
    ]);
    try {
      const orders = async (url: string) =>
        (await orderCall(url, 'getBusinessOrders', [BIZ], { json: {}, query: { limit: 50 } })).body.orders;
      const a = await orders(first.url);
      expect(a.length).toBeGreaterThan(0);
      expect(await orders(same.url)).toEqual(a);
      expect(await orders(other.url)).not.toEqual(a);
    } finally {
      await Promise.all([first.emu.close(), same.emu.close(), other.emu.close()]);
    }
  });

  it('pages the last 30 days of orders by token, each order once; limit above 50 is truncated', async () => {
    const seen: number[] = [];
    let pageToken: string | undefined;
    do {
      const res = await orderCall(run.url, 'getBusinessOrders', [BIZ], {
        query: { limit: 7, ...(pageToken ? { pageToken } : {}) },
      });
      expect(res.body.orders.length).toBeLessThanOrEqual(7);
      seen.push(...res.body.orders.map((o: { orderId: number }) => o.orderId));
      pageToken = res.body.paging?.nextPageToken;
    } while (pageToken);
    expect(new Set(seen).size).toBe(seen.length);
    const state = await run.admin.state();
    expect(seen.length).toBe(state.totals.orders);
    const wide = await orderCall(run.url, 'getBusinessOrders', [BIZ], { query: { limit: 500 } });
    expect(wide.status).toBe(200);
    expect(wide.body.orders).toHaveLength(Math.min(50, seen.length));
  });
});

describe("the spec's errors", () => {
  it('400 for bad filters, naming each field', async () => {
    const ids = Array.from({ length: 51 }, (_, i) => i + 1);
    const cases: [unknown, RegExp][] = [
      [{ orderIds: [0] }, /orderIds\[0\]/],
      [{ orderIds: ids }, /orderIds: at most 50/],
      [{ statuses: ['SHIPPED_TO_MARS'] }, /statuses\[0\]: must be one of/],
      [{ orderIds: [1, 1] }, /duplicate/],
      [{ dates: { creationDateFrom: '2026-01-01', creationDateTo: '2026-03-01' } }, /over 30 days/],
      [{ dates: { creationDateFrom: 'yesterday' } }, /creationDateFrom: must be a date/],
      [{ fake: 'no' }, /fake: must be true or false/],
    ];
    for (const [json, pattern] of cases) {
      const res = await orderCall(run.url, 'getBusinessOrders', [BIZ], { json });
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect(errorText(res.body)).toMatch(pattern);
    }
    const token = await orderCall(run.url, 'getBusinessOrders', [BIZ], { query: { pageToken: 'nope' } });
    expect(token.status).toBe(400);
    expect(errorText(token.body)).toMatch(/pageToken/);
  });

  it('an unknown order is simply absent from the list; an unknown return is 404', async () => {
    const list = await orderCall(run.url, 'getBusinessOrders', [BIZ], { json: { orderIds: [123] } });
    expect(list.status).toBe(200);
    expect(list.body.orders).toEqual([]);
    const ret = await orderCall(run.url, 'getReturn', [CAMPAIGN, 123, 456]);
    expect(ret.status).toBe(404);
    expect(errorText(ret.body)).toMatch(/NOT_FOUND return 456 of order 123/);
  });

  it('a return asked for under another order is 404; another seller’s campaign 403; bad ids 400', async () => {
    const chat = (await allChats(run.url)).find((c) => c.context.type === 'RETURN')!;
    const { orderId, returnId } = chat.context;
    const wrongOrder = await orderCall(run.url, 'getReturn', [CAMPAIGN, orderId! + 1, returnId!]);
    expect(wrongOrder.status).toBe(404);
    const otherCampaign = await orderCall(run.url, 'getReturn', [CAMPAIGN + 1, orderId!, returnId!]);
    expect(otherCampaign.status).toBe(403);
    expect(errorText(otherCampaign.body)).toMatch(/no access to campaign/);
    const badId = await orderCall(run.url, 'getReturn', [CAMPAIGN, 'x', returnId!]);
    expect(badId.status).toBe(400);
    expect(errorText(badId.body)).toMatch(/orderId/);
    const otherBusiness = await orderCall(run.url, 'getBusinessOrders', [BIZ + 1], { json: {} });
    expect(otherBusiness.status).toBe(403);
    const noKey = await orderCall(run.url, 'getBusinessOrders', [BIZ], { json: {}, auth: null });
    expect(noKey.status).toBe(401);
  });

  it('a key without an order scope is refused the order reads (403 naming the scopes), chats still work', async () => {
    await run.admin.addCredential({ apiKey: 'chat-only-key', businessIds: [BIZ], scopes: ['communication'] });
    const auth = { 'Api-Key': 'chat-only-key' };
    const orders = await orderCall(run.url, 'getBusinessOrders', [BIZ], { json: {}, auth });
    expect(orders.status).toBe(403);
    expect(errorText(orders.body)).toMatch(/inventory-and-order-processing/);
    const ret = await orderCall(run.url, 'getReturn', [CAMPAIGN, 1, 1], { auth });
    expect(ret.status).toBe(403);
    expect((await call(run.url, 'getChats', { auth })).status).toBe(200);
    await run.admin.addCredential({
      apiKey: 'orders-read-key',
      businessIds: [BIZ],
      scopes: ['inventory-and-order-processing:read-only'],
    });
    const reader = { 'Api-Key': 'orders-read-key' };
    expect((await orderCall(run.url, 'getBusinessOrders', [BIZ], { json: {}, auth: reader })).status).toBe(
      200,
    );
    expect((await call(run.url, 'getChats', { auth: reader })).status).toBe(403);
  });
});

describe('quotas, faults and admin changes', () => {
  it('getReturn counts per campaign (7000/h), getBusinessOrders per business (10000/h)', async () => {
    const chat = (await allChats(run.url)).find((c) => c.context.type === 'RETURN')!;
    const ids = [chat.context.campaignId!, chat.context.orderId!, chat.context.returnId!];
    const a = await orderCall(run.url, 'getReturn', ids);
    const b = await orderCall(run.url, 'getReturn', ids);
    expect(a.headers.get('x-ratelimit-resource-limit')).toBe('7000');
    expect(Number(b.headers.get('x-ratelimit-resource-remaining'))).toBe(
      Number(a.headers.get('x-ratelimit-resource-remaining')) - 1,
    );
    const counters = (await run.admin.state()).quotas.counters;
    expect(counters[`campaign:${CAMPAIGN}`]?.served).toBeGreaterThanOrEqual(2);
    const o = await orderCall(run.url, 'getBusinessOrders', [BIZ], { json: {} });
    expect(o.headers.get('x-ratelimit-resource-limit')).toBe('10000');
    await run.admin.quotas({ limits: { getReturn: 1 }, reset: true });
    try {
      expect((await orderCall(run.url, 'getReturn', ids)).status).toBe(200);
      const over = await orderCall(run.url, 'getReturn', ids);
      expect(over.status).toBe(420);
      expect(errorText(over.body)).toMatch(/LIMIT_EXCEEDED .*getReturn/);
      // The chat methods' hour is the business's own, untouched.
      expect((await call(run.url, 'getChats')).status).toBe(200);
    } finally {
      await run.admin.quotas({ limits: { getReturn: 7000 }, reset: true });
    }
  });

  it('getBusinessOrders has its own 6 parallel slots, apart from the chat methods’ 4', async () => {
    const slow = { ...API_KEY, 'X-Emulator-Fault': 'delay=400' };
    const orders = Array.from({ length: 7 }, () =>
      orderCall(run.url, 'getBusinessOrders', [BIZ], { json: {}, auth: slow }),
    );
    await new Promise((r) => setTimeout(r, 100));
    const chats = await Promise.all(Array.from({ length: 4 }, () => call(run.url, 'getChats')));
    const statuses = (await Promise.all(orders)).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 420]);
    expect(chats.map((r) => r.status)).toEqual([200, 200, 200, 200]);
  });

  it('an injected fault answers the order reads as the chat methods', async () => {
    const res = await orderCall(run.url, 'getBusinessOrders', [BIZ], {
      json: {},
      auth: { ...API_KEY, 'X-Emulator-Fault': 'status=500' },
    });
    expect(res.status).toBe(500);
  });

  it("the admin API moves an order's status and a return's state; the next read shows it", async () => {
    const chat = (await allChats(run.url)).find((c) => c.context.type === 'RETURN')!;
    const { campaignId, orderId, returnId } = chat.context;
    const changed = await run.admin.updateOrder(BIZ, orderId!, {
      status: 'DELIVERY',
      delivery: { fromDate: '2026-12-24', toDate: '2026-12-25' },
    });
    expect(changed).toMatchObject({ status: 'DELIVERY', substatus: 'DELIVERY_SERVICE_RECEIVED' });
    const read = await orderCall(run.url, 'getBusinessOrders', [BIZ], { json: { orderIds: [orderId] } });
    expect(read.body.orders[0]).toMatchObject({
      status: 'DELIVERY',
      substatus: 'DELIVERY_SERVICE_RECEIVED',
      delivery: { dates: { fromDate: '2026-12-24', toDate: '2026-12-25' } },
    });
    const byStatus = await orderCall(run.url, 'getBusinessOrders', [BIZ], {
      json: { orderIds: [orderId], statuses: ['CANCELLED'] },
    });
    expect(byStatus.body.orders).toEqual([]);
    await expect(run.admin.updateOrder(BIZ, orderId!, { substatus: 'USER_CHANGED_MIND' })).rejects.toThrow(
      /belongs to status CANCELLED/,
    );
    await run.admin.updateReturn(BIZ, returnId!, { refundStatus: 'REFUNDED', shipmentStatus: 'PICKED' });
    const ret = await orderCall(run.url, 'getReturn', [campaignId!, orderId!, returnId!]);
    expect(ret.body.result).toMatchObject({ refundStatus: 'REFUNDED', shipmentStatus: 'PICKED' });
    await expect(run.admin.updateReturn(BIZ, returnId!, { refundStatus: 'LOST_IN_SPACE' })).rejects.toThrow(
      /refundStatus: must be one of/,
    );
  });
});
