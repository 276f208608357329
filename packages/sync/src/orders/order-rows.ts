/**
 * The API's orders and returns as the store's rows (`orders`, `order_items`, `returns`; the README's
 * schema section). Pure: no SQL here.
 */
import type { BusinessOrder, Money, Return } from '@ym-chats/sdk';
import type { SqlValue } from '../db/sql.js';
import { isoUtc } from '../time.js';

/** Money as hundredths of the unit (exact on both engines); null when the API gave none. */
export function minorOf(money: Money | undefined): [SqlValue, SqlValue] {
  if (money === undefined || typeof money.value !== 'number' || !Number.isFinite(money.value))
    return [null, null];
  return [BigInt(Math.round(money.value * 100)), String(money.currencyId)];
}

const time = (value: string | undefined): string | null => {
  if (value === undefined) return null;
  try {
    return isoUtc(value);
  } catch {
    return null; // a date the platform got wrong is not a reason to drop the order
  }
};

const textOr = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

export const ORDER_COLUMNS: [string, string][] = [
  ['business_id', 'bigint'],
  ['order_id', 'bigint'],
  ['campaign_id', 'bigint'],
  ['status', 'text'],
  ['substatus', 'text'],
  ['program_type', 'text'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
  ['delivery_type', 'text'],
  ['delivery_service', 'text'],
  ['delivery_from', 'text'],
  ['delivery_to', 'text'],
  ['delivered_at', 'text'],
  ['total_minor', 'bigint'],
  ['total_currency', 'text'],
  ['fetched_at', 'timestamptz'],
];

export function orderRow(businessId: bigint, order: BusinessOrder, fetchedAt: string): SqlValue[] {
  const dates = order.delivery?.dates;
  return [
    businessId,
    BigInt(order.orderId),
    BigInt(order.campaignId),
    String(order.status),
    String(order.substatus ?? ''),
    textOr(order.programType),
    time(order.creationDate) ?? fetchedAt,
    time(order.updateDate),
    String(order.delivery?.type ?? 'UNKNOWN'),
    textOr(order.delivery?.serviceName),
    textOr(dates?.fromDate),
    textOr(dates?.toDate),
    textOr(dates?.realDeliveryDate),
    ...minorOf(order.prices?.payment),
    fetchedAt,
  ];
}

export const ITEM_COLUMNS: [string, string][] = [
  ['business_id', 'bigint'],
  ['order_id', 'bigint'],
  ['position', 'integer'],
  ['item_id', 'bigint'],
  ['offer_id', 'text'],
  ['name', 'text'],
  ['count', 'integer'],
  ['price_minor', 'bigint'],
  ['price_currency', 'text'],
];

export function itemRows(businessId: bigint, order: BusinessOrder): SqlValue[][] {
  return (order.items ?? []).map((item, position) => [
    businessId,
    BigInt(order.orderId),
    position,
    typeof item.id === 'number' ? BigInt(item.id) : null,
    String(item.offerId),
    String(item.offerName ?? item.offerId),
    item.count,
    ...minorOf(item.prices?.payment),
  ]);
}

/** A return item as `returns.items` keeps it (JSON): the first decision's type and reason. */
export interface StoredReturnItem {
  shopSku: string;
  count: number;
  decision?: string;
  reason?: string;
}

export function returnItems(ret: Return): StoredReturnItem[] {
  return (ret.items ?? []).map((item) => {
    const stored: StoredReturnItem = { shopSku: String(item.shopSku), count: item.count };
    const first = item.decisions?.[0];
    if (typeof first?.decisionType === 'string') stored.decision = first.decisionType;
    if (typeof first?.reasonType === 'string') stored.reason = first.reasonType;
    return stored;
  });
}

export const RETURN_COLUMNS: [string, string][] = [
  ['business_id', 'bigint'],
  ['return_id', 'bigint'],
  ['order_id', 'bigint'],
  ['campaign_id', 'bigint'],
  ['return_type', 'text'],
  ['refund_status', 'text'],
  ['shipment_status', 'text'],
  ['amount_minor', 'bigint'],
  ['amount_currency', 'text'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
  ['items', 'text'],
  ['fetched_at', 'timestamptz'],
];

export function returnRow(
  businessId: bigint,
  campaignId: bigint,
  ret: Return,
  fetchedAt: string,
): SqlValue[] {
  return [
    businessId,
    BigInt(ret.id),
    BigInt(ret.orderId),
    campaignId,
    String(ret.returnType ?? 'RETURN'),
    textOr(ret.refundStatus),
    textOr(ret.shipmentStatus),
    ...minorOf(ret.amount),
    time(ret.creationDate),
    time(ret.updateDate),
    JSON.stringify(returnItems(ret)),
    fetchedAt,
  ];
}

/** `ON CONFLICT … DO UPDATE` setting every column but the key from the new row. */
export function upsertTail(columns: [string, string][], key: string[]): string {
  const set = columns
    .map(([name]) => name)
    .filter((name) => !key.includes(name))
    .map((name) => `${name} = excluded.${name}`);
  return `ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${set.join(', ')}`;
}
