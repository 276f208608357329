/**
 * Request encoding: checks every field of a request object, refuses unknown ones (a typo must not silently
 * drop a filter) and writes the JSON the platform expects, with bigint ids intact.
 */
import { ValidationError } from './core/errors.js';
import { toJson } from './core/json.js';
import { checkEnumValue, checkId, checkList, checkObject } from './core/validate.js';
import type { OperationId } from './operations.js';
import type { GetBusinessOrdersRequest } from './order-types.js';
import type { ChatContextRef, CreateChatRequest, GetChatHistoryRequest, GetChatsRequest } from './types.js';

export function rejectUnknown(
  value: Record<string, unknown>,
  known: string[],
  field: string,
  op: OperationId,
): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key) && value[key] !== undefined) {
      throw new ValidationError(
        `${field}.${key}`,
        `is not a field of this request (known: ${known.join(', ')})`,
        op,
      );
    }
  }
}

function encodeContext(value: unknown, field: string, op: OperationId): { type: string; id: string } {
  const context = checkObject(value, field, op);
  rejectUnknown(context, ['type', 'id'], field, op);
  if (context.type !== 'ORDER' && context.type !== 'RETURN') {
    throw new ValidationError(
      `${field}.type`,
      `must be "ORDER" or "RETURN" (sellers cannot start DIRECT chats), got ${JSON.stringify(context.type)}`,
      op,
    );
  }
  return { type: context.type, id: checkId(context.id, `${field}.id`, op) };
}

export function encodeCreateChat(request: CreateChatRequest): string {
  const op = 'createChat';
  const value = checkObject(request, 'createChatRequest', op);
  rejectUnknown(value, ['context', 'orderId'], 'createChatRequest', op);
  if (value.context === undefined && value.orderId === undefined) {
    throw new ValidationError(
      'createChatRequest',
      'needs context ({ type, id }) or the deprecated orderId',
      op,
    );
  }
  const body: Record<string, unknown> = {};
  if (value.context !== undefined) {
    const context = encodeContext(value.context as ChatContextRef, 'createChatRequest.context', op);
    body.context = { type: context.type, id: BigInt(context.id) };
  }
  if (value.orderId !== undefined)
    body.orderId = BigInt(checkId(value.orderId, 'createChatRequest.orderId', op));
  return toJson(body);
}

export function encodeChatsFilter(request: GetChatsRequest): string {
  const op = 'getChats';
  const value = checkObject(request, 'getChatsRequest', op);
  const known = ['orderIds', 'contexts', 'contextTypes', 'types', 'statuses'];
  rejectUnknown(value, known, 'getChatsRequest', op);
  const body: Record<string, unknown> = {};
  const orderIds = checkList(value.orderIds, 'getChatsRequest.orderIds', op, (v, f) =>
    BigInt(checkId(v, f, op)),
  );
  if (orderIds) body.orderIds = orderIds;
  const contexts = checkList(value.contexts, 'getChatsRequest.contexts', op, (v, f) => {
    const c = encodeContext(v, f, op);
    return { type: c.type, id: BigInt(c.id) };
  });
  if (contexts) body.contexts = contexts;
  for (const name of ['contextTypes', 'types', 'statuses'] as const) {
    const list = checkList(value[name], `getChatsRequest.${name}`, op, (v, f) => checkEnumValue(v, f, op));
    if (list) body[name] = [...new Set(list)];
  }
  return toJson(body);
}

export function encodeHistoryRequest(request: GetChatHistoryRequest): string {
  const op = 'getChatHistory';
  const value = checkObject(request, 'getChatHistoryRequest', op);
  rejectUnknown(value, ['messageIdFrom'], 'getChatHistoryRequest', op);
  if (value.messageIdFrom === undefined) return '{}';
  return `{"messageIdFrom":${checkId(value.messageIdFrom, 'getChatHistoryRequest.messageIdFrom', op)}}`;
}

/** At most this many order ids, external ids or campaign ids in one getBusinessOrders filter. */
const MAX_ORDER_FILTER_IDS = 50;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function encodeBusinessOrdersRequest(request: GetBusinessOrdersRequest): string {
  const op = 'getBusinessOrders';
  const name = 'getBusinessOrdersRequest';
  const value = checkObject(request, name, op);
  const lists = ['orderIds', 'externalOrderIds', 'campaignIds', 'programTypes', 'statuses', 'substatuses'];
  const known = [...lists, 'sourcePlatforms', 'dates', 'fake', 'waitingForCancellationApprove'];
  rejectUnknown(value, known, name, op);
  const body: Record<string, unknown> = {};
  const capped = <T>(list: T[] | undefined, field: string): T[] | undefined => {
    if (list && list.length > MAX_ORDER_FILTER_IDS)
      throw new ValidationError(
        `${name}.${field}`,
        `has ${list.length} values; at most ${MAX_ORDER_FILTER_IDS}`,
        op,
      );
    return list;
  };
  for (const field of ['orderIds', 'campaignIds'] as const) {
    const ids = capped(
      checkList(value[field], `${name}.${field}`, op, (v, f) => BigInt(checkId(v, f, op))),
      field,
    );
    if (ids) body[field] = [...new Set(ids)];
  }
  const external = capped(
    checkList(value.externalOrderIds, `${name}.externalOrderIds`, op, (v, f) => {
      if (typeof v === 'string' && v.trim() !== '' && v.length <= 255) return v;
      throw new ValidationError(f, 'must be a non-blank string of at most 255 characters', op);
    }),
    'externalOrderIds',
  );
  if (external) body.externalOrderIds = [...new Set(external)];
  for (const field of ['programTypes', 'statuses', 'substatuses', 'sourcePlatforms'] as const) {
    const list = checkList(value[field], `${name}.${field}`, op, (v, f) => checkEnumValue(v, f, op));
    if (list) body[field] = [...new Set(list)];
  }
  if (value.dates !== undefined) {
    const dates = checkObject(value.dates, `${name}.dates`, op);
    const dateFields = ['creationDateFrom', 'creationDateTo', 'shipmentDateFrom', 'shipmentDateTo'];
    const timeFields = ['updateDateFrom', 'updateDateTo'];
    rejectUnknown(dates, [...dateFields, ...timeFields], `${name}.dates`, op);
    for (const [field, v] of Object.entries(dates)) {
      if (v === undefined) continue;
      const ok = dateFields.includes(field)
        ? typeof v === 'string' && DATE.test(v)
        : typeof v === 'string' && !Number.isNaN(Date.parse(v));
      if (!ok) {
        const shape = dateFields.includes(field) ? 'a date YYYY-MM-DD' : 'an ISO 8601 date-time';
        throw new ValidationError(`${name}.dates.${field}`, `must be ${shape}, got ${JSON.stringify(v)}`, op);
      }
    }
    body.dates = dates;
  }
  for (const field of ['fake', 'waitingForCancellationApprove'] as const) {
    const v = value[field];
    if (v === undefined) continue;
    if (typeof v !== 'boolean')
      throw new ValidationError(`${name}.${field}`, `must be true or false, got ${JSON.stringify(v)}`, op);
    body[field] = v;
  }
  return toJson(body);
}
