/**
 * Request encoding: checks every field of a request object, refuses unknown ones (a typo must not silently
 * drop a filter) and writes the JSON the platform expects, with bigint ids intact.
 */
import { ValidationError } from './core/errors.js';
import { toJson } from './core/json.js';
import { checkEnumValue, checkId, checkList, checkObject } from './core/validate.js';
import type { OperationId } from './operations.js';
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
