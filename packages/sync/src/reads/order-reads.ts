/**
 * Reads of the order and return behind a chat, and of the buyer's other chats (`store.reads.orderContext`,
 * `customerChats`). The rows are the sync engine's (`src/orders/`); what they mean is in the README's
 * schema section.
 */
import type { Row, Sql, SqlValue } from '../db/sql.js';
import type { StoredReturnItem } from '../orders/order-rows.js';
import type {
  ChatOrderContext,
  MissingOrderScope,
  MoneySummary,
  OrderItemSummary,
  OrderSummary,
  ReturnItemSummary,
  ReturnSummary,
} from './order-types.js';
import { CHAT_SELECT, chatFromRow, num } from './queue.js';
import type { ChatSummary } from './types.js';

const text = (v: SqlValue | undefined): string | undefined =>
  v === null || v === undefined ? undefined : String(v);

/** Hundredths and a currency, as the store keeps money, back to the API's amount. */
export function moneyOf(
  minor: SqlValue | undefined,
  currency: SqlValue | undefined,
): MoneySummary | undefined {
  if (minor === null || minor === undefined || currency === null || currency === undefined) return undefined;
  return { value: Number(minor) / 100, currency: String(currency) };
}

/** Keys whose value is undefined are left out, so the JSON the inbox returns has no `"x": undefined`. */
function defined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

export async function orderContext(sql: Sql, businessId: number, chatId: number): Promise<ChatOrderContext> {
  const [chat] = await sql.all(
    'SELECT order_id, return_id FROM chats WHERE business_id = ? AND chat_id = ?',
    [businessId, chatId],
  );
  const [missing] = await sql.all('SELECT scopes, since FROM order_scope_missing WHERE business_id = ?', [
    businessId,
  ]);
  const context: ChatOrderContext = {
    order: null,
    return: null,
    missingScope: missing ? scopeOf(missing) : null,
  };
  if (!chat) return context;
  let items: OrderItemSummary[] = [];
  if (chat.order_id !== null && chat.order_id !== undefined) {
    const [order] = await sql.all('SELECT * FROM orders WHERE business_id = ? AND order_id = ?', [
      businessId,
      chat.order_id,
    ]);
    if (order) {
      items = (
        await sql.all(
          `SELECT offer_id, name, count, price_minor, price_currency FROM order_items
            WHERE business_id = ? AND order_id = ? ORDER BY position`,
          [businessId, chat.order_id],
        )
      ).map((r) =>
        defined({
          offerId: String(r.offer_id),
          name: String(r.name),
          count: num(r.count),
          price: moneyOf(r.price_minor, r.price_currency),
        }),
      );
      context.order = orderOf(order, items);
    }
  }
  if (chat.return_id !== null && chat.return_id !== undefined) {
    const [found] = await sql.all('SELECT * FROM returns WHERE business_id = ? AND return_id = ?', [
      businessId,
      chat.return_id,
    ]);
    if (found) context.return = returnOf(found, items);
  }
  return context;
}

function scopeOf(r: Row): MissingOrderScope {
  return { scopes: String(r.scopes).split(' ').filter(Boolean), since: String(r.since) };
}

function orderOf(r: Row, items: OrderItemSummary[]): OrderSummary {
  return defined({
    orderId: num(r.order_id),
    campaignId: num(r.campaign_id),
    status: String(r.status),
    substatus: String(r.substatus),
    createdAt: String(r.created_at),
    updatedAt: text(r.updated_at),
    programType: text(r.program_type),
    delivery: defined({
      type: String(r.delivery_type),
      serviceName: text(r.delivery_service),
      from: text(r.delivery_from),
      to: text(r.delivery_to),
      deliveredAt: text(r.delivered_at),
    }),
    items,
    total: moneyOf(r.total_minor, r.total_currency),
    fetchedAt: String(r.fetched_at),
  });
}

function returnOf(r: Row, orderItems: OrderItemSummary[]): ReturnSummary {
  const names = new Map(orderItems.map((i) => [i.offerId, i.name]));
  const items = (JSON.parse(String(r.items)) as StoredReturnItem[]).map(
    (i): ReturnItemSummary => defined({ ...i, name: names.get(i.shopSku) }),
  );
  return defined({
    returnId: num(r.return_id),
    orderId: num(r.order_id),
    campaignId: num(r.campaign_id),
    refundStatus: text(r.refund_status),
    shipmentStatus: text(r.shipment_status),
    returnType: String(r.return_type),
    amount: moneyOf(r.amount_minor, r.amount_currency),
    createdAt: text(r.created_at),
    updatedAt: text(r.updated_at),
    items,
    fetchedAt: String(r.fetched_at),
  });
}

/**
 * The same buyer's (customer public id) other chats of the business, most recently updated first; empty
 * for an unknown chat or one without a buyer id. One range of `chats_by_customer`.
 */
export async function customerChats(
  sql: Sql,
  businessId: number,
  chatId: number,
  limit: number,
): Promise<ChatSummary[]> {
  const rows = await sql.all(
    `${CHAT_SELECT}
      WHERE c.business_id = ? AND c.chat_id <> ?
        AND c.customer_public_id = (SELECT customer_public_id FROM chats WHERE business_id = ? AND chat_id = ?)
      ORDER BY c.updated_at DESC, c.chat_id DESC LIMIT ?`,
    [businessId, chatId, businessId, chatId, limit],
  );
  return rows.map(chatFromRow);
}
