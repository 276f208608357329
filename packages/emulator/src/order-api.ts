/**
 * The order and return reads a chat's context needs: getBusinessOrders (by ids or other filters, paged)
 * and getReturn. Like the chat operations: validate everything first, then read the store. Bodies follow
 * the spec's `orders-returns` subset exactly (the orders list has no `status`/`result` envelope there).
 */
import type { ApiDeps, ApiRequest } from './chat-api.js';
import { apiError, FieldErrors } from './errors.js';
import { describe } from './ids.js';
import { OPERATIONS } from './operations.js';
import { ORDER_STATUSES, type OrderDetails, type ReturnDetails } from './order-data.js';
import { decodePageToken, digest, encodePageToken } from './page-token.js';
import type { OrderFilter } from './store.js';
import { isoMsk } from './time.js';
import type { OrderRow, ReturnRow } from './types.js';
import {
  enumItem,
  filterArray,
  idItem,
  jsonObjectBody,
  notFound,
  queryLimit,
  queryPageToken,
} from './validate.js';

const EMPTY_BODY = { data: Buffer.alloc(0), size: 0, overHardLimit: false };
const DAY = 86_400_000;
/** The longest creation-date range one request may ask for, and the default range without dates or ids. */
const MAX_RANGE_DAYS = 30;
/** Every emulated order is sold through one model (FBS: the seller ships from its own warehouse). */
const PROGRAM = 'FBS';
const PROGRAM_TYPES = ['FBY', 'FBS', 'DBS', 'EXPRESS', 'LAAS'] as const;
const SOURCE_PLATFORMS = ['MARKET', 'OZON', 'WILDBERRIES', 'OTHER'] as const;
const MAX_IDS = 50;
const MSK_OFFSET_MS = 3 * 3600_000;

function rub(value: number) {
  return { value, currencyId: 'RUR' };
}

/** `YYYY-MM-DD` of an instant in Moscow time. */
function mskDate(ms: number): string {
  return new Date(ms + MSK_OFFSET_MS).toISOString().slice(0, 10);
}

export function orderJson(order: OrderRow, d: OrderDetails): Record<string, unknown> {
  const goods = d.items.reduce((sum, item) => sum + item.price * item.count, 0);
  return {
    orderId: order.order_id,
    campaignId: order.campaign_id,
    programType: PROGRAM,
    status: d.status,
    substatus: d.substatus,
    creationDate: isoMsk(order.created_at),
    updateDate: isoMsk(d.updatedAt),
    paymentType: d.paymentType,
    paymentMethod: d.paymentMethod,
    fake: false,
    items: d.items.map((item) => ({
      id: item.id,
      offerId: item.offerId,
      offerName: item.offerName,
      count: item.count,
      prices: { payment: rub(item.price * item.count), vat: 'VAT_20' },
    })),
    prices: { payment: rub(goods + d.delivery.price), delivery: { payment: rub(d.delivery.price) } },
    delivery: {
      type: d.delivery.type,
      serviceName: d.delivery.serviceName,
      deliveryServiceId: d.delivery.serviceId,
      deliveryPartnerType: 'YANDEX_MARKET',
      dates: { fromDate: mskDate(d.delivery.fromDate), toDate: mskDate(d.delivery.toDate) },
    },
    buyerType: 'PERSON',
  };
}

export function returnJson(ret: ReturnRow, d: ReturnDetails): Record<string, unknown> {
  return {
    id: ret.return_id,
    orderId: ret.order_id,
    creationDate: isoMsk(ret.created_at),
    updateDate: isoMsk(d.updatedAt),
    refundStatus: d.refundStatus,
    shipmentStatus: d.shipmentStatus,
    amount: rub(d.amount),
    items: d.items.map((item) => ({
      marketSku: item.marketSku,
      shopSku: item.offerId,
      count: item.count,
      decisions: [
        {
          returnItemId: item.itemId,
          count: item.count,
          comment: item.comment,
          reasonType: item.reason,
        },
      ],
    })),
    returnType: d.returnType,
  };
}

/** A `format: date` field of the dates filter: `YYYY-MM-DD`, as epoch ms of that Moscow midnight. */
function dateField(dates: Record<string, unknown>, name: string, errors: FieldErrors): number | undefined {
  const value = dates[name];
  if (value === undefined || value === null) return undefined;
  const ms = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    errors.add('INVALID_PARAMETER', `dates.${name}: must be a date YYYY-MM-DD, got ${describe(value)}`);
    return undefined;
  }
  return ms - MSK_OFFSET_MS;
}

function flag(body: Record<string, unknown>, name: string, errors: FieldErrors): boolean | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') {
    errors.add('INVALID_PARAMETER', `${name}: must be true or false, got ${describe(value)}`);
    return undefined;
  }
  return value;
}

function atMost<T>(list: T[] | undefined, field: string, errors: FieldErrors): T[] | undefined {
  if (list && list.length > MAX_IDS)
    errors.add('INVALID_PARAMETER', `${field}: at most ${MAX_IDS} values, got ${list.length}`);
  return list;
}

/** The creation-time range: the dates given (at most 30 days), or the last 30 days when neither dates nor ids are. */
function creationRange(
  body: Record<string, unknown>,
  byIds: boolean,
  now: number,
  errors: FieldErrors,
): Pick<OrderFilter, 'createdFrom' | 'createdBefore'> {
  const raw = body.dates;
  if (raw === undefined || raw === null)
    return byIds ? {} : { createdFrom: now - MAX_RANGE_DAYS * DAY, createdBefore: now + DAY };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    errors.add('INVALID_PARAMETER', `dates: must be an object, got ${describe(raw)}`);
    return {};
  }
  const dates = raw as Record<string, unknown>;
  for (const name of ['shipmentDateFrom', 'shipmentDateTo']) dateField(dates, name, errors);
  for (const name of ['updateDateFrom', 'updateDateTo']) {
    const value = dates[name];
    if (
      value !== undefined &&
      value !== null &&
      (typeof value !== 'string' || Number.isNaN(Date.parse(value)))
    )
      errors.add('INVALID_PARAMETER', `dates.${name}: must be an ISO 8601 date-time, got ${describe(value)}`);
  }
  const from = dateField(dates, 'creationDateFrom', errors);
  const to = dateField(dates, 'creationDateTo', errors);
  if (from !== undefined && to !== undefined) {
    if (to < from) errors.add('INVALID_PARAMETER', 'dates: creationDateTo is before creationDateFrom');
    else if (to - from > MAX_RANGE_DAYS * DAY)
      errors.add('INVALID_PARAMETER', `dates: the creation date range is over ${MAX_RANGE_DAYS} days`);
  }
  return {
    ...(from === undefined ? {} : { createdFrom: from }),
    // creationDateTo is inclusive: the whole day counts.
    ...(to === undefined ? {} : { createdBefore: to + DAY }),
  };
}

export function getBusinessOrders(deps: ApiDeps, req: ApiRequest): string {
  const errors = new FieldErrors();
  const limit = queryLimit(req.query, OPERATIONS.getBusinessOrders.page!, errors);
  const token = queryPageToken(req.query, errors);
  const body = jsonObjectBody(req.contentType, req.body ?? EMPTY_BODY, errors);
  const filter: OrderFilter = {};
  const orderIds = atMost(filterArray(body, 'orderIds', errors, idItem(errors)), 'orderIds', errors);
  if (orderIds) filter.orderIds = orderIds;
  const campaignIds = atMost(filterArray(body, 'campaignIds', errors, idItem(errors)), 'campaignIds', errors);
  if (campaignIds) filter.campaignIds = campaignIds;
  const statuses = filterArray(body, 'statuses', errors, enumItem(ORDER_STATUSES, errors));
  if (statuses) filter.statuses = statuses;
  const substatuses = filterArray(body, 'substatuses', errors, (value, where) => {
    if (typeof value === 'string' && /^[A-Z][A-Z0-9_]*$/.test(value)) return value;
    errors.add(
      'INVALID_PARAMETER',
      `${where}: must be an order substatus such as "STARTED", got ${describe(value)}`,
    );
    return undefined;
  });
  if (substatuses) filter.substatuses = substatuses;
  const externalIds = atMost(
    filterArray(body, 'externalOrderIds', errors, (value, where) => {
      if (typeof value === 'string' && value.trim() !== '' && value.length <= 255) return value;
      errors.add('INVALID_PARAMETER', `${where}: must be a non-blank string of at most 255 characters`);
      return undefined;
    }),
    'externalOrderIds',
    errors,
  );
  const programs = filterArray(body, 'programTypes', errors, enumItem(PROGRAM_TYPES, errors));
  const platforms = filterArray(body, 'sourcePlatforms', errors, enumItem(SOURCE_PLATFORMS, errors));
  const fake = flag(body, 'fake', errors);
  const cancelling = flag(body, 'waitingForCancellationApprove', errors);
  Object.assign(filter, creationRange(body, orderIds !== undefined, deps.clock.now(), errors));
  // The body as sent, not the filter: without dates the range moves with the clock between pages.
  const scope = `o:${req.businessId}:${digest(JSON.stringify(body))}`;
  let after = 0;
  if (token !== undefined) {
    const position = decodePageToken(token, scope);
    if (position === undefined)
      errors.add(
        'INVALID_QUERY_PARAMETER',
        'pageToken: not a token this query issued (malformed, edited or from another filter)',
      );
    else after = position;
  }
  errors.throwIfAny();
  // No emulated order is a test order, has an external id, awaits a cancellation or came from elsewhere.
  const none =
    fake === true ||
    cancelling === true ||
    externalIds !== undefined ||
    (programs !== undefined && !programs.includes(PROGRAM)) ||
    (platforms !== undefined && !platforms.includes('MARKET'));
  const rows = none ? [] : deps.store.listOrders(req.businessId, filter, after, limit + 1);
  const more = rows.length > limit;
  if (more) rows.length = limit;
  const result: Record<string, unknown> = { orders: rows.map((r) => orderJson(r.order, r.details)) };
  if (more) result.paging = { nextPageToken: encodePageToken(scope, rows[limit - 1]!.order.order_id) };
  return JSON.stringify(result);
}

export function getReturn(deps: ApiDeps, req: ApiRequest): string {
  const { campaignId, orderId, returnId } = req.ids as Record<'campaignId' | 'orderId' | 'returnId', number>;
  const ret = deps.store.getReturn(req.businessId, returnId);
  const order = ret && deps.store.getOrder(req.businessId, ret.order_id);
  // A return of another order, or of an order of another shop, is as unknown here as a missing one.
  if (!ret || !order || ret.order_id !== orderId || order.campaign_id !== campaignId)
    throw notFound(`return ${returnId} of order ${orderId} in campaign ${campaignId}`);
  const details = deps.store.returnDetails(req.businessId, returnId);
  if (!details) throw apiError(500, 'INTERNAL_ERROR', `return ${returnId} has no details`);
  return `{"status":"OK","result":${JSON.stringify(returnJson(ret, details))}}`;
}
