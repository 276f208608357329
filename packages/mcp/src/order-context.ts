/**
 * The order and return behind an ORDER or RETURN chat, for get_chat: read live through the SDK
 * (getBusinessOrders, getReturn), kept a minute so an assistant going over a chat twice spends no more
 * quota. A key without the order scope, or any failure, is a line in the answer, never a failed call.
 */
import {
  type BusinessOrder,
  type ChatsApi,
  type Id,
  MissingScopeError,
  type Money,
  type Return,
} from '@ym-chats/sdk';
import { z } from 'zod';
import { explainApiError } from './errors.js';
import type { ChatOut } from './shapes.js';

/** How long a read order or return is reused. */
export const ORDER_CACHE_MS = 60_000;
/** How long a 403 for the order scope is believed before the reads are tried again. */
export const MISSING_SCOPE_CACHE_MS = 10 * 60_000;

const moneyShape = z.object({ value: z.number(), currency: z.string() });

export const orderShape = z.object({
  orderId: z.number(),
  campaignId: z.number(),
  status: z.string().describe('PROCESSING, DELIVERY, PICKUP, DELIVERED, CANCELLED, …'),
  statusMeaning: z.string().optional().describe("the status in a seller's words"),
  substatus: z.string().describe('the step within the status, or why it was cancelled'),
  createdAt: z.string(),
  delivery: z.object({
    type: z.string().describe('DELIVERY (to the door), PICKUP (a pickup point), POST, …'),
    serviceName: z.string().optional(),
    from: z.string().optional().describe('the promised delivery window, YYYY-MM-DD'),
    to: z.string().optional(),
    deliveredAt: z.string().optional(),
  }),
  items: z.array(
    z.object({
      offerId: z.string(),
      name: z.string(),
      count: z.number(),
      price: moneyShape.optional().describe('what the buyer pays for all units'),
    }),
  ),
  total: moneyShape.optional(),
});
export type OrderOut = z.infer<typeof orderShape>;

export const returnShape = z.object({
  returnId: z.number(),
  orderId: z.number(),
  returnType: z.string().describe('RETURN, or UNREDEEMED: goods the buyer never picked up'),
  refundStatus: z.string().optional().describe('where the money is'),
  shipmentStatus: z.string().optional().describe('where the returned parcel is'),
  amount: moneyShape.optional().describe('the refund due'),
  createdAt: z.string().optional(),
  items: z.array(
    z.object({
      shopSku: z.string(),
      name: z.string().optional(),
      count: z.number(),
      reason: z.string().optional(),
      decision: z.string().optional(),
    }),
  ),
});
export type ReturnOut = z.infer<typeof returnShape>;

export const orderContextShape = z
  .object({
    order: orderShape.nullable(),
    return: returnShape.nullable(),
    unavailable: z.string().optional().describe('why the order or return could not be read'),
    missingScopes: z
      .array(z.string())
      .optional()
      .describe("the seller's key lacks access to orders: any one of these scopes would open it"),
  })
  .optional()
  .describe('the order (and return) an ORDER or RETURN chat is about; absent for DIRECT chats');
export type OrderContextOut = NonNullable<z.infer<typeof orderContextShape>>;

const STATUS_MEANING: Record<string, string> = {
  PLACING: 'being placed',
  RESERVED: 'reserved, not yet placed',
  UNPAID: 'placed, waiting for payment',
  PENDING: 'waiting for the seller to confirm',
  PROCESSING: 'being prepared by the seller',
  DELIVERY: 'on its way to the buyer',
  PICKUP: 'at the pickup point, waiting for the buyer',
  DELIVERED: 'delivered to the buyer',
  CANCELLED: 'cancelled',
  PARTIALLY_RETURNED: 'partly returned',
  RETURNED: 'returned',
};

const money = (m: Money | undefined) =>
  m === undefined ? undefined : { value: m.value, currency: String(m.currencyId) };

function defined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

export function orderOut(order: BusinessOrder): OrderOut {
  const dates = order.delivery?.dates;
  return defined({
    orderId: order.orderId,
    campaignId: order.campaignId,
    status: String(order.status),
    statusMeaning: STATUS_MEANING[String(order.status)],
    substatus: String(order.substatus),
    createdAt: order.creationDate,
    delivery: defined({
      type: String(order.delivery?.type ?? 'UNKNOWN'),
      serviceName: order.delivery?.serviceName,
      from: dates?.fromDate,
      to: dates?.toDate,
      deliveredAt: dates?.realDeliveryDate,
    }),
    items: (order.items ?? []).map((i) =>
      defined({ offerId: i.offerId, name: i.offerName, count: i.count, price: money(i.prices?.payment) }),
    ),
    total: money(order.prices?.payment),
  });
}

export function returnOut(ret: Return, order: OrderOut | null): ReturnOut {
  const names = new Map((order?.items ?? []).map((i) => [i.offerId, i.name]));
  return defined({
    returnId: ret.id,
    orderId: ret.orderId,
    returnType: String(ret.returnType),
    refundStatus: ret.refundStatus,
    shipmentStatus: ret.shipmentStatus,
    amount: money(ret.amount),
    createdAt: ret.creationDate,
    items: (ret.items ?? []).map((i) => {
      const first = i.decisions?.[0];
      return defined({
        shopSku: i.shopSku,
        name: names.get(i.shopSku),
        count: i.count,
        reason: typeof first?.reasonType === 'string' ? first.reasonType : undefined,
        decision: typeof first?.decisionType === 'string' ? first.decisionType : undefined,
      });
    }),
  });
}

const priced = (m: { value: number; currency: string } | undefined) =>
  m === undefined ? '' : ` for ${m.value} ${m.currency}`;

/** The context as lines an assistant reads. */
export function orderContextLines(context: OrderContextOut): string[] {
  const lines: string[] = [];
  const o = context.order;
  if (o) {
    const meaning = o.statusMeaning === undefined ? '' : ` — ${o.statusMeaning}`;
    const window =
      o.delivery.from === undefined
        ? ''
        : ` expected ${o.delivery.from}${o.delivery.to && o.delivery.to !== o.delivery.from ? ` to ${o.delivery.to}` : ''}`;
    const delivered = o.delivery.deliveredAt === undefined ? '' : `, delivered ${o.delivery.deliveredAt}`;
    const by = o.delivery.serviceName === undefined ? '' : ` by ${o.delivery.serviceName}`;
    lines.push(
      `Order ${o.orderId} (placed ${o.createdAt}): ${o.status} / ${o.substatus}${meaning}.`,
      `Delivery: ${o.delivery.type}${by}${window}${delivered}.`,
      `Items: ${o.items.map((i) => `${i.name} (${i.offerId}) ×${i.count}${priced(i.price)}`).join('; ')}.` +
        (o.total ? ` Total ${o.total.value} ${o.total.currency}.` : ''),
    );
  }
  const r = context.return;
  if (r) {
    lines.push(
      `Return ${r.returnId} (${r.returnType}) of order ${r.orderId}: refund ${r.refundStatus ?? 'unknown'}, ` +
        `parcel ${r.shipmentStatus ?? 'unknown'}${r.amount ? `, refund due ${r.amount.value} ${r.amount.currency}` : ''}.`,
      `Returned: ${r.items.map((i) => `${i.name ?? i.shopSku} ×${i.count}${i.reason ? ` (${i.reason})` : ''}`).join('; ')}.`,
    );
  }
  if (context.unavailable !== undefined) lines.push(`Order details: ${context.unavailable}`);
  return lines;
}

interface Cached<T> {
  at: number;
  value: T;
}

/** Reads a chat's order and return through the API, a minute's cache in front. */
export class OrderReader {
  private readonly orders = new Map<number, Cached<OrderOut | null>>();
  private readonly returns = new Map<number, Cached<ReturnOut | null>>();
  private missing: Cached<string[]> | undefined;

  constructor(
    private readonly api: ChatsApi,
    private readonly businessId: Id,
    private readonly now: () => Date,
  ) {}

  /** The chat's order and return; undefined for a chat about neither. */
  async context(chat: ChatOut): Promise<OrderContextOut | undefined> {
    if (chat.orderId === undefined) return undefined;
    const context: OrderContextOut = { order: null, return: null };
    const now = this.now().getTime();
    if (this.missing !== undefined && now - this.missing.at < MISSING_SCOPE_CACHE_MS) {
      return this.denied(context, this.missing.value);
    }
    try {
      context.order = await this.order(chat.orderId, now);
      if (context.order === null) {
        context.unavailable = `order ${chat.orderId} was not found for this business.`;
        return context;
      }
      if (chat.returnId !== undefined) {
        context.return = await this.return(context.order, chat.returnId, now);
      }
    } catch (error) {
      if (error instanceof MissingScopeError) {
        this.missing = { at: now, value: [...error.scopes] };
        return this.denied(context, this.missing.value);
      }
      context.unavailable = `${explainApiError(error, 'reading the order')} The chat itself is unaffected.`;
    }
    return context;
  }

  private denied(context: OrderContextOut, scopes: string[]): OrderContextOut {
    context.missingScopes = scopes;
    context.unavailable =
      "the seller's API key has no access to orders, so the order's status, items and delivery cannot be " +
      `shown. A key with one of these scopes would open them: ${scopes.join(', ')}. Chats work as before.`;
    return context;
  }

  private async order(orderId: number, now: number): Promise<OrderOut | null> {
    const cached = this.orders.get(orderId);
    if (cached !== undefined && now - cached.at < ORDER_CACHE_MS) return cached.value;
    const { orders } = await this.api.getBusinessOrders(
      this.businessId,
      { orderIds: [orderId] },
      undefined,
      1,
    );
    const found = orders.find((o) => o.orderId === orderId);
    const value = found === undefined ? null : orderOut(found);
    this.orders.set(orderId, { at: now, value });
    return value;
  }

  private async return(order: OrderOut, returnId: number, now: number): Promise<ReturnOut | null> {
    const cached = this.returns.get(returnId);
    if (cached !== undefined && now - cached.at < ORDER_CACHE_MS) return cached.value;
    const { result } = await this.api.getReturn(order.campaignId, order.orderId, returnId);
    const value = returnOut(result, order);
    this.returns.set(returnId, { at: now, value });
    return value;
  }
}
