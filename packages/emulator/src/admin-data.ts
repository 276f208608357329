/** Admin handlers for the data the buyer and the platform create: orders, returns, chats, messages. */
import {
  type AdminContext,
  type AdminDeps,
  bad,
  businessParam,
  chatParam,
  type Json,
  optionalId,
} from './admin-context.js';
import { statusAfter } from './chat-status.js';
import { apiError } from './errors.js';
import { describe } from './ids.js';
import { safeContentType, sanitizeFileName } from './multipart.js';
import { chatJson, messageJson } from './serialize.js';
import type { NewFile } from './store.js';
import {
  CHAT_STATUSES,
  CHAT_TYPES,
  type ChatStatus,
  type ChatType,
  type Customer,
  isOneOf,
  SENDERS,
} from './types.js';
import { hasLoneSurrogate, MESSAGE_MAX_LENGTH } from './validate.js';

function customerOf(body: Json, fallbackSeed: number): Customer {
  const c = body.customer;
  if (c === undefined || c === null) {
    return { name: `Покупатель ${fallbackSeed % 1000}`, publicId: `buyer${fallbackSeed.toString(36)}` };
  }
  if (typeof c !== 'object' || Array.isArray(c)) throw bad('customer: must be an object {name, publicId}');
  const { name, publicId } = c as Json;
  if (typeof name !== 'string' || name.length === 0) throw bad('customer.name: must be a non-empty string');
  if (typeof publicId !== 'string' || publicId.length === 0)
    throw bad('customer.publicId: must be a non-empty string');
  return { name, publicId };
}

function ensureOrder(deps: AdminDeps, b: number, body: Json, orderId: number | undefined) {
  if (orderId !== undefined) {
    const existing = deps.store.getOrder(b, orderId);
    if (existing) return existing;
  }
  const now = deps.clock.now();
  const campaignId = optionalId(body, 'campaignId');
  return deps.store.createOrder(b, { orderId, campaignId, customer: customerOf(body, orderId ?? now) }, now);
}

export function createOrder(deps: AdminDeps, ctx: AdminContext): unknown {
  const b = businessParam(ctx.params[0]!);
  const orderId = optionalId(ctx.body, 'orderId');
  if (orderId !== undefined && deps.store.getOrder(b, orderId))
    throw apiError(409, 'CONFLICT', `order ${orderId} already exists in business ${b}`);
  const order = ensureOrder(deps, b, ctx.body, orderId);
  return {
    businessId: b,
    orderId: order.order_id,
    campaignId: order.campaign_id,
    customer: { name: order.customer_name, publicId: order.customer_public_id },
  };
}

function ensureReturn(deps: AdminDeps, b: number, body: Json, returnId: number | undefined) {
  if (returnId !== undefined) {
    const existing = deps.store.getReturn(b, returnId);
    if (existing) return existing;
  }
  const order = ensureOrder(deps, b, body, optionalId(body, 'orderId'));
  return deps.store.createReturn(b, { returnId, orderId: order.order_id }, deps.clock.now());
}

export function createReturn(deps: AdminDeps, ctx: AdminContext): unknown {
  const b = businessParam(ctx.params[0]!);
  const returnId = optionalId(ctx.body, 'returnId');
  if (returnId !== undefined && deps.store.getReturn(b, returnId))
    throw apiError(409, 'CONFLICT', `return ${returnId} already exists in business ${b}`);
  const ret = deps.store.transaction(() => ensureReturn(deps, b, ctx.body, returnId));
  return { businessId: b, returnId: ret.return_id, orderId: ret.order_id };
}

/** A chat as the buyer or the platform starts it; ORDER/RETURN reuse the chat of that context. */
export function createChat(deps: AdminDeps, ctx: AdminContext): unknown {
  const b = businessParam(ctx.params[0]!);
  const context = ctx.body.context;
  if (typeof context !== 'object' || context === null || Array.isArray(context))
    throw bad('context: required object {type: ORDER|RETURN|DIRECT, id?}');
  const { type } = context as Json;
  if (type !== 'ORDER' && type !== 'RETURN' && type !== 'DIRECT')
    throw bad(`context.type: must be ORDER, RETURN or DIRECT, got ${describe(type)}`);
  const id = optionalId(context as Json, 'id');
  const now = deps.clock.now();
  const { chat, created } = deps.store.transaction(() => {
    if (type === 'DIRECT') {
      const customer = customerOf(ctx.body, now);
      const chat = deps.store.insertChat({
        businessId: b,
        contextType: 'DIRECT',
        orderId: null,
        returnId: null,
        campaignId: null,
        customer,
        createdAt: now,
      });
      return { chat, created: true };
    }
    if (type === 'ORDER') return deps.store.openOrderChat(ensureOrder(deps, b, ctx.body, id), now);
    return deps.store.openReturnChat(ensureReturn(deps, b, ctx.body, id), now);
  });
  if (created) deps.notifier.chatCreated(b, chat.chat_id, now);
  return { created, chat: chatJson(chat) };
}

function payloadFiles(raw: unknown): NewFile[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw) || raw.length === 0)
    throw bad('payload: must be a non-empty array of {name, base64 | text}');
  return raw.map((item, i) => {
    if (typeof item !== 'object' || item === null) throw bad(`payload[${i}]: must be an object`);
    const { name, base64, text } = item as Json;
    if (typeof name !== 'string') throw bad(`payload[${i}].name: must be a string`);
    let data: Buffer;
    if (typeof base64 === 'string') data = Buffer.from(base64, 'base64');
    else if (typeof text === 'string') data = Buffer.from(text, 'utf8');
    else throw bad(`payload[${i}]: give the content as base64 or text`);
    if (data.length > 5 * 1024 * 1024) throw bad(`payload[${i}]: over the 5 MB file limit`);
    const safe = sanitizeFileName(name);
    return { name: safe, data, contentType: safeContentType(safe) };
  });
}

export function postMessage(deps: AdminDeps, ctx: AdminContext): unknown {
  const b = businessParam(ctx.params[0]!);
  const chat = chatParam(deps, b, ctx.params[1]!);
  const { sender, message } = ctx.body;
  if (!isOneOf(SENDERS, sender))
    throw bad(`sender: must be one of ${SENDERS.join(', ')}, got ${describe(sender)}`);
  if (
    message !== undefined &&
    (typeof message !== 'string' ||
      message.length < 1 ||
      message.length > MESSAGE_MAX_LENGTH ||
      hasLoneSurrogate(message))
  )
    throw bad(`message: must be a well-formed string of 1..${MESSAGE_MAX_LENGTH} characters`);
  const files = payloadFiles(ctx.body.payload);
  if (message === undefined && !files) throw bad('message or payload: at least one is required');
  const now = deps.clock.now();
  const row = deps.store.addMessage(
    chat,
    { sender, text: message as string | undefined, files, status: statusAfter(chat, sender) },
    now,
  );
  deps.notifier.messageSent(b, chat.chat_id, row.message_id, now);
  return messageJson(row, deps.baseUrl());
}

export function patchChat(deps: AdminDeps, ctx: AdminContext): unknown {
  const b = businessParam(ctx.params[0]!);
  const chat = chatParam(deps, b, ctx.params[1]!);
  const { status, type } = ctx.body;
  if (status !== undefined && !isOneOf(CHAT_STATUSES, status))
    throw bad(`status: must be one of ${CHAT_STATUSES.join(', ')}, got ${describe(status)}`);
  if (type !== undefined && !isOneOf(CHAT_TYPES, type))
    throw bad(`type: must be one of ${CHAT_TYPES.join(', ')}, got ${describe(type)}`);
  if (status === undefined && type === undefined) throw bad('give status and/or type');
  const change: { status?: ChatStatus; type?: ChatType } = {};
  if (type) change.type = type;
  if (status) change.status = status;
  const started = chat.type !== 'ARBITRAGE' && type === 'ARBITRAGE';
  const finished = chat.type === 'ARBITRAGE' && (type === 'CHAT' || status === 'FINISHED');
  if (started && !status) change.status = 'WAITING_FOR_ARBITER';
  const updated = deps.store.updateChat(b, chat.chat_id, change);
  const now = deps.clock.now();
  // The platform sends no dispute notifications for DIRECT chats.
  if (chat.context_type !== 'DIRECT') {
    if (started) deps.notifier.arbitrageStarted(b, chat.chat_id, now);
    if (finished) deps.notifier.arbitrageFinished(b, chat.chat_id, now);
  }
  return chatJson(updated);
}
