/**
 * get_chat's order and return, read live against the real emulator: an assistant answers "where is my
 * order?" from the order's status, items and delivery dates, and a return's state; a minute's cache; a
 * key without the order scope gets a clear line, not a failed call.
 */
import type { BusinessOrder, Chat } from '@ym-chats/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSINESS, McpBench, type Session, text } from './support/session.js';

const CHAT_ONLY_KEY = 'mcp-chat-only-key-0c41d7';

interface OrderContext {
  order: null | {
    orderId: number;
    status: string;
    statusMeaning?: string;
    substatus: string;
    delivery: { type: string; from?: string; to?: string };
    items: { offerId: string; name: string; count: number; price?: { value: number; currency: string } }[];
    total?: { value: number; currency: string };
  };
  return: null | {
    returnId: number;
    orderId: number;
    refundStatus?: string;
    shipmentStatus?: string;
    items: { shopSku: string; name?: string; count: number }[];
  };
  unavailable?: string;
  missingScopes?: string[];
}

let bench: McpBench;
let clock = Date.now();
let session: Session;
const chats: Record<'ORDER' | 'RETURN' | 'DIRECT', Chat> = {} as never;

beforeAll(async () => {
  bench = await McpBench.start();
  session = await bench.open({ now: () => new Date(clock) });
  for await (const chat of bench.api.iterateChats(BUSINESS)) {
    const type = chat.context?.type as keyof typeof chats | undefined;
    if (type !== undefined && chats[type] === undefined) chats[type] = chat;
  }
  expect(Object.keys(chats).sort()).toEqual(['DIRECT', 'ORDER', 'RETURN']);
});

afterAll(async () => {
  expect(await bench.close()).toEqual({ clientErrors: [], secretsShown: [] });
});

async function orderContext(s: Session, chatId: number): Promise<{ context?: OrderContext; text: string }> {
  const result = await s.call('get_chat', { chatId });
  expect(result.isError, text(result)).toBeFalsy();
  const out = result.structuredContent as { orderContext?: OrderContext };
  return out.orderContext === undefined
    ? { text: text(result) }
    : { context: out.orderContext, text: text(result) };
}

/** The order as the API itself answers it (the test's own client, outside the server). */
async function apiOrder(orderId: number): Promise<BusinessOrder> {
  const { orders } = await bench.api.getBusinessOrders(BUSINESS, { orderIds: [orderId] });
  return orders[0]!;
}

describe('get_chat with the order behind the chat', () => {
  it("gives an ORDER chat's order: status in words, items, delivery dates, total", async () => {
    const chat = chats.ORDER;
    const orderId = chat.context!.orderId!;
    await bench.admin.updateOrder(BUSINESS, orderId, { status: 'DELIVERY' });
    const truth = await apiOrder(orderId);
    const { context, text: said } = await orderContext(session, chat.chatId);
    expect(context!.order).toEqual({
      orderId,
      campaignId: truth.campaignId,
      status: 'DELIVERY',
      statusMeaning: 'on its way to the buyer',
      substatus: truth.substatus,
      createdAt: truth.creationDate,
      delivery: {
        type: truth.delivery.type,
        serviceName: truth.delivery.serviceName,
        from: truth.delivery.dates.fromDate,
        to: truth.delivery.dates.toDate,
      },
      items: truth.items.map((i) => ({
        offerId: i.offerId,
        name: i.offerName,
        count: i.count,
        price: { value: i.prices!.payment!.value, currency: 'RUR' },
      })),
      total: { value: truth.prices!.payment!.value, currency: 'RUR' },
    });
    expect(context!.return).toBeNull();
    expect(said).toContain(`Order ${orderId}`);
    expect(said).toContain('on its way to the buyer');
    expect(said).toContain(`expected ${truth.delivery.dates.fromDate}`);
    expect(said).toContain(truth.items[0]!.offerName);
  });

  it('keeps an order a minute, then reads it again', async () => {
    const chat = chats.ORDER;
    const orderId = chat.context!.orderId!;
    await bench.admin.updateOrder(BUSINESS, orderId, { status: 'DELIVERED' });
    expect((await orderContext(session, chat.chatId)).context!.order!.status).toBe('DELIVERY');
    clock += 61_000;
    const fresh = await orderContext(session, chat.chatId);
    expect(fresh.context!.order!.status).toBe('DELIVERED');
    expect(fresh.text).toContain('delivered to the buyer');
  });

  it("gives a RETURN chat's return with its state and items, and its order", async () => {
    const chat = chats.RETURN;
    const returnId = chat.context!.returnId!;
    const changed = (await bench.admin.updateReturn(BUSINESS, returnId, {
      refundStatus: 'REFUND_IN_PROGRESS',
      shipmentStatus: 'IN_TRANSIT',
    })) as { items: { shopSku: string; count: number }[] };
    const { context, text: said } = await orderContext(session, chat.chatId);
    const order = await apiOrder(chat.context!.orderId!);
    const names = new Map(order.items.map((i) => [i.offerId, i.offerName]));
    expect(context!.order!.orderId).toBe(chat.context!.orderId);
    expect(context!.return).toMatchObject({
      returnId,
      orderId: chat.context!.orderId,
      refundStatus: 'REFUND_IN_PROGRESS',
      shipmentStatus: 'IN_TRANSIT',
      items: changed.items.map((i) => ({ shopSku: i.shopSku, name: names.get(i.shopSku), count: i.count })),
    });
    expect(said).toContain(`Return ${returnId}`);
    expect(said).toContain('refund REFUND_IN_PROGRESS, parcel IN_TRANSIT');
  });

  it('has no order for a DIRECT chat', async () => {
    const { context } = await orderContext(session, chats.DIRECT.chatId);
    expect(context).toBeUndefined();
  });

  it('says which scope a chat-only key lacks, and still reads the chat', async () => {
    await bench.admin.addCredential({
      apiKey: CHAT_ONLY_KEY,
      businessIds: [BUSINESS],
      scopes: ['communication'],
    });
    const chatOnly = await bench.open({ apiKey: CHAT_ONLY_KEY });
    const result = await chatOnly.call('get_chat', { chatId: chats.ORDER.chatId });
    expect(result.isError).toBeFalsy();
    const out = result.structuredContent as { chat: { chatId: number }; orderContext: OrderContext };
    expect(out.chat.chatId).toBe(chats.ORDER.chatId);
    expect(out.orderContext.order).toBeNull();
    expect(out.orderContext.missingScopes).toContain('inventory-and-order-processing');
    expect(text(result)).toContain('no access to orders');
    expect(text(result)).toContain('inventory-and-order-processing');
  });
});
