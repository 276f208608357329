/**
 * The API's operations as data, the one place for what differs between them: method and path (the router),
 * how much body is kept in memory, the hourly quota and whom it counts, the parallel cap, and the
 * credential scopes that may call it. Chat paths are relative to `[/v2]/businesses/{businessId}/`; the
 * order and return reads (`fromRoot`) have one fixed path from the API root, as the platform serves them.
 */
import { JSON_BODY_LIMIT, MULTIPART_BODY_LIMIT } from './body.js';
import type { OperationId } from './types.js';

/** Scopes (`x-auth-scopes` in the spec) that may read chats, and those that may also write to them. */
const CHAT_READ = ['all-methods', 'all-methods:read-only', 'communication'] as const;
const CHAT_WRITE = ['all-methods', 'communication'] as const;
const ORDER_READ = [
  'all-methods',
  'all-methods:read-only',
  'inventory-and-order-processing',
  'inventory-and-order-processing:read-only',
] as const;

export interface Operation {
  method: 'GET' | 'POST';
  path: string;
  /** `path` starts at the API root (with `{…}` ids) instead of under `[/v2]/businesses/{businessId}/`. */
  fromRoot?: true;
  /** Body bytes kept in memory; the rest is drained and counted, so the client still gets its 400. */
  bodyLimit: number;
  /** Requests per hour (the platform's figures), per business or, for `/campaigns/…` paths, per campaign. */
  hourlyQuota: number;
  /** Whose hour and parallel cap a request counts against: the path's business (default) or campaign. */
  countedPer?: 'campaign';
  /**
   * A parallel cap of the operation's own (the spec's `parallel-limit-value`), counted apart from the
   * chat methods' shared cap; without it the operation shares its business's (or campaign's) cap.
   */
  parallel?: number;
  /** A credential with scopes needs one of these (403 otherwise); one without a scope list may call all. */
  scopes: readonly string[];
  /** List operations: the `limit` query parameter's maximum (above it is a 400, or `truncate`d) and default. */
  page?: { max: number; default: number; truncate?: true };
}

export const OPERATIONS: Readonly<Record<OperationId, Operation>> = {
  createChat: {
    method: 'POST',
    path: 'chats/new',
    bodyLimit: JSON_BODY_LIMIT,
    hourlyQuota: 1000,
    scopes: CHAT_WRITE,
  },
  getChats: {
    method: 'POST',
    path: 'chats',
    bodyLimit: JSON_BODY_LIMIT,
    hourlyQuota: 5000,
    scopes: CHAT_READ,
    page: { max: 20, default: 10 },
  },
  getChat: { method: 'GET', path: 'chat', bodyLimit: 0, hourlyQuota: 1000, scopes: CHAT_READ },
  getChatHistory: {
    method: 'POST',
    path: 'chats/history',
    bodyLimit: JSON_BODY_LIMIT,
    hourlyQuota: 10000,
    scopes: CHAT_READ,
    page: { max: 100, default: 50 },
  },
  sendMessageToChat: {
    method: 'POST',
    path: 'chats/message',
    bodyLimit: JSON_BODY_LIMIT,
    hourlyQuota: 1000,
    scopes: CHAT_WRITE,
  },
  getChatMessage: {
    method: 'GET',
    path: 'chats/message',
    bodyLimit: 0,
    hourlyQuota: 1000,
    scopes: CHAT_READ,
  },
  sendFileToChat: {
    method: 'POST',
    path: 'chats/file/send',
    bodyLimit: MULTIPART_BODY_LIMIT,
    hourlyQuota: 1000,
    scopes: CHAT_WRITE,
  },
  getBusinessOrders: {
    method: 'POST',
    path: 'v1/businesses/{businessId}/orders',
    fromRoot: true,
    bodyLimit: JSON_BODY_LIMIT,
    hourlyQuota: 10000,
    parallel: 6,
    // The spec also lets a finance key list orders.
    scopes: [...ORDER_READ, 'finance-and-accounting'],
    page: { max: 50, default: 50, truncate: true },
  },
  getReturn: {
    method: 'GET',
    path: 'v2/campaigns/{campaignId}/orders/{orderId}/returns/{returnId}',
    fromRoot: true,
    bodyLimit: 0,
    hourlyQuota: 7000,
    countedPer: 'campaign',
    scopes: ORDER_READ,
  },
};

/** The hourly quotas alone, as the admin namespace and the load tests show them. */
export const DEFAULT_LIMITS: Readonly<Record<OperationId, number>> = Object.fromEntries(
  Object.entries(OPERATIONS).map(([op, o]) => [op, o.hourlyQuota]),
) as Record<OperationId, number>;
