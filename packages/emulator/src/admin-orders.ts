/**
 * Admin handlers for what the platform changes in an order or a return as it moves on: an order's status,
 * substatus and delivery dates; a return's refund and parcel states. The answer is the object as the API
 * now shows it, so a test sees at once what the next read will.
 */
import { type AdminContext, type AdminDeps, bad, businessParam } from './admin-context.js';
import { apiError, FieldErrors } from './errors.js';
import { describe, parseIdText } from './ids.js';
import { orderJson, returnJson } from './order-api.js';
import {
  ORDER_STATUSES,
  ORDER_SUBSTATUSES,
  type OrderDetails,
  type OrderStatus,
  REFUND_STATUSES,
  RETURN_SHIPMENT_STATUSES,
  type ReturnDetails,
} from './order-data.js';
import { isOneOf } from './types.js';

const MSK_OFFSET_MS = 3 * 3600_000;

function idParam(raw: string, field: string): number {
  const errors = new FieldErrors();
  const id = parseIdText(raw, field, errors, 'INVALID_PARAMETER');
  errors.throwIfAny();
  return id!;
}

/** The substatus an order gets when only its status is changed: the first the emulator lists for it. */
function defaultSubstatus(status: OrderStatus): string {
  return Object.keys(ORDER_SUBSTATUSES).find((s) => ORDER_SUBSTATUSES[s] === status) ?? 'UNKNOWN';
}

function dateMs(value: unknown, field: string): number {
  const ms = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw bad(`${field}: must be a date YYYY-MM-DD, got ${describe(value)}`);
  return ms - MSK_OFFSET_MS;
}

/** `{status?, substatus?, delivery?: {fromDate?, toDate?}}`: at least one; a substatus must fit the status. */
export function patchOrder(deps: AdminDeps, ctx: AdminContext): unknown {
  const b = businessParam(ctx.params[0]!);
  const orderId = idParam(ctx.params[1]!, 'orderId');
  const order = deps.store.getOrder(b, orderId);
  const details = order && deps.store.orderDetails(b, orderId);
  if (!order || !details) throw apiError(404, 'NOT_FOUND', `order ${orderId} not found in business ${b}`);
  const { status, substatus, delivery } = ctx.body;
  if (status === undefined && substatus === undefined && delivery === undefined)
    throw bad('give status, substatus and/or delivery {fromDate, toDate}');
  if (status !== undefined && !isOneOf(ORDER_STATUSES, status))
    throw bad(`status: must be one of ${ORDER_STATUSES.join(', ')}, got ${describe(status)}`);
  const nextStatus = (status as OrderStatus | undefined) ?? details.status;
  let nextSubstatus = status === undefined ? details.substatus : defaultSubstatus(nextStatus);
  if (substatus !== undefined) {
    if (typeof substatus !== 'string' || !(substatus in ORDER_SUBSTATUSES))
      throw bad(
        `substatus: must be one of ${Object.keys(ORDER_SUBSTATUSES).join(', ')}, got ${describe(substatus)}`,
      );
    if (ORDER_SUBSTATUSES[substatus] !== nextStatus && substatus !== 'UNKNOWN')
      throw bad(
        `substatus: ${substatus} belongs to status ${ORDER_SUBSTATUSES[substatus]}, not ${nextStatus}`,
      );
    nextSubstatus = substatus;
  }
  const dates = { fromDate: details.delivery.fromDate, toDate: details.delivery.toDate };
  if (delivery !== undefined) {
    if (typeof delivery !== 'object' || delivery === null || Array.isArray(delivery))
      throw bad('delivery: must be an object {fromDate?, toDate?} with dates YYYY-MM-DD');
    const d = delivery as Record<string, unknown>;
    if (d.fromDate !== undefined) dates.fromDate = dateMs(d.fromDate, 'delivery.fromDate');
    if (d.toDate !== undefined) dates.toDate = dateMs(d.toDate, 'delivery.toDate');
    if (dates.toDate < dates.fromDate) throw bad('delivery: toDate is before fromDate');
  }
  const next: OrderDetails = {
    ...details,
    status: nextStatus,
    substatus: nextSubstatus,
    updatedAt: deps.clock.now(),
    delivery: { ...details.delivery, ...dates },
  };
  deps.store.setOrderDetails(b, orderId, next);
  return orderJson(order, next);
}

/** `{refundStatus?, shipmentStatus?}`: at least one. */
export function patchReturn(deps: AdminDeps, ctx: AdminContext): unknown {
  const b = businessParam(ctx.params[0]!);
  const returnId = idParam(ctx.params[1]!, 'returnId');
  const ret = deps.store.getReturn(b, returnId);
  const details = ret && deps.store.returnDetails(b, returnId);
  if (!ret || !details) throw apiError(404, 'NOT_FOUND', `return ${returnId} not found in business ${b}`);
  const { refundStatus, shipmentStatus } = ctx.body;
  if (refundStatus === undefined && shipmentStatus === undefined)
    throw bad('give refundStatus and/or shipmentStatus');
  if (refundStatus !== undefined && !isOneOf(REFUND_STATUSES, refundStatus))
    throw bad(`refundStatus: must be one of ${REFUND_STATUSES.join(', ')}, got ${describe(refundStatus)}`);
  if (shipmentStatus !== undefined && !isOneOf(RETURN_SHIPMENT_STATUSES, shipmentStatus))
    throw bad(
      `shipmentStatus: must be one of ${RETURN_SHIPMENT_STATUSES.join(', ')}, got ${describe(shipmentStatus)}`,
    );
  const next: ReturnDetails = {
    ...details,
    refundStatus: refundStatus ?? details.refundStatus,
    shipmentStatus: shipmentStatus ?? details.shipmentStatus,
    updatedAt: deps.clock.now(),
  };
  deps.store.setReturnDetails(b, returnId, next);
  return returnJson(ret, next);
}
