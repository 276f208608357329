/**
 * The operations as data: HTTP method, path (a chat method's under `/businesses/{businessId}`, an order
 * read's from the API root), hourly quota and whom it is counted against, parallel cap, the scopes that open
 * it, and how safe each is to repeat. Transport, retries, errors and the limiter read this table; the client
 * methods stay thin.
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
  /** Requests per hour per business (per campaign with `countedPer`), as the spec gives them in 2026. */
  hourlyQuota: number;
  retryClass: RetryClass;
  /** Exists only in the current API (under `/v2`), whatever `pathPrefix` says. */
  currentOnly?: true;
  /** `path` starts at the API root, its `{…}` filled with the call's ids in order, whatever `pathPrefix` says. */
  fromRoot?: true;
  /** A `/campaigns/{campaignId}/…` method: its hour and parallel slots are the campaign's, not the business's. */
  countedPer?: 'campaign';
  /**
   * Parallel requests of its own (the spec's `parallel-limit-value`), held apart from the chat methods'
   * four per business.
   */
  parallel?: number;
  /** The scopes (any one) a credential needs beyond chats (`x-auth-scopes`); named by a 403's error. */
  scopes?: readonly string[];
}

/** What opens the order and return reads: an order-processing scope or every method, full or read-only. */
const ORDER_SCOPES = [
  'inventory-and-order-processing',
  'inventory-and-order-processing:read-only',
  'all-methods',
  'all-methods:read-only',
] as const;

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
  getBusinessOrders: {
    method: 'POST',
    path: '/v1/businesses/{businessId}/orders',
    fromRoot: true,
    hourlyQuota: 10000,
    parallel: 6,
    retryClass: 'read',
    // The spec also lets a finance key list orders.
    scopes: [...ORDER_SCOPES, 'finance-and-accounting'],
  },
  getReturn: {
    method: 'GET',
    path: '/v2/campaigns/{campaignId}/orders/{orderId}/returns/{returnId}',
    fromRoot: true,
    hourlyQuota: 7000,
    countedPer: 'campaign',
    retryClass: 'read',
    scopes: ORDER_SCOPES,
  },
} as const satisfies Record<string, OperationSpec>;

export type OperationId = keyof typeof OPERATIONS;

export const OPERATION_IDS = Object.keys(OPERATIONS) as OperationId[];

/** The platform answers a fifth parallel request for one business with 420. */
export const MAX_CONCURRENT_PER_BUSINESS = 4;

/**
 * Where the quota store keeps an operation's hour and slots for an id (the business's, or the campaign's
 * for a method counted per campaign): the business id itself for the chat methods, which share its four
 * slots; `campaign:<id>` for a campaign's; `<id>:<operation>` for a method with parallel slots of its own.
 */
export function quotaKey(operation: OperationId, id: string): string {
  const spec: OperationSpec = OPERATIONS[operation];
  const subject = spec.countedPer === 'campaign' ? `campaign:${id}` : id;
  return spec.parallel === undefined ? subject : `${subject}:${operation}`;
}
