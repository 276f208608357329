/**
 * `GET /api/businesses/:b/chats/:c/context` over HTTP: what the store holds of a chat's order and return
 * before sync has read them (nothing, and no scope problem) and after a pass with orders on (the order as
 * the emulator has it, through the SDK), a DIRECT chat (neither), the buyer's other chats, and the access
 * rules of the chat routes — no session 401, another seller's agent 403, an unknown chat 404.
 */
import { hashPassword } from '@ym-chats/inbox';
import { SyncEngine } from '@ym-chats/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PageClient } from './support/http-client.js';
import { BUSINESS, type Harness, startHarness, teamAgent } from './support/inbox-server.js';

const OTHER_BUSINESS = BUSINESS + 1;

interface ContextBody {
  order: {
    orderId: number;
    status: string;
    substatus: string;
    items: { offerId: string; name: string; count: number; price?: { value: number; currency: string } }[];
  } | null;
  return: { returnId: number; orderId: number; refundStatus?: string } | null;
  missingScope: { scopes: string[] } | null;
  otherChats: { chatId: number }[];
  error?: { code: string };
}

interface QueueChat {
  chatId: number;
  context: { type: string; orderId?: number; returnId?: number };
}

describe('the chat context route', () => {
  let h: Harness;
  let anna: PageClient;
  let chats: QueueChat[];
  const path = (chatId: number, business = BUSINESS) => `/api/businesses/${business}/chats/${chatId}/context`;
  const context = (client: PageClient, chatId: number, business = BUSINESS) =>
    client.json<ContextBody>('GET', path(chatId, business));

  beforeAll(async () => {
    h = await startHarness({
      host: '0.0.0.0',
      businessIds: [BUSINESS, OTHER_BUSINESS],
      agents: [
        await teamAgent('anna', 'Анна'),
        {
          login: 'oleg',
          name: 'Олег',
          passwordHash: await hashPassword('oleg-pass'),
          businessIds: [OTHER_BUSINESS],
        },
      ],
    });
    anna = new PageClient(h.url);
    await anna.login('anna', 'anna-pass');
    chats = (await anna.json<{ chats: QueueChat[] }>('GET', '/api/queue?limit=200')).body.chats;
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('answers nothing read yet before a pass with orders on, then the order as the platform has it', async () => {
    const chat = chats.find((c) => c.context.type === 'ORDER' && c.context.orderId)!;
    const before = await context(anna, chat.chatId);
    expect(before.status).toBe(200);
    expect(before.body).toEqual({ order: null, return: null, missingScope: null, otherChats: [] });

    await new SyncEngine({ api: h.api, store: h.store.store, businessId: BUSINESS, orders: {} }).pass('once');
    const after = await context(anna, chat.chatId);
    const { orders } = await h.api.getBusinessOrders(BUSINESS, { orderIds: [chat.context.orderId!] });
    const platform = orders[0]!;
    expect(after.body.order).toMatchObject({
      orderId: platform.orderId,
      status: platform.status,
      substatus: platform.substatus,
    });
    expect(after.body.order!.items.map((i) => [i.offerId, i.name, i.count, i.price?.value])).toEqual(
      platform.items.map((i) => [i.offerId, i.offerName, i.count, i.prices?.payment?.value]),
    );
    expect(after.body.return).toBeNull();
    expect(after.body.missingScope).toBeNull();

    const ret = chats.find((c) => c.context.type === 'RETURN' && c.context.returnId)!;
    const returned = await context(anna, ret.chatId);
    expect(returned.body.return).toMatchObject({
      returnId: ret.context.returnId,
      orderId: ret.context.orderId,
    });
    const direct = chats.find((c) => c.context.type === 'DIRECT')!;
    expect((await context(anna, direct.chatId)).body).toMatchObject({ order: null, return: null });
  });

  it("lists the same buyer's other chats, not the chat itself", async () => {
    const chat = chats.find((c) => c.context.type === 'ORDER' && c.context.orderId)!;
    const buyer = (await h.api.getChat(BUSINESS, chat.chatId)).result!.context!.customer!;
    const customer = { name: buyer.name!, publicId: buyer.publicId! };
    const { orderId } = await h.admin.createOrder(BUSINESS, { customer });
    const { chat: second } = await h.admin.createChat(BUSINESS, {
      context: { type: 'ORDER', id: orderId },
      customer,
    });
    await new SyncEngine({ api: h.api, store: h.store.store, businessId: BUSINESS }).pass('once');
    expect((await context(anna, chat.chatId)).body.otherChats.map((c) => c.chatId)).toEqual([second.chatId]);
    expect((await context(anna, second.chatId)).body.otherChats.map((c) => c.chatId)).toEqual([chat.chatId]);
  });

  it('is refused as the chat routes are: no session, another seller, an unknown chat', async () => {
    const chat = chats[0]!;
    const stranger = new PageClient(h.url);
    await stranger.start();
    const anonymous = await context(stranger, chat.chatId);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error?.code).toBe('UNAUTHENTICATED');

    const oleg = new PageClient(h.url);
    await oleg.login('oleg', 'oleg-pass');
    const foreign = await context(oleg, chat.chatId);
    expect(foreign.status).toBe(403);
    expect(foreign.body.error?.code).toBe('FORBIDDEN');

    const unknown = await context(anna, 987_654_321);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.code).toBe('NOT_FOUND');
    expect((await anna.request('GET', '/api/businesses/x/chats/1/context')).status).toBe(404);
  });
});
