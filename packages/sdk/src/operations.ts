/**
 * The chat operations as data: HTTP method, path under `/businesses/{businessId}`, hourly quota per
 * business, and how safe each is to repeat. Transport, retries and the limiter read this table; the
 * client methods stay thin.
 */

/**
 * - `read`: no side effect; repeating is always safe.
 * - `idempotent`: createChat returns the existing chat for the same context, so repeating is safe.
 * - `send`: delivers something to a buyer; repeating a request that reached the platform sends it twice.
 */
export type RetryClass = 'read' | 'idempotent' | 'send';

export interface OperationSpec {
  method: 'GET' | 'POST';
  path: string;
  /** Requests per hour per business, as documented in 2026. */
  hourlyQuota: number;
  retryClass: RetryClass;
  /** Exists only in the current API (under `/v2`), whatever `pathPrefix` says. */
  currentOnly?: true;
}

export const OPERATIONS = {
  createChat: { method: 'POST', path: '/chats/new', hourlyQuota: 1000, retryClass: 'idempotent' },
  getChats: { method: 'POST', path: '/chats', hourlyQuota: 5000, retryClass: 'read' },
  getChat: { method: 'GET', path: '/chat', hourlyQuota: 1000, retryClass: 'read', currentOnly: true },
  getChatHistory: { method: 'POST', path: '/chats/history', hourlyQuota: 10000, retryClass: 'read' },
  getChatMessage: {
    method: 'GET',
    path: '/chats/message',
    hourlyQuota: 1000,
    retryClass: 'read',
    currentOnly: true,
  },
  sendMessageToChat: { method: 'POST', path: '/chats/message', hourlyQuota: 1000, retryClass: 'send' },
  sendFileToChat: { method: 'POST', path: '/chats/file/send', hourlyQuota: 1000, retryClass: 'send' },
} as const satisfies Record<string, OperationSpec>;

export type OperationId = keyof typeof OPERATIONS;

export const OPERATION_IDS = Object.keys(OPERATIONS) as OperationId[];

/** The platform answers a fifth parallel request for one business with 420. */
export const MAX_CONCURRENT_PER_BUSINESS = 4;
