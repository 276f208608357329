/**
 * The order and return behind an ORDER or RETURN chat, as the store keeps them (`orders`, `order_items`,
 * `returns`, filled by the sync engine from getBusinessOrders and getReturn) and applications show them
 * beside the conversation. Ids as numbers; statuses as the API names them (open sets: the platform adds
 * values); dates of delivery as `YYYY-MM-DD`, the rest as the store keeps times (ISO 8601).
 */

/** A money amount; `currency` as the API names it (`RUR` for roubles). */
export interface MoneySummary {
  value: number;
  currency: string;
}

export interface OrderItemSummary {
  /** The seller's SKU. */
  offerId: string;
  /** The name the buyer saw. */
  name: string;
  count: number;
  /** What the buyer pays for all units of the item. */
  price?: MoneySummary;
}

export interface OrderDeliverySummary {
  /** `DELIVERY`, `PICKUP`, `POST`, `DIGITAL`, … */
  type: string;
  serviceName?: string;
  /** The promised window, `YYYY-MM-DD`. */
  from?: string;
  to?: string;
  /** The day it was delivered, once it was. */
  deliveredAt?: string;
}

export interface OrderSummary {
  orderId: number;
  campaignId: number;
  /** `PROCESSING`, `DELIVERY`, `DELIVERED`, `CANCELLED`, … */
  status: string;
  /** The step within the status or the reason for a cancellation, e.g. `READY_TO_SHIP`. */
  substatus: string;
  createdAt: string;
  /** When the platform last changed the order, if it said. */
  updatedAt?: string;
  /** `FBY`, `FBS`, `DBS`, … */
  programType?: string;
  delivery: OrderDeliverySummary;
  /** In the order the API listed them. */
  items: OrderItemSummary[];
  /** What the buyer pays in all. */
  total?: MoneySummary;
  /** When the store last read the order from the API. */
  fetchedAt: string;
}

export interface ReturnItemSummary {
  /** The seller's SKU (an order item's `offerId`). */
  shopSku: string;
  /** The order item's name, when the store holds the order. */
  name?: string;
  count: number;
  /** The seller's decision on the item, once made (the API's `decisionType`). */
  decision?: string;
  /** Why the buyer returns it (`BAD_QUALITY`, `WRONG_ITEM`, …). */
  reason?: string;
}

export interface ReturnSummary {
  returnId: number;
  orderId: number;
  campaignId: number;
  /** Where the money is: `STARTED_BY_USER`, `REFUND_IN_PROGRESS`, `REFUNDED`, … */
  refundStatus?: string;
  /** Where the parcel is on its way back: `CREATED`, `IN_TRANSIT`, `RECEIVED`, … */
  shipmentStatus?: string;
  /** `RETURN`, or `UNREDEEMED` for goods the buyer never picked up. */
  returnType: string;
  /** The refund due. */
  amount?: MoneySummary;
  createdAt?: string;
  updatedAt?: string;
  items: ReturnItemSummary[];
  fetchedAt: string;
}

/** The business's key cannot read orders: the scopes one of which it needs, and since when it is known. */
export interface MissingOrderScope {
  scopes: string[];
  since: string;
}

/**
 * What the store knows of a chat's order and return. `order` and `return` are null for a DIRECT chat, for
 * one not read yet, and while the key lacks the scope (then `missingScope` says which one it needs).
 */
export interface ChatOrderContext {
  order: OrderSummary | null;
  return: ReturnSummary | null;
  missingScope: MissingOrderScope | null;
}
