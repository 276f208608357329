/** How often and how much the sync engine reads the orders and returns behind the chats (order-fill.ts). */

/**
 * An order (or return) is read again at most once in this window, however often its chat changes: a
 * chat that changed since is read once the window has passed. Five minutes: a status changes a few times
 * over days, and the getBusinessOrders quota (10 000 an hour) must outlast a busy business.
 */
export const DEFAULT_ORDER_REFRESH_MS = 5 * 60_000;

/** getBusinessOrders takes at most 50 `orderIds` a call (the spec's maxItems) and answers 50 a page. */
export const ORDERS_PER_CALL = 50;

/** getReturn calls in flight at once (the platform's cap of parallel requests is 4 per campaign). */
export const RETURN_READERS = 2;

/**
 * The most an order read may take, waits for its quota included. The SDK's limiter refuses at once when
 * the quota resets later than this, so a used-up order quota ends the fill instead of holding the engine.
 */
export const ORDER_CALL_DEADLINE_MS = 20_000;
