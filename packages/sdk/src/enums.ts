/**
 * The enumeration values the SDK knows, as data (for CLIs, forms, validation). Responses may carry values
 * added after this version; the types in types.ts accept those too.
 */
export const CHAT_STATUSES = [
  'NEW',
  'WAITING_FOR_CUSTOMER',
  'WAITING_FOR_PARTNER',
  'WAITING_FOR_ARBITER',
  'WAITING_FOR_MARKET',
  'FINISHED',
] as const;
export const CHAT_TYPES = ['CHAT', 'ARBITRAGE'] as const;
export const CHAT_CONTEXT_TYPES = ['ORDER', 'RETURN', 'DIRECT'] as const;
export const MESSAGE_SENDERS = ['PARTNER', 'CUSTOMER', 'MARKET', 'SUPPORT'] as const;
