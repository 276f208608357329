/** Test helpers: a real emulator on 127.0.0.1:0 and an HTTP call that validates every body against the spec. */
import { validateResponse } from '@ym-chats/contract';
import {
  AdminClient,
  createEmulator,
  DEFAULT_BUSINESS_ID,
  type EmulatorOptions,
  type EmulatorServer,
  type OperationId,
} from '@ym-chats/emulator';

export const BIZ = DEFAULT_BUSINESS_ID;
export const API_KEY = { 'Api-Key': 'emulator-api-key' };
export const BEARER = { Authorization: 'Bearer emulator-oauth-token' };

export interface Running {
  emu: EmulatorServer;
  url: string;
  admin: AdminClient;
}

export async function start(options: EmulatorOptions = {}): Promise<Running> {
  const emu = createEmulator(options);
  const url = await emu.listen(0);
  return { emu, url, admin: new AdminClient(url) };
}

export type ChatOperationId = Exclude<OperationId, 'getBusinessOrders' | 'getReturn'>;

const OPS: Record<ChatOperationId, { method: 'GET' | 'POST'; path: string }> = {
  createChat: { method: 'POST', path: '/chats/new' },
  getChats: { method: 'POST', path: '/chats' },
  getChat: { method: 'GET', path: '/chat' },
  getChatHistory: { method: 'POST', path: '/chats/history' },
  sendMessageToChat: { method: 'POST', path: '/chats/message' },
  getChatMessage: { method: 'GET', path: '/chats/message' },
  sendFileToChat: { method: 'POST', path: '/chats/file/send' },
};

export interface CallOptions {
  business?: number | string;
  query?: Record<string, string | number>;
  /** JSON body (serialized); for POST operations `{}` is sent when neither json nor body is given. */
  json?: unknown;
  body?: string | Uint8Array | FormData;
  headers?: Record<string, string>;
  style?: 'v2' | 'seed';
  auth?: Record<string, string> | null;
}

export interface CallResult<T = ApiBody> {
  status: number;
  headers: Headers;
  body: T;
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked against the spec schema, then read freely
export type ApiBody = any;

/** Calls one chat operation and fails unless the body matches the current spec for that status. */
export async function call(url: string, op: ChatOperationId, options: CallOptions = {}): Promise<CallResult> {
  const { method, path } = OPS[op];
  const prefix = options.style === 'seed' ? '' : '/v2';
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(options.query ?? {})) search.append(k, String(v));
  const qs = search.toString();
  const headers: Record<string, string> = { ...(options.auth === null ? {} : (options.auth ?? API_KEY)) };
  let body: string | Uint8Array | FormData | undefined = options.body;
  if (options.json !== undefined && method === 'POST') body = JSON.stringify(options.json);
  else if (body === undefined && method === 'POST' && op !== 'sendFileToChat') body = '{}';
  if (typeof body === 'string' && !('content-type' in lower(options.headers ?? {})))
    headers['content-type'] = 'application/json';
  Object.assign(headers, options.headers ?? {});
  const response = await fetch(
    `${url}${prefix}/businesses/${options.business ?? BIZ}${path}${qs ? `?${qs}` : ''}`,
    // Node's fetch takes Uint8Array bodies; the DOM typings only list ArrayBuffer-backed views.
    { method, headers, body: body as BodyInit | undefined },
  );
  const text = await response.text();
  const parsed: ApiBody = JSON.parse(text);
  checkContract(op, response.status, parsed);
  return { status: response.status, headers: response.headers, body: parsed };
}

function lower(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

export interface OrderCallOptions {
  json?: unknown;
  query?: Record<string, string | number>;
  auth?: Record<string, string> | null;
}

/**
 * Calls getBusinessOrders (`ids`: [businessId]) or getReturn ([campaignId, orderId, returnId]) and fails
 * unless the body matches the orders spec for that status.
 */
export async function orderCall(
  url: string,
  op: 'getBusinessOrders' | 'getReturn',
  ids: (number | string)[],
  options: OrderCallOptions = {},
): Promise<CallResult> {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(options.query ?? {})) search.append(k, String(v));
  const qs = search.toString() === '' ? '' : `?${search}`;
  const headers: Record<string, string> = { ...(options.auth === null ? {} : (options.auth ?? API_KEY)) };
  let path: string;
  let init: RequestInit;
  if (op === 'getBusinessOrders') {
    path = `/v1/businesses/${ids[0]}/orders`;
    headers['content-type'] = 'application/json';
    init = { method: 'POST', headers, body: JSON.stringify(options.json ?? {}) };
  } else {
    path = `/v2/campaigns/${ids[0]}/orders/${ids[1]}/returns/${ids[2]}`;
    init = { method: 'GET', headers };
  }
  const response = await fetch(`${url}${path}${qs}`, init);
  const body: ApiBody = JSON.parse(await response.text());
  checkContract(op, response.status, body);
  return { status: response.status, headers: response.headers, body };
}

/** 503 and 504 are not in the spec; their bodies must still be the documented error envelope (the 500 schema). */
export function checkContract(op: OperationId, status: number, body: unknown): void {
  const spec = op === 'getBusinessOrders' || op === 'getReturn' ? 'orders' : 'current';
  const errors = validateResponse(spec, op, status === 503 || status === 504 ? 500 : status, body);
  if (errors.length > 0)
    throw new Error(`${op} ${status} breaks the spec:\n${errors.join('\n')}\n${JSON.stringify(body)}`);
}

export function errorText(body: ApiBody): string {
  return (body.errors as { code: string; message: string }[])
    .map((e) => `${e.code} ${e.message}`)
    .join(' | ');
}

/** Creates an order through the admin side and a chat for it through the API. */
export async function orderChat(run: Running): Promise<{ chatId: number; orderId: number }> {
  const order = await run.admin.createOrder(BIZ);
  const res = await call(run.url, 'createChat', { json: { context: { type: 'ORDER', id: order.orderId } } });
  if (res.status !== 200) throw new Error(`createChat → ${res.status}`);
  return { chatId: res.body.result.chatId as number, orderId: order.orderId };
}

export async function history(url: string, chatId: number, limit = 100): Promise<ApiBody[]> {
  const all: ApiBody[] = [];
  let token: string | undefined;
  do {
    const res = await call(url, 'getChatHistory', {
      query: { chatId, limit, ...(token ? { pageToken: token } : {}) },
    });
    if (res.status !== 200) throw new Error(`history → ${res.status} ${JSON.stringify(res.body)}`);
    all.push(...res.body.result.messages);
    token = res.body.result.paging?.nextPageToken;
  } while (token);
  return all;
}
