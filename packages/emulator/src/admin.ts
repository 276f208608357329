/**
 * The admin namespace: the buyer's and the platform's side of the chats, plus controls (clock, quotas,
 * faults, notifications, reset, seed, state). No auth: this is a local tool. File downloads are the one
 * exception: they stand in for Yandex's file service and need the same credentials as the API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './body.js';
import type { EmulatorServer } from './emulator.js';
import { sendError, sendJson } from './emulator.js';
import { type ApiError, apiError, FieldErrors } from './errors.js';
import { checkFaultRule, type FaultRuleInput } from './faults.js';
import { describe, parseIdJson, parseIdText } from './ids.js';
import { tooDeep, tooDeepMessage } from './json-depth.js';
import { safeContentType, sanitizeFileName } from './multipart.js';
import type { QuotaSettings } from './quotas.js';
import { decodePathPart } from './routes.js';
import { seedBusiness } from './seed.js';
import { chatJson, messageJson } from './serialize.js';
import type { NewFile } from './store.js';
import { isoMsk } from './time.js';
import {
  CHAT_STATUSES,
  CHAT_TYPES,
  type ChatRow,
  type ChatStatus,
  type ChatType,
  type Customer,
  isOneOf,
  OPERATION_IDS,
  type OperationId,
  SENDERS,
  type Sender,
} from './types.js';
import { hasLoneSurrogate, MESSAGE_MAX_LENGTH } from './validate.js';

type Json = Record<string, unknown>;
type AdminHandler = (emu: EmulatorServer, ctx: AdminContext) => unknown;

interface AdminContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
  query: URLSearchParams;
  body: Json;
}

const ADMIN_BODY_LIMIT = 8 * 1024 * 1024;

function bad(message: string): ApiError {
  return apiError(400, 'BAD_REQUEST', message);
}

function businessParam(raw: string): number {
  const errors = new FieldErrors();
  const id = parseIdText(raw, 'businessId', errors, 'INVALID_PARAMETER');
  errors.throwIfAny();
  return id!;
}

function chatParam(emu: EmulatorServer, businessId: number, raw: string): ChatRow {
  const errors = new FieldErrors();
  const id = parseIdText(raw, 'chatId', errors, 'INVALID_PARAMETER');
  errors.throwIfAny();
  const chat = emu.store.getChat(businessId, id!);
  if (!chat) throw apiError(404, 'NOT_FOUND', `chat ${raw} not found in business ${businessId}`);
  return chat;
}

function optionalId(body: Json, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  const errors = new FieldErrors();
  const id = parseIdJson(value, field, errors);
  errors.throwIfAny();
  return id;
}

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

function ensureOrder(emu: EmulatorServer, b: number, body: Json, orderId: number | undefined) {
  if (orderId !== undefined) {
    const existing = emu.store.getOrder(b, orderId);
    if (existing) return existing;
  }
  const now = emu.clock.now();
  const campaignId = optionalId(body, 'campaignId');
  return emu.store.createOrder(b, { orderId, campaignId, customer: customerOf(body, orderId ?? now) }, now);
}

function createOrder(emu: EmulatorServer, ctx: AdminContext): unknown {
  const b = businessParam(ctx.params[0]!);
  const orderId = optionalId(ctx.body, 'orderId');
  if (orderId !== undefined && emu.store.getOrder(b, orderId))
    throw apiError(409, 'CONFLICT', `order ${orderId} already exists in business ${b}`);
  const order = ensureOrder(emu, b, ctx.body, orderId);
  return {
    businessId: b,
    orderId: order.order_id,
    campaignId: order.campaign_id,
    customer: { name: order.customer_name, publicId: order.customer_public_id },
  };
}

function ensureReturn(emu: EmulatorServer, b: number, body: Json, returnId: number | undefined) {
  if (returnId !== undefined) {
    const existing = emu.store.getReturn(b, returnId);
    if (existing) return existing;
  }
  const order = ensureOrder(emu, b, body, optionalId(body, 'orderId'));
  return emu.store.createReturn(b, { returnId, orderId: order.order_id }, emu.clock.now());
}

function createReturn(emu: EmulatorServer, ctx: AdminContext): unknown {
  const b = businessParam(ctx.params[0]!);
  const returnId = optionalId(ctx.body, 'returnId');
  if (returnId !== undefined && emu.store.getReturn(b, returnId))
    throw apiError(409, 'CONFLICT', `return ${returnId} already exists in business ${b}`);
  const ret = emu.store.transaction(() => ensureReturn(emu, b, ctx.body, returnId));
  return { businessId: b, returnId: ret.return_id, orderId: ret.order_id };
}

/** A chat as the buyer or the platform starts it; ORDER/RETURN reuse the chat of that context. */
function createChat(emu: EmulatorServer, ctx: AdminContext): unknown {
  const b = businessParam(ctx.params[0]!);
  const context = ctx.body.context;
  if (typeof context !== 'object' || context === null || Array.isArray(context))
    throw bad('context: required object {type: ORDER|RETURN|DIRECT, id?}');
  const { type } = context as Json;
  if (type !== 'ORDER' && type !== 'RETURN' && type !== 'DIRECT')
    throw bad(`context.type: must be ORDER, RETURN or DIRECT, got ${describe(type)}`);
  const id = optionalId(context as Json, 'id');
  const now = emu.clock.now();
  const { chat, created } = emu.store.transaction(() => {
    if (type === 'DIRECT') {
      const customer = customerOf(ctx.body, now);
      const chat = emu.store.insertChat({
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
    if (type === 'ORDER') return emu.store.openOrderChat(ensureOrder(emu, b, ctx.body, id), now);
    return emu.store.openReturnChat(ensureReturn(emu, b, ctx.body, id), now);
  });
  if (created) emu.notifier.chatCreated(b, chat.chat_id, now);
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

/** Status after a message, as the platform moves it; FINISHED chats stay finished. */
function statusAfter(chat: ChatRow, sender: Sender): ChatStatus | undefined {
  if (chat.status === 'FINISHED' || chat.type !== 'CHAT') return undefined;
  if (sender === 'CUSTOMER') return 'WAITING_FOR_PARTNER';
  if (sender === 'PARTNER') return 'WAITING_FOR_CUSTOMER';
  return undefined;
}

function postMessage(emu: EmulatorServer, ctx: AdminContext): unknown {
  const b = businessParam(ctx.params[0]!);
  const chat = chatParam(emu, b, ctx.params[1]!);
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
  const now = emu.clock.now();
  const row = emu.store.addMessage(
    chat,
    { sender, text: message as string | undefined, files, status: statusAfter(chat, sender) },
    now,
  );
  emu.notifier.messageSent(b, chat.chat_id, row.message_id, now);
  return messageJson(row, emu.baseUrl());
}

function patchChat(emu: EmulatorServer, ctx: AdminContext): unknown {
  const b = businessParam(ctx.params[0]!);
  const chat = chatParam(emu, b, ctx.params[1]!);
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
  const updated = emu.store.updateChat(b, chat.chat_id, change);
  const now = emu.clock.now();
  // The platform sends no dispute notifications for DIRECT chats.
  if (chat.context_type !== 'DIRECT') {
    if (started) emu.notifier.arbitrageStarted(b, chat.chat_id, now);
    if (finished) emu.notifier.arbitrageFinished(b, chat.chat_id, now);
  }
  return chatJson(updated);
}

function numberField(body: Json, field: string): number | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`${field}: must be a number`);
  return v;
}

function clockState(emu: EmulatorServer) {
  const now = emu.clock.now();
  return { now, iso: isoMsk(now), offsetMs: emu.clock.offsetMs };
}

function postClock(emu: EmulatorServer, ctx: AdminContext): unknown {
  const advance = numberField(ctx.body, 'advanceMs');
  const set = numberField(ctx.body, 'setMs');
  if ((advance === undefined) === (set === undefined)) throw bad('give exactly one of advanceMs, setMs');
  if (advance !== undefined) emu.clock.advance(advance);
  if (set !== undefined) emu.clock.set(set);
  return clockState(emu);
}

function postQuotas(emu: EmulatorServer, ctx: AdminContext): unknown {
  const settings: QuotaSettings = {};
  const { enabled, limits, concurrency, reset } = ctx.body;
  if (enabled !== undefined) {
    if (typeof enabled !== 'boolean') throw bad('enabled: must be a boolean');
    settings.enabled = enabled;
  }
  const scale = numberField(ctx.body, 'scale');
  if (scale !== undefined) {
    if (scale <= 0) throw bad('scale: must be positive');
    settings.scale = scale;
  }
  if (limits !== undefined) {
    if (typeof limits !== 'object' || limits === null) throw bad('limits: must be an object');
    const checked: Partial<Record<OperationId, number>> = {};
    for (const [op, n] of Object.entries(limits)) {
      if (!isOneOf(OPERATION_IDS, op)) throw bad(`limits.${op}: not an operation`);
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
        throw bad(`limits.${op}: must be a positive integer`);
      checked[op] = n;
    }
    settings.limits = checked;
  }
  if (concurrency !== undefined) {
    if (
      concurrency !== false &&
      (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1)
    )
      throw bad('concurrency: must be a positive integer or false');
    settings.concurrency = concurrency;
  }
  emu.quotas.configure(settings);
  if (reset === true) emu.quotas.resetCounters();
  return emu.quotas.describe();
}

function postFaults(emu: EmulatorServer, ctx: AdminContext): unknown {
  const raw = ctx.body;
  const seed = raw.seed;
  if (seed !== undefined) {
    if (typeof seed !== 'number' || !Number.isInteger(seed)) throw bad('seed: must be an integer');
    emu.faults.reseed(seed);
  }
  const items = Array.isArray(raw.rules)
    ? raw.rules
    : raw.rules === undefined && seed === undefined
      ? [raw]
      : [];
  const rules: FaultRuleInput[] = items.map((item, i) => {
    const checked = checkFaultRule(item);
    if (typeof checked === 'string') throw bad(`rules[${i}]: ${checked}`);
    return checked;
  });
  return { added: emu.faults.add(rules), rules: emu.faults.list() };
}

function postNotificationConfig(emu: EmulatorServer, ctx: AdminContext): unknown {
  const { url, retryScheduleMs, timeoutMs } = ctx.body;
  if (url === null) {
    emu.notifier.configure(undefined);
    return { config: null };
  }
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw bad('url: must be an http(s) URL or null');
  if (
    retryScheduleMs !== undefined &&
    (!Array.isArray(retryScheduleMs) || !retryScheduleMs.every((n) => typeof n === 'number' && n >= 0))
  )
    throw bad('retryScheduleMs: must be an array of non-negative numbers');
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || timeoutMs <= 0))
    throw bad('timeoutMs: must be a positive number');
  emu.notifier.configure({
    url,
    retryScheduleMs: retryScheduleMs as number[] | undefined,
    timeoutMs: timeoutMs as number | undefined,
  });
  return { config: emu.notifier.config };
}

function postSeed(emu: EmulatorServer, ctx: AdminContext): unknown {
  const seed = numberField(ctx.body, 'seed');
  if (seed === undefined || !Number.isInteger(seed)) throw bad('seed: required integer');
  const chats = numberField(ctx.body, 'chats');
  if (chats !== undefined && (!Number.isInteger(chats) || chats < 0 || chats > 10_000))
    throw bad('chats: must be an integer 0..10000');
  const businessId = optionalId(ctx.body, 'businessId') ?? defaultBusiness(emu);
  return seedBusiness(emu.store, { seed, businessId, chats });
}

function defaultBusiness(emu: EmulatorServer): number {
  return emu.auth.list()[0]?.businessIds[0] ?? 1001;
}

function postCredential(emu: EmulatorServer, ctx: AdminContext): unknown {
  const { apiKey, oauthToken, businessIds } = ctx.body;
  if (apiKey !== undefined && (typeof apiKey !== 'string' || apiKey.length === 0))
    throw bad('apiKey: must be a string');
  if (oauthToken !== undefined && (typeof oauthToken !== 'string' || oauthToken.length === 0))
    throw bad('oauthToken: must be a string');
  if (apiKey === undefined && oauthToken === undefined) throw bad('give apiKey and/or oauthToken');
  if (!Array.isArray(businessIds) || businessIds.length === 0)
    throw bad('businessIds: must be a non-empty array');
  const errors = new FieldErrors();
  const ids = businessIds.map((v, i) => parseIdJson(v, `businessIds[${i}]`, errors));
  errors.throwIfAny();
  emu.addCredential({
    apiKey: apiKey as string | undefined,
    oauthToken: oauthToken as string | undefined,
    businessIds: ids as number[],
  });
  return { credentials: emu.auth.list() };
}

function state(emu: EmulatorServer, ctx: AdminContext): unknown {
  const businesses = new Set<number>(emu.store.businessIds());
  for (const c of emu.auth.list()) for (const b of c.businessIds) businesses.add(b);
  const deliveries = emu.notifier.deliveries();
  const result: Json = {
    url: emu.baseUrl(),
    clock: clockState(emu),
    totals: emu.store.counts(),
    businesses: [...businesses].sort((a, b) => a - b).map((b) => ({ businessId: b, ...emu.store.counts(b) })),
    credentials: emu.auth.list(),
    quotas: emu.quotas.describe(),
    faults: emu.faults.list(),
    notifications: {
      config: emu.notifier.config ?? null,
      pending: deliveries.filter((d) => d.state === 'pending').length,
      delivered: deliveries.filter((d) => d.state === 'delivered').length,
      failed: deliveries.filter((d) => d.state === 'failed').length,
    },
  };
  if (ctx.query.get('full') === '1') result.data = emu.store.dump();
  return result;
}

/** Serves a stored file to a caller whose credentials own the file's business. */
function downloadFile(emu: EmulatorServer, ctx: AdminContext): unknown {
  const credential = emu.auth.authenticate(ctx.req.headers);
  const errors = new FieldErrors();
  const fileId = parseIdText(ctx.params[0]!, 'fileId', errors, 'INVALID_PARAMETER');
  errors.throwIfAny();
  const file = emu.store.getFile(fileId!);
  if (!file) throw apiError(404, 'NOT_FOUND', `file ${ctx.params[0]} not found`);
  emu.auth.authorize(credential, file.business_id);
  const res = ctx.res;
  const fallback = file.name.replace(/[^\x20-\x7e]|["\\]/g, '_') || 'file';
  res.writeHead(200, {
    'content-type': file.content_type,
    'content-length': String(file.data.length),
    'content-disposition': `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(file.name || 'file')}`,
    'x-content-type-options': 'nosniff',
    'cache-control': 'private, no-store',
  });
  res.end(file.data);
  return undefined;
}

const ROUTES: [string, RegExp, AdminHandler][] = [
  [
    'POST',
    /^\/reset$/,
    (emu) => {
      emu.reset();
      return { status: 'OK' };
    },
  ],
  ['POST', /^\/seed$/, postSeed],
  ['GET', /^\/state$/, state],
  ['POST', /^\/credentials$/, postCredential],
  ['POST', /^\/businesses\/([^/]+)\/orders$/, createOrder],
  ['POST', /^\/businesses\/([^/]+)\/returns$/, createReturn],
  ['POST', /^\/businesses\/([^/]+)\/chats$/, createChat],
  ['PATCH', /^\/businesses\/([^/]+)\/chats\/([^/]+)$/, patchChat],
  ['POST', /^\/businesses\/([^/]+)\/chats\/([^/]+)\/messages$/, postMessage],
  ['GET', /^\/clock$/, (emu) => clockState(emu)],
  ['POST', /^\/clock$/, postClock],
  ['GET', /^\/quotas$/, (emu) => emu.quotas.describe()],
  ['POST', /^\/quotas$/, postQuotas],
  ['GET', /^\/faults$/, (emu) => ({ rules: emu.faults.list() })],
  ['POST', /^\/faults$/, postFaults],
  [
    'DELETE',
    /^\/faults$/,
    (emu) => {
      emu.faults.clear();
      return { rules: [] };
    },
  ],
  [
    'GET',
    /^\/notifications$/,
    (emu) => ({ config: emu.notifier.config ?? null, deliveries: emu.notifier.deliveries() }),
  ],
  ['POST', /^\/notifications\/config$/, postNotificationConfig],
  [
    'DELETE',
    /^\/notifications$/,
    (emu) => {
      emu.notifier.clearLog();
      return { deliveries: [] };
    },
  ],
  ['GET', /^\/files\/([^/]+)(?:\/[^/]*)?$/, downloadFile],
];

export async function handleAdmin(
  emu: EmulatorServer,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
): Promise<void> {
  const headers: Record<string, string> = {};
  try {
    const sub = path.slice('/_emulator'.length) || '/';
    let matched: { handler: AdminHandler; params: string[] } | undefined;
    let pathKnown = false;
    for (const [method, re, handler] of ROUTES) {
      const m = re.exec(sub);
      if (!m) continue;
      pathKnown = true;
      if (method === req.method) {
        matched = { handler, params: m.slice(1).map(decodePathPart) };
        break;
      }
    }
    const refused = emu.guard.checkAdmin(req.method ?? 'GET', req.headers, {
      // Downloads stand in for the file service: they take the API's credentials, not the admin token.
      tokenExempt: matched?.handler === downloadFile,
    });
    if (refused) throw refused;
    if (!matched) {
      throw pathKnown
        ? apiError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on /_emulator${sub}`)
        : apiError(404, 'NOT_FOUND', `No admin route /_emulator${sub}`);
    }
    let body: Json = {};
    if (req.method === 'POST' || req.method === 'PATCH') {
      const read = await readBody(req, ADMIN_BODY_LIMIT);
      if (read.data === null) throw bad(`request body: over the admin limit of ${ADMIN_BODY_LIMIT} bytes`);
      if (read.size > 0) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(read.data.toString('utf8'));
        } catch {
          throw bad('request body: malformed JSON');
        }
        if (typeof parsed !== 'object' || parsed === null)
          throw bad('request body: must be a JSON object or array');
        const deep = tooDeep(parsed);
        if (deep !== undefined) throw bad(tooDeepMessage(deep));
        body = Array.isArray(parsed) ? { rules: parsed } : (parsed as Json);
      }
    }
    const result = matched.handler(emu, { req, res, params: matched.params, query, body });
    if (result !== undefined) sendJson(res, 200, JSON.stringify(result), headers);
  } catch (err) {
    sendError(res, err, headers);
  }
}
