/**
 * What the emulator knows about an order and a return beyond the ids a chat carries: items, prices,
 * status, delivery dates; a return's items and state. Drawn deterministically from a generator (the seed's,
 * or one made from the order id), kept as JSON beside the order's row, and changed by the admin API.
 */
import { intBetween, mulberry32, pick, type Rng } from './prng.js';

/** The spec's order statuses (`OrderStatusType`). */
export const ORDER_STATUSES = [
  'PLACING',
  'RESERVED',
  'UNPAID',
  'PROCESSING',
  'DELIVERY',
  'PICKUP',
  'DELIVERED',
  'CANCELLED',
  'PENDING',
  'PARTIALLY_RETURNED',
  'RETURNED',
  'UNKNOWN',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * The substatuses the emulator issues (a part of the spec's `OrderSubstatusType`), each with the status it
 * belongs to; the first listed for a status is its default when only the status is changed.
 */
export const ORDER_SUBSTATUSES: Readonly<Record<string, OrderStatus>> = {
  STARTED: 'PROCESSING',
  PACKAGING: 'PROCESSING',
  READY_TO_SHIP: 'PROCESSING',
  SHIPPED: 'PROCESSING',
  DELIVERY_SERVICE_RECEIVED: 'DELIVERY',
  LAST_MILE_STARTED: 'DELIVERY',
  READY_FOR_LAST_MILE: 'DELIVERY',
  PICKUP_SERVICE_RECEIVED: 'PICKUP',
  PICKUP_USER_RECEIVED: 'PICKUP',
  DELIVERY_SERVICE_DELIVERED: 'DELIVERED',
  DELIVERED_USER_RECEIVED: 'DELIVERED',
  USER_CHANGED_MIND: 'CANCELLED',
  SHOP_FAILED: 'CANCELLED',
  DELIVERY_SERVICE_UNDELIVERED: 'CANCELLED',
  USER_REFUSED_QUALITY: 'CANCELLED',
  RESERVATION_EXPIRED: 'CANCELLED',
  AWAIT_PAYMENT: 'UNPAID',
  AWAIT_CONFIRMATION: 'PENDING',
  ANTIFRAUD: 'PENDING',
  ASYNC_PROCESSING: 'PLACING',
  WAITING_FOR_STOCKS: 'RESERVED',
  FULL_NOT_RANSOM: 'RETURNED',
  UNKNOWN: 'UNKNOWN',
};

/** The spec's refund states of a return (`RefundStatusType`). */
export const REFUND_STATUSES = [
  'STARTED_BY_USER',
  'REFUND_IN_PROGRESS',
  'REFUNDED',
  'FAILED',
  'WAITING_FOR_DECISION',
  'DECISION_MADE',
  'REFUNDED_WITH_BONUSES',
  'REFUNDED_BY_SHOP',
  'CANCELLED',
  'REJECTED',
  'COMPLETE_WITHOUT_REFUND',
  'PREMODERATION_DISPUTE',
  'PREMODERATION_DECISION_WAITING',
  'PREMODERATION_DECISION_MADE',
  'PREMODERATION_SELECT_DELIVERY',
  'UNKNOWN',
] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/** The spec's states of a return's parcel on its way back (`ReturnShipmentStatusType`). */
export const RETURN_SHIPMENT_STATUSES = [
  'CREATED',
  'RECEIVED',
  'IN_TRANSIT',
  'READY_FOR_PICKUP',
  'PICKED',
  'LOST',
  'EXPIRED',
  'CANCELLED',
  'FULFILMENT_RECEIVED',
  'PREPARED_FOR_UTILIZATION',
  'NOT_IN_DEMAND',
  'UTILIZED',
  'READY_FOR_EXPROPRIATION',
  'RECEIVED_FOR_EXPROPRIATION',
  'UNKNOWN',
] as const;
export type ReturnShipmentStatus = (typeof RETURN_SHIPMENT_STATUSES)[number];

export interface OrderItemData {
  /** The order item's id (unique within the order's business). */
  id: number;
  offerId: string;
  offerName: string;
  count: number;
  /** What the buyer pays per unit, roubles. */
  price: number;
}

export interface OrderDetails {
  status: OrderStatus;
  substatus: string;
  /** Epoch ms of the last change. */
  updatedAt: number;
  paymentType: 'PREPAID' | 'POSTPAID';
  paymentMethod: string;
  items: OrderItemData[];
  delivery: {
    type: 'DELIVERY' | 'PICKUP';
    serviceName: string;
    serviceId: number;
    /** Epoch ms; serialized as dates in Moscow time. */
    fromDate: number;
    toDate: number;
    /** Delivery price for the buyer, roubles. */
    price: number;
  };
}

export interface ReturnItemData {
  /** The order item returned. */
  itemId: number;
  offerId: string;
  marketSku: number;
  count: number;
  reason: string;
  comment: string;
}

export interface ReturnDetails {
  returnType: 'RETURN' | 'UNREDEEMED';
  refundStatus: RefundStatus;
  shipmentStatus: ReturnShipmentStatus;
  updatedAt: number;
  items: ReturnItemData[];
  /** The refund due, roubles. */
  amount: number;
}

const CATALOGUE: { name: string; sku: string; min: number; max: number }[] = [
  { name: 'Чайник электрический Redmond RK-G178, 1,7 л', sku: 'RK-G178', min: 1900, max: 3500 },
  { name: 'Наушники беспроводные TWS Pro, чёрные', sku: 'TWS-PRO-BLK', min: 1500, max: 6900 },
  { name: 'Футболка хлопковая мужская, размер L', sku: 'TSHIRT-M-L', min: 590, max: 1490 },
  { name: 'Кроссовки беговые женские, 38 размер', sku: 'RUN-W-38', min: 3900, max: 8900 },
  { name: 'Зарядное устройство USB-C 65 Вт', sku: 'CHG-65W', min: 1200, max: 3200 },
  { name: 'Сковорода антипригарная 28 см', sku: 'PAN-28', min: 1100, max: 2900 },
  { name: 'Рюкзак городской 25 л, серый', sku: 'BAG-25-GRY', min: 1800, max: 4500 },
  { name: 'Кофе в зёрнах, 1 кг', sku: 'COFFEE-1KG', min: 900, max: 2200 },
  { name: 'Детский конструктор, 320 деталей', sku: 'TOY-320', min: 1400, max: 3900 },
  { name: 'Пылесос беспроводной вертикальный', sku: 'VAC-CORDLESS', min: 7900, max: 19900 },
  { name: 'Чехол для смартфона, прозрачный', sku: 'CASE-CLR', min: 290, max: 890 },
  { name: 'Набор полотенец, 3 шт.', sku: 'TOWEL-3', min: 990, max: 2490 },
];

const SERVICES = [
  { name: 'Яндекс Доставка', id: 1005111 },
  { name: 'Курьерская служба Маркета', id: 1005471 },
  { name: 'Пункт выдачи Маркета', id: 1005486 },
];

const RETURN_REASONS: { reason: string; comment: string }[] = [
  { reason: 'BAD_QUALITY', comment: 'Товар перестал работать через неделю.' },
  { reason: 'DOES_NOT_FIT', comment: 'Не подошёл размер.' },
  { reason: 'WRONG_ITEM', comment: 'Прислали другой цвет.' },
  { reason: 'DAMAGE_DELIVERY', comment: 'Коробка пришла помятой, товар поцарапан.' },
];

const DAY = 86_400_000;

/** An order's statuses for a chat about it, and for one about its return (the goods came back to the buyer). */
const ORDER_CHAT_STATES: [OrderStatus, string][] = [
  ['PROCESSING', 'STARTED'],
  ['PROCESSING', 'READY_TO_SHIP'],
  ['DELIVERY', 'DELIVERY_SERVICE_RECEIVED'],
  ['DELIVERY', 'LAST_MILE_STARTED'],
  ['PICKUP', 'PICKUP_SERVICE_RECEIVED'],
  ['DELIVERED', 'DELIVERY_SERVICE_DELIVERED'],
  ['CANCELLED', 'USER_CHANGED_MIND'],
];

/** A generator for an order the seed did not draw (admin-made): the same order id, the same details. */
export function orderRng(businessId: number, orderId: number): Rng {
  return mulberry32((Math.imul(businessId, 0x9e3779b1) ^ orderId) >>> 0);
}

/** An order placed at `createdAt`: one to three catalogue items, a status, delivery two to seven days on. */
export function drawOrder(rng: Rng, orderId: number, createdAt: number): OrderDetails {
  const count = intBetween(rng, 1, 3);
  const picked = new Set<number>();
  while (picked.size < count) picked.add(intBetween(rng, 0, CATALOGUE.length - 1));
  const items = [...picked].map((index, i) => {
    const entry = CATALOGUE[index]!;
    return {
      id: orderId * 10 + i + 1,
      offerId: entry.sku,
      offerName: entry.name,
      count: rng() < 0.8 ? 1 : intBetween(rng, 2, 3),
      price: Math.round(intBetween(rng, entry.min, entry.max) / 10) * 10,
    };
  });
  const [status, substatus] = pick(rng, ORDER_CHAT_STATES);
  const pickup = status === 'PICKUP' || rng() < 0.3;
  const service = pickup ? SERVICES[2]! : pick(rng, SERVICES.slice(0, 2));
  const fromDate = createdAt + intBetween(rng, 2, 5) * DAY;
  const prepaid = rng() < 0.85;
  return {
    status,
    substatus,
    updatedAt: createdAt + intBetween(rng, 1, 20) * 3_600_000,
    paymentType: prepaid ? 'PREPAID' : 'POSTPAID',
    paymentMethod: prepaid ? pick(rng, ['YANDEX', 'SBP', 'APPLE_PAY']) : 'CARD_ON_DELIVERY',
    items,
    delivery: {
      type: pickup ? 'PICKUP' : 'DELIVERY',
      serviceName: service.name,
      serviceId: service.id,
      fromDate,
      toDate: fromDate + intBetween(rng, 0, 2) * DAY,
      price: pickup ? 0 : pick(rng, [0, 99, 149, 249]),
    },
  };
}

/**
 * A return of part of an order, opened at `createdAt`: the order was delivered, the first item (some or all
 * of its units) is on its way back, and the refund waits for a decision or is under way.
 */
export function drawReturn(rng: Rng, order: OrderDetails, createdAt: number): ReturnDetails {
  const item = order.items[0]!;
  const count = intBetween(rng, 1, item.count);
  const why = pick(rng, RETURN_REASONS);
  const refundStatus = pick(rng, [
    'STARTED_BY_USER',
    'WAITING_FOR_DECISION',
    'REFUND_IN_PROGRESS',
    'REFUNDED',
  ] as const);
  return {
    returnType: rng() < 0.85 ? 'RETURN' : 'UNREDEEMED',
    refundStatus,
    shipmentStatus: refundStatus === 'REFUNDED' ? 'PICKED' : pick(rng, ['CREATED', 'IN_TRANSIT'] as const),
    updatedAt: createdAt + intBetween(rng, 1, 10) * 60_000,
    items: [
      {
        itemId: item.id,
        offerId: item.offerId,
        marketSku: 100_000_000 + (item.id % 1_000_000),
        count,
        reason: why.reason,
        comment: why.comment,
      },
    ],
    amount: item.price * count,
  };
}

/**
 * The order once a return of it is opened at `returnedAt`: the goods reached the buyer before that (its
 * delivery dates move back if they were later), and some are coming back.
 */
export function returnedOrder(order: OrderDetails, returnedAt: number): OrderDetails {
  const toDate = Math.min(order.delivery.toDate, returnedAt - DAY);
  const fromDate = Math.min(order.delivery.fromDate, toDate);
  return {
    ...order,
    status: 'DELIVERED',
    substatus: 'DELIVERED_USER_RECEIVED',
    updatedAt: Math.max(order.updatedAt, returnedAt),
    delivery: { ...order.delivery, fromDate, toDate },
  };
}
