/** The seven chat operations: validate everything first, then read or write the store. */
import { FILE_SIZE_LIMIT, type ReadBody } from './body.js';
import { statusAfter } from './chat-status.js';
import { apiError, FieldErrors } from './errors.js';
import { parseIdJson } from './ids.js';
import { boundaryOf, parseMultipart, safeContentType, sanitizeFileName } from './multipart.js';
import type { Notifier } from './notifications.js';
import { OPERATIONS } from './operations.js';
import { decodePageToken, digest, encodePageToken } from './page-token.js';
import { chatJson, contextJson, messageJson } from './serialize.js';
import type { ChatFilter, Store } from './store.js';
import type { Clock } from './time.js';
import {
  CHAT_STATUSES,
  CHAT_TYPES,
  type ChatRow,
  CONTEXT_TYPES,
  type OperationId,
  type OrderOperationId,
} from './types.js';
import {
  enumItem,
  filterArray,
  idItem,
  isMultipart,
  jsonObjectBody,
  messageText,
  notFound,
  queryLimit,
  queryPageToken,
  requiredQueryId,
} from './validate.js';

export interface ApiDeps {
  store: Store;
  clock: Clock;
  notifier: Notifier;
  baseUrl: () => string;
}

export interface ApiRequest {
  /** The business the request acts for: the path's, or the one owning the path's campaign. */
  businessId: number;
  /** The path's ids, parsed, by the spec's names (businessId, campaignId, orderId, returnId). */
  ids: Record<string, number>;
  query: URLSearchParams;
  contentType: string | undefined;
  body: ReadBody | undefined;
}

export type Handler = (deps: ApiDeps, req: ApiRequest) => string | Buffer;

const OK = '{"status":"OK"}';
const EMPTY_BODY: ReadBody = { data: Buffer.alloc(0), size: 0, overHardLimit: false };

export function ok(result: unknown): string {
  return `{"status":"OK","result":${JSON.stringify(result)}}`;
}

function createChat(deps: ApiDeps, req: ApiRequest): string {
  const errors = new FieldErrors();
  const body = jsonObjectBody(req.contentType, req.body ?? EMPTY_BODY, errors);
  let type: 'ORDER' | 'RETURN' | undefined;
  let id: number | undefined;
  const context = body.context;
  if (context !== undefined && context !== null) {
    if (typeof context !== 'object' || Array.isArray(context)) {
      errors.add('INVALID_PARAMETER', 'context: must be an object {type, id}');
    } else {
      const c = context as Record<string, unknown>;
      if (c.type === undefined) errors.add('MISSING_PARAM', 'context.type: required');
      else type = enumItem(['ORDER', 'RETURN'] as const, errors)(c.type, 'context.type');
      if (c.id === undefined) errors.add('MISSING_PARAM', 'context.id: required');
      else id = parseIdJson(c.id, 'context.id', errors);
    }
  }
  if (body.orderId !== undefined && body.orderId !== null) {
    const orderId = parseIdJson(body.orderId, 'orderId', errors);
    if (orderId !== undefined) {
      if (context === undefined || context === null) {
        type = 'ORDER';
        id = orderId;
      } else if (type !== 'ORDER' || id !== orderId) {
        errors.add(
          'INVALID_PARAMETER',
          'orderId: contradicts context; send context only (orderId is deprecated)',
        );
      }
    }
  } else if ((context === undefined || context === null) && errors.list.length === 0) {
    errors.add('MISSING_PARAM', 'context: required (or the deprecated orderId)');
  }
  errors.throwIfAny();
  const { store, clock, notifier } = deps;
  const b = req.businessId;
  const ctxType = type!;
  const ctxId = id!;
  const now = clock.now();
  let opened: { chat: ChatRow; created: boolean };
  if (ctxType === 'ORDER') {
    const order = store.getOrder(b, ctxId);
    if (!order) throw notFound(`order ${ctxId}`);
    opened = store.openOrderChat(order, now);
  } else {
    const ret = store.getReturn(b, ctxId);
    if (!ret) throw notFound(`return ${ctxId}`);
    opened = store.openReturnChat(ret, now);
  }
  const { chat, created } = opened;
  if (!created) return ok({ chatId: chat.chat_id });
  notifier.chatCreated(b, chat.chat_id, now);
  return ok({ chatId: chat.chat_id });
}

function getChats(deps: ApiDeps, req: ApiRequest): Buffer {
  const errors = new FieldErrors();
  const limit = queryLimit(req.query, OPERATIONS.getChats.page!, errors);
  const token = queryPageToken(req.query, errors);
  const body = jsonObjectBody(req.contentType, req.body ?? EMPTY_BODY, errors);
  const filter: ChatFilter = {};
  const orderIds = filterArray(body, 'orderIds', errors, idItem(errors));
  if (orderIds) filter.orderIds = orderIds;
  const contexts = filterArray(
    body,
    'contexts',
    errors,
    (value, where) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        errors.add('INVALID_PARAMETER', `${where}: must be an object {type, id}`);
        return undefined;
      }
      const c = value as Record<string, unknown>;
      const type = enumItem(['ORDER', 'RETURN'] as const, errors)(c.type, `${where}.type`);
      const id = parseIdJson(c.id, `${where}.id`, errors);
      return type && id !== undefined ? { type, id } : undefined;
    },
    (c) => `${c.type}:${c.id}`,
  );
  if (contexts) filter.contexts = contexts;
  const contextTypes = filterArray(body, 'contextTypes', errors, enumItem(CONTEXT_TYPES, errors));
  if (contextTypes) filter.contextTypes = contextTypes;
  const types = filterArray(body, 'types', errors, enumItem(CHAT_TYPES, errors));
  if (types) filter.types = types;
  const statuses = filterArray(body, 'statuses', errors, enumItem(CHAT_STATUSES, errors));
  if (statuses) filter.statuses = statuses;
  const scope = `c:${req.businessId}:${digest(JSON.stringify(filter))}`;
  let before: number | undefined;
  if (token !== undefined) {
    before = decodePageToken(token, scope);
    if (before === undefined)
      errors.add(
        'INVALID_QUERY_PARAMETER',
        'pageToken: not a token this query issued (malformed, edited or from another filter)',
      );
  }
  errors.throwIfAny();
  const b = req.businessId;
  return deps.store.listCache.page(b, `${scope}|${before ?? ''}|${limit}`, () => {
    const ids = deps.store.listChatIds(b, filter, before, limit + 1);
    const more = ids.length > limit;
    if (more) ids.length = limit;
    const chats = deps.store.listCache.chatTexts(
      ids,
      (missing) => deps.store.chatsByIds(b, missing),
      (row) => JSON.stringify(chatJson(row)),
    );
    const paging = more
      ? `,"paging":${JSON.stringify({ nextPageToken: encodePageToken(scope, ids[limit - 1]!) })}`
      : '';
    return `{"status":"OK","result":{"chats":[${chats.join(',')}]${paging}}}`;
  });
}

function getChat(deps: ApiDeps, req: ApiRequest): string {
  const errors = new FieldErrors();
  const chatId = requiredQueryId(req.query, 'chatId', errors);
  errors.throwIfAny();
  const chat = deps.store.getChat(req.businessId, chatId!);
  if (!chat) throw notFound(`chat ${chatId}`);
  return ok(chatJson(chat));
}

function getChatHistory(deps: ApiDeps, req: ApiRequest): string {
  const errors = new FieldErrors();
  const chatId = requiredQueryId(req.query, 'chatId', errors);
  const limit = queryLimit(req.query, OPERATIONS.getChatHistory.page!, errors);
  const token = queryPageToken(req.query, errors);
  const body = jsonObjectBody(req.contentType, req.body ?? EMPTY_BODY, errors);
  let from = 0;
  if (body.messageIdFrom !== undefined && body.messageIdFrom !== null) {
    from = parseIdJson(body.messageIdFrom, 'messageIdFrom', errors) ?? 0;
  }
  const scope = `h:${req.businessId}:${chatId}:${from}`;
  let after = 0;
  if (token !== undefined && chatId !== undefined) {
    const position = decodePageToken(token, scope);
    if (position === undefined)
      errors.add(
        'INVALID_QUERY_PARAMETER',
        'pageToken: not a token this query issued (malformed, edited or from another chat)',
      );
    else after = position;
  }
  errors.throwIfAny();
  const chat = deps.store.getChat(req.businessId, chatId!);
  if (!chat) throw notFound(`chat ${chatId}`);
  const rows = deps.store.listMessages(chat.chat_id, from, after, limit + 1);
  const more = rows.length > limit;
  if (more) rows.length = limit;
  const base = deps.baseUrl();
  const result: Record<string, unknown> = {};
  if (chat.order_id !== null) result.orderId = chat.order_id;
  result.context = contextJson(chat);
  result.messages = rows.map((m) => messageJson(m, base));
  if (more) result.paging = { nextPageToken: encodePageToken(scope, rows[limit - 1]!.message_id) };
  return ok(result);
}

function getChatMessage(deps: ApiDeps, req: ApiRequest): string {
  const errors = new FieldErrors();
  const chatId = requiredQueryId(req.query, 'chatId', errors);
  const messageId = requiredQueryId(req.query, 'messageId', errors);
  errors.throwIfAny();
  const chat = deps.store.getChat(req.businessId, chatId!);
  if (!chat) throw notFound(`chat ${chatId}`);
  const message = deps.store.getMessage(chat.chat_id, messageId!);
  if (!message) throw notFound(`message ${messageId} in chat ${chatId}`);
  return ok(messageJson(message, deps.baseUrl()));
}

/** The chat a seller may write to; FINISHED chats are closed for new messages (answered 400). */
function writableChat(deps: ApiDeps, businessId: number, chatId: number): ChatRow {
  const chat = deps.store.getChat(businessId, chatId);
  if (!chat) throw notFound(`chat ${chatId}`);
  if (chat.status === 'FINISHED')
    throw apiError(
      400,
      'BAD_REQUEST',
      `chatId: chat ${chatId} is FINISHED; no new messages can be sent to it`,
    );
  return chat;
}

function sendMessageToChat(deps: ApiDeps, req: ApiRequest): string {
  const errors = new FieldErrors();
  const chatId = requiredQueryId(req.query, 'chatId', errors);
  const body = jsonObjectBody(req.contentType, req.body ?? EMPTY_BODY, errors);
  const text = messageText(body.message, errors);
  errors.throwIfAny();
  const chat = writableChat(deps, req.businessId, chatId!);
  const now = deps.clock.now();
  const message = deps.store.addMessage(
    chat,
    { sender: 'PARTNER', text: text!, status: statusAfter(chat, 'PARTNER') },
    now,
  );
  deps.notifier.messageSent(req.businessId, chat.chat_id, message.message_id, now);
  return OK;
}

function sendFileToChat(deps: ApiDeps, req: ApiRequest): string {
  const errors = new FieldErrors();
  const chatId = requiredQueryId(req.query, 'chatId', errors);
  const body = req.body ?? EMPTY_BODY;
  const fail = (message: string) => {
    errors.add('BAD_REQUEST', message);
    return errors.list;
  };
  let file: { name: string; data: Buffer } | undefined;
  const boundary = req.contentType ? boundaryOf(req.contentType) : undefined;
  if (!isMultipart(req.contentType) || !boundary) {
    fail(
      `Content-Type: must be multipart/form-data with a boundary, got ${req.contentType ? `"${req.contentType}"` : 'none'}`,
    );
  } else if (body.data === null) {
    fail(
      `file: request of ${body.size} bytes is over the file size limit of ${FILE_SIZE_LIMIT} bytes (5 MB)`,
    );
  } else if (body.size === 0) {
    fail('file: required multipart part "file" is missing (empty body)');
  } else {
    const parts = parseMultipart(body.data, boundary);
    if (typeof parts === 'string') fail(`request body: ${parts}`);
    else {
      const part = parts.find((p) => p.name === 'file');
      if (!part) errors.add('MISSING_PARAM', 'file: required multipart part "file" is missing');
      else if (part.data.length > FILE_SIZE_LIMIT)
        errors.add(
          'INVALID_PARAMETER',
          `file: ${part.data.length} bytes is over the limit of ${FILE_SIZE_LIMIT} bytes (5 MB)`,
        );
      else if (part.data.length === 0) errors.add('INVALID_PARAMETER', 'file: must not be empty (0 bytes)');
      else file = { name: sanitizeFileName(part.filename), data: Buffer.from(part.data) };
    }
  }
  errors.throwIfAny();
  const chat = writableChat(deps, req.businessId, chatId!);
  const now = deps.clock.now();
  const { name, data } = file!;
  const message = deps.store.addMessage(
    chat,
    {
      sender: 'PARTNER',
      files: [{ name, data, contentType: safeContentType(name) }],
      status: statusAfter(chat, 'PARTNER'),
    },
    now,
  );
  deps.notifier.messageSent(req.businessId, chat.chat_id, message.message_id, now);
  return OK;
}

export const CHAT_HANDLERS: Record<Exclude<OperationId, OrderOperationId>, Handler> = {
  createChat,
  getChats,
  getChat,
  getChatHistory,
  getChatMessage,
  sendMessageToChat,
  sendFileToChat,
};
