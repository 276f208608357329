/**
 * Request and response shapes of the order and return reads a chat's context points at (getBusinessOrders,
 * getReturn), after the partner API's `orders-returns` subset. Only what a chat tool needs is spelled out;
 * enumerations are open, since the platform adds values (an order's substatus has over a hundred).
 */
import type { ApiResponse, Id, Paging } from './types.js';

type Open<T extends string> = T | (string & {});

/** Where an order is in its life: being placed, paid, processed, on its way, delivered, cancelled, returned. */
export type OrderStatus = Open<
  | 'PLACING'
  | 'RESERVED'
  | 'UNPAID'
  | 'PROCESSING'
  | 'DELIVERY'
  | 'PICKUP'
  | 'DELIVERED'
  | 'CANCELLED'
  | 'PENDING'
  | 'PARTIALLY_RETURNED'
  | 'RETURNED'
  | 'UNKNOWN'
>;
/** The step within a status or the reason for a cancellation, e.g. `READY_TO_SHIP`, `USER_CHANGED_MIND`. */
export type OrderSubstatus = Open<'STARTED' | 'READY_TO_SHIP' | 'SHIPPED' | 'USER_CHANGED_MIND'>;
/** How the shop sells the order: from Market's warehouse (FBY), its own (FBS), its own delivery (DBS)… */
export type SellingProgram = Open<'FBY' | 'FBS' | 'DBS' | 'EXPRESS' | 'LAAS'>;
/** A money amount in a currency (`RUR` for roubles). */
export interface Money {
  value: number;
  currencyId: Open<'RUR'>;
}

/** Filters of getBusinessOrders; all optional, `{}` lists the last 30 days' orders. */
export interface GetBusinessOrdersRequest {
  /** These orders only (at most 50). An unknown id is simply absent from the answer. */
  orderIds?: Id[];
  /** Orders with these ids in the seller's own system (at most 50). */
  externalOrderIds?: string[];
  programTypes?: SellingProgram[];
  /** Orders of these shops (campaigns) only, at most 50. */
  campaignIds?: Id[];
  statuses?: OrderStatus[];
  substatuses?: OrderSubstatus[];
  /** Date ranges; a creation range is at most 30 days. Dates `YYYY-MM-DD`, update times ISO 8601. */
  dates?: {
    creationDateFrom?: string;
    creationDateTo?: string;
    shipmentDateFrom?: string;
    shipmentDateTo?: string;
    updateDateFrom?: string;
    updateDateTo?: string;
  };
  /** Test orders only (true) or real ones only (false). */
  fake?: boolean;
  /** Orders whose buyer asked to cancel and waits for the seller's answer. */
  waitingForCancellationApprove?: boolean;
  sourcePlatforms?: Open<'MARKET' | 'OZON' | 'WILDBERRIES' | 'OTHER'>[];
}

export interface BusinessOrderItem {
  /** The order item's id. */
  id: number;
  /** The seller's SKU. */
  offerId: string;
  /** The item's name as the buyer saw it. */
  offerName: string;
  count: number;
  /** `payment`: what the buyer pays for all units of the item. */
  prices?: { payment?: Money; subsidy?: Money; cashback?: Money; vat?: string };
}

export interface BusinessOrderDelivery {
  type: Open<'DELIVERY' | 'PICKUP' | 'POST' | 'DIGITAL' | 'UNKNOWN'>;
  serviceName: string;
  deliveryServiceId: number;
  deliveryPartnerType: Open<'SHOP' | 'YANDEX_MARKET' | 'UNKNOWN'>;
  /** The promised delivery window (`YYYY-MM-DD`, times `HH:MM`), and the real date once delivered. */
  dates: { fromDate: string; toDate?: string; fromTime?: string; toTime?: string; realDeliveryDate?: string };
  [more: string]: unknown;
}

/** One order as getBusinessOrders returns it. Fields this type does not name are kept as they came. */
export interface BusinessOrder {
  orderId: number;
  campaignId: number;
  programType?: SellingProgram;
  externalOrderId?: string;
  status: OrderStatus;
  substatus: OrderSubstatus;
  /** ISO 8601 with an offset. */
  creationDate: string;
  updateDate?: string;
  paymentType: Open<'PREPAID' | 'POSTPAID' | 'UNKNOWN'>;
  paymentMethod: string;
  /** A test order. */
  fake: boolean;
  items: BusinessOrderItem[];
  /** `payment`: the buyer's total; `delivery.payment`: what delivery cost the buyer. */
  prices?: {
    payment?: Money;
    subsidy?: Money;
    cashback?: Money;
    delivery?: { payment?: Money; subsidy?: Money };
  };
  delivery: BusinessOrderDelivery;
  buyerType?: Open<'PERSON' | 'BUSINESS'>;
  notes?: string;
  cancelRequested?: boolean;
  [more: string]: unknown;
}

/** getBusinessOrders' answer: the orders and the next page's token — no `status`/`result` envelope. */
export interface GetBusinessOrdersResponse {
  orders: BusinessOrder[];
  paging?: Paging;
}

/** Where a return's money is: the buyer started it, a decision is awaited, the refund is under way or done. */
export type RefundStatus = Open<
  | 'STARTED_BY_USER'
  | 'REFUND_IN_PROGRESS'
  | 'REFUNDED'
  | 'FAILED'
  | 'WAITING_FOR_DECISION'
  | 'DECISION_MADE'
  | 'REFUNDED_WITH_BONUSES'
  | 'REFUNDED_BY_SHOP'
  | 'CANCELLED'
  | 'REJECTED'
  | 'COMPLETE_WITHOUT_REFUND'
  | 'UNKNOWN'
>;
/** Where the returned parcel is on its way back to the seller. */
export type ReturnShipmentStatus = Open<
  'CREATED' | 'RECEIVED' | 'IN_TRANSIT' | 'READY_FOR_PICKUP' | 'PICKED' | 'LOST' | 'EXPIRED' | 'CANCELLED'
>;

export interface ReturnDecision {
  returnItemId?: number;
  count?: number;
  /** The buyer's words. */
  comment?: string;
  reasonType?: Open<'BAD_QUALITY' | 'DOES_NOT_FIT' | 'WRONG_ITEM' | 'DAMAGE_DELIVERY'>;
  decisionType?: string;
  amount?: Money;
  images?: string[];
  [more: string]: unknown;
}

export interface ReturnItem {
  marketSku?: number;
  /** The seller's SKU (the order item's `offerId`). */
  shopSku: string;
  count: number;
  decisions?: ReturnDecision[] | null;
  [more: string]: unknown;
}

/** A return, or goods the buyer never picked up (`returnType: UNREDEEMED`). */
export interface Return {
  id: number;
  orderId: number;
  creationDate?: string;
  updateDate?: string;
  refundStatus?: RefundStatus;
  shipmentStatus?: ReturnShipmentStatus;
  /** The refund due. */
  amount?: Money;
  items: ReturnItem[];
  returnType: Open<'RETURN' | 'UNREDEEMED'>;
  fastReturn?: boolean;
  [more: string]: unknown;
}

export type GetReturnResponse = ApiResponse<Return>;
